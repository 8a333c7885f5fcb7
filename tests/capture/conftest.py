import pytest

from tests.conftest import VOLUNTEER_PASS  # noqa: F401 - tests import it from here


@pytest.fixture
def pulse(tmp_path_factory, monkeypatch):
    """A private PulseAudio server with a null sink whose monitor is the default source; this
    process records from it through PortAudio's ALSA 'pulse' device. See tests/capture/pulse.py."""
    from tests.capture.pulse import PulseServer, available

    reason = available()
    if reason:
        pytest.skip(reason)
    server = PulseServer(tmp_path_factory.mktemp("pulse")).start()
    for key in ("HOME", "PULSE_RUNTIME_PATH", "XDG_RUNTIME_DIR", "PULSE_SERVER"):
        monkeypatch.setenv(key, server.env[key])
    yield server
    server.stop()
