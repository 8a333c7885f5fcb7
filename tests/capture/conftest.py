import pytest

from capture import accounts
from capture.roles import Role
from capture.vault import NewUser, Vault

VOLUNTEER_PASS = "mật khẩu của Lan"


@pytest.fixture
def volunteer(make_vault):
    """A signed-in volunteer (admins manage; volunteers capture), on a vault whose admin is
    'admin' / 'mật khẩu quản trị'."""
    admin, _ = make_vault()
    accounts.create_user(admin, NewUser("lan", "Trần Thị Lan", "tạm thời 12345", Role.VOLUNTEER))
    path = admin.path
    admin.lock()
    vault = Vault(path).unlock("lan", "tạm thời 12345")
    vault.set_new_passphrase(VOLUNTEER_PASS)
    yield vault
    vault.lock()


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
