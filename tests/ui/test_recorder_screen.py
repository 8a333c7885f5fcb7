"""The recorder screen driven like a volunteer would: record (a synthetic source through the
real recorder and vault), press M and type a marker, stop, see the waveform, jump to the marker;
a testimony in two parts played, drawn and jumped through as one; no microphone at all, then
one appearing (real PortAudio, with and without a PulseAudio server). Screenshots to look at
are saved in screenshots/recorder-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from capture import accounts, visits
from capture import recorder as rec
from capture.roles import Role
from capture.testimony import load_testimony
from capture.vault import NewUser, Vault
from tests.capture.conftest import pulse  # noqa: F401 - the PulseAudio fixture, used by name
from tests.capture.recording_helpers import tone
from ui import settings as app_settings
from ui.pages.recorder import RecorderScreen

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture
def volunteer_vault(make_vault):
    admin, _ = make_vault()
    accounts.create_user(admin, NewUser("lan", "Trần Thị Lan", "tạm thời 12345",
                                        Role.VOLUNTEER))
    path = admin.path
    admin.lock()
    vault = Vault(path).unlock("lan", "tạm thời 12345")
    vault.set_new_passphrase("mật khẩu của Lan")
    yield vault
    vault.lock()


def _visit(vault) -> str:
    visit_id = visits.create_visit(vault, visits.Household(province_code=1, ward_code=4))
    visits.add(vault, visit_id, visits.MartyrData(full_name="Liệt sĩ Nguyễn Văn An"))
    visits.add(vault, visit_id, visits.PersonData(kind="witness",
                                                  full_name="Bà Nguyễn Thị Mai"))
    return visit_id


def test_record_mark_stop_then_jump_to_the_marker(app, qtbot, volunteer_vault):
    vault = volunteer_vault
    visit_id = _visit(vault)
    # The synthetic microphone has its own name whatever PortAudio lists on this machine (after
    # the PulseAudio tests in the same process it lists "default").
    screen = RecorderScreen(vault, visit_id, source_factory=lambda _name: rec.SyntheticSource(
        tone, name="Micro thử"), device_lister=lambda _rescan: ["Micro thử"])
    qtbot.addWidget(screen)
    screen.resize(760, 900)
    screen.show()
    screen.speaker.setCurrentIndex(screen.speaker.findText("Bà Nguyễn Thị Mai"))
    screen.language.setText("tiếng Việt, giọng Huế")
    screen.martyrs.item(0).setCheckState(Qt.CheckState.Checked)
    qtbot.mouseClick(screen.record_button, Qt.MouseButton.LeftButton)
    assert screen.recorder is not None and screen.recorder.state == rec.State.RECORDING
    qtbot.waitUntil(lambda: screen.recorder.position_seconds() >= 1.0, timeout=5000)
    qtbot.wait(200)
    assert screen.meter.peak_db > -20  # the meter follows the tone (≈ -4 dBFS at its peak)
    qtbot.keyClick(screen, Qt.Key.Key_M)
    marked_at = screen._pending_marker_at
    assert marked_at is not None and marked_at >= 1.0
    screen.marker_label.setText("Đồi 468")  # QTest.keyClicks aborts on non-Latin-1 text
    screen.marker_kind.setCurrentIndex(screen.marker_kind.findData("place"))
    qtbot.keyClick(screen.marker_label, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.recorder.position_seconds() >= 2.0, timeout=5000)
    SHOTS.mkdir(exist_ok=True)
    screen.grab().save(str(SHOTS / "recorder-recording.png"))
    qtbot.mouseClick(screen.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.recorder.state == rec.State.STOPPED, timeout=10000)
    qtbot.waitUntil(lambda: len(screen.waveform.peaks) > 0, timeout=10000)
    screen.save_details()

    view = load_testimony(vault, screen.testimony_id)
    assert view.speaker_name == "Bà Nguyễn Thị Mai" and view.speaker_person_id
    assert view.language == "tiếng Việt, giọng Huế" and len(view.martyr_ids) == 1
    (part,) = view.parts
    assert part.duration >= 2.0 and part.device_name == "Micro thử"
    (marker,) = view.markers
    assert marker.label == "Đồi 468" and marker.kind == "place"
    assert marker.at_seconds == pytest.approx(marked_at, abs=0.01)
    assert screen.marker_list.count() == 1
    item = screen.marker_list.item(0)
    rect = screen.marker_list.visualItemRect(item)
    qtbot.mouseClick(screen.marker_list.viewport(), Qt.MouseButton.LeftButton,
                     pos=rect.center())
    assert screen.player is not None
    assert screen.player.position == pytest.approx(marker.at_seconds)
    assert screen.waveform.position == pytest.approx(marker.at_seconds)
    assert app_settings.load().recorder_device in ("Micro thử", screen.devices.currentData())
    qtbot.wait(100)
    screen.grab().save(str(SHOTS / "recorder-stopped.png"))


def test_recovery_is_reported_on_the_screen(app, qtbot, volunteer_vault):
    vault = volunteer_vault
    visit_id = _visit(vault)
    from capture.testimony import create_testimony

    testimony_id = create_testimony(vault, visit_id, speaker_name="Ông Lê Văn Bảy")
    recorder = rec.Recorder(vault, testimony_id)
    recorder.start(rec.SyntheticSource(tone, realtime=False, limit_frames=3 * 48_000))
    # all but the last FLAC frame, which the encoder gives at the end
    qtbot.waitUntil(lambda: recorder.frames_committed >= 3 * 48_000 - 4096, timeout=10000)
    original = rec.finish_part
    rec.finish_part = lambda *a, **k: (_ for _ in ()).throw(rec.RecorderError())
    try:
        recorder.stop()  # as if the laptop died before the join
    finally:
        rec.finish_part = original
    screen = RecorderScreen(vault, visit_id, device_lister=lambda _rescan: ["Micro thử"])
    qtbot.addWidget(screen)
    qtbot.waitUntil(lambda: bool(screen.banner.text()), timeout=5000)
    # in Vietnamese: "Đã khôi phục bản ghi của Ông Lê Văn Bảy đến giây 3."
    assert "Ông Lê Văn Bảy" in screen.banner.text() and "3" in screen.banner.text()
    (part,) = load_testimony(vault, testimony_id).parts
    assert part.end_reason == "recovered" and part.duration == pytest.approx(3.0)


def _quiet(start: int, frames: int):
    return tone(start, frames) // 10  # the second part: the same tone, 20 dB lower


def test_two_parts_play_draw_and_jump_as_one_testimony(app, qtbot, volunteer_vault):
    """A microphone lost after 1.5 s (the synthetic source calls the same 'lost' hook as
    PortAudio's finished-callback), then Continue recording with another one for 1 s: the
    waveform spans both parts (loud, then 20 dB lower), and a marker in the second part seeks
    the player into the second part."""
    vault = volunteer_vault
    visit_id = _visit(vault)
    pulled_out = rec.SyntheticSource(tone, name="Micro USB", realtime=False)
    pulled_out.fail_after = 1.5
    sources = iter([pulled_out, rec.SyntheticSource(_quiet, name="Micro thử",
                                                    limit_frames=48_000)])
    screen = RecorderScreen(vault, visit_id, source_factory=lambda _name: next(sources),
                            device_lister=lambda _rescan: ["Micro USB", "Micro thử"])
    qtbot.addWidget(screen)
    screen.resize(760, 900)
    screen.show()
    screen.start_recording()
    qtbot.waitUntil(lambda: screen.recorder.state == rec.State.STOPPED, timeout=10000)
    qtbot.waitUntil(lambda: "0:00:01" in screen.banner.text(), timeout=5000)  # what was kept
    assert screen.record_button.text() in ("Continue recording", "Ghi tiếp")
    # After a lost device the screen looks for microphones again, with Record off meanwhile:
    # press it as a volunteer would, once it is on.
    qtbot.waitUntil(screen.record_button.isEnabled, timeout=10000)
    qtbot.mouseClick(screen.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.recorder.position_seconds() >= 2.0, timeout=10000)
    screen.begin_marker()
    screen.marker_label.setText("Phần hai")
    screen.add_marker()
    qtbot.waitUntil(lambda: screen.recorder.frames_committed >= 48_000 - 4096, timeout=10000)
    qtbot.mouseClick(screen.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.recorder.state == rec.State.STOPPED, timeout=10000)
    view = load_testimony(vault, screen.testimony_id)
    assert [p.end_reason for p in view.parts] == ["device_lost", "stopped"]
    assert view.duration == pytest.approx(2.5, abs=0.05)
    qtbot.waitUntil(lambda: len(screen.waveform.peaks) > 0, timeout=10000)
    assert screen.waveform.duration == pytest.approx(view.duration)
    peaks = screen.waveform.peaks
    split = int(len(peaks) * 1.5 / 2.5)
    loud, quiet = peaks[10:split - 10], peaks[split + 10:-10]
    # the test tone peaks at 0.18-0.27 of full scale in its first seconds; the second part at
    # a tenth of that
    assert loud.min() > 0.15 and 0.01 < quiet.max() < 0.03, (loud.min(), quiet.max())

    (marker,) = view.markers
    assert marker.at_seconds >= view.parts[1].offset_seconds
    item = screen.marker_list.item(0)
    qtbot.mouseClick(screen.marker_list.viewport(), Qt.MouseButton.LeftButton,
                     pos=screen.marker_list.visualItemRect(item).center())
    assert screen.player is not None and screen.player.part_index == 1
    assert screen.player.position == pytest.approx(marker.at_seconds)
    screen.grab().save(str(SHOTS / "recorder-two-parts.png"))


def test_playback_goes_on_into_the_next_part_through_portaudio(app, qtbot, volunteer_vault,
                                                              request, monkeypatch):
    """Real sound output: PortAudio's ALSA 'pulse' device into the PulseAudio null sink. Played
    from 0.6 s of a 1 s + 1 s testimony, the player must reach the second part and its end.
    PortAudio is first started while no sound server is reachable (it then lists no device,
    as when speakers are plugged in after the app started): the player looks again by itself."""
    from ui.widgets.audio import Player

    server = request.getfixturevalue("pulse")
    monkeypatch.setenv("PULSE_SERVER", "unix:/nonexistent/native")
    assert rec.input_devices(rescan=True) == []
    monkeypatch.setenv("PULSE_SERVER", server.env["PULSE_SERVER"])
    vault = volunteer_vault
    _visit(vault)
    from tests.capture.recording_helpers import new_testimony

    _, testimony_id = new_testimony(vault)
    recorder = rec.Recorder(vault, testimony_id)
    for make in (tone, _quiet):
        recorder.start(rec.SyntheticSource(make, realtime=False, limit_frames=48_000))
        qtbot.waitUntil(lambda: recorder.frames_committed >= 48_000 - 4096, timeout=10000)
        recorder.stop()
    parts = rec.timeline(load_testimony(vault, testimony_id))
    assert [p.offset for p in parts] == [0.0, pytest.approx(1.0)]
    player = Player(vault, parts)
    player.seek(0.6)
    player.play()
    qtbot.waitUntil(lambda: player.part_index == 1, timeout=5000)
    qtbot.waitUntil(lambda: not player.playing, timeout=5000)
    assert player.error is None
    assert player.position == pytest.approx(2.0)


def test_no_microphone_then_one_appears(app, qtbot, volunteer_vault, tmp_path, monkeypatch):
    """Honestly without a microphone: no PulseAudio server reachable, so real PortAudio (ALSA's
    pulse and default devices) lists no input at all, as on a laptop with none. Then a
    PulseAudio server with a source starts (the microphone plugged in): the screen's own
    periodic look finds it and Record comes back; stopped again, Look again shows the state
    again."""
    from tests.capture.pulse import PulseServer, available

    if reason := available():
        pytest.skip(reason)
    for key in ("PULSE_SERVER", "PULSE_RUNTIME_PATH", "XDG_RUNTIME_DIR", "HOME"):
        monkeypatch.setenv(key, str(tmp_path / "nowhere"))
    assert rec.input_devices(rescan=True) == []
    vault = volunteer_vault
    screen = RecorderScreen(vault, _visit(vault))
    qtbot.addWidget(screen)
    screen.resize(760, 900)
    screen.show()
    assert screen.no_microphone.isVisible()
    assert "microphone" in screen.no_microphone.text().lower() \
        or "micro" in screen.no_microphone.text().lower()
    assert not screen.record_button.isEnabled() and screen.rescan_button.isEnabled()
    screen.start_recording()  # a click that slipped through changes nothing
    assert screen.recorder is None
    SHOTS.mkdir(exist_ok=True)
    screen.grab().save(str(SHOTS / "recorder-no-microphone.png"))

    server = PulseServer(tmp_path / "pulse").start()
    try:
        for key in ("HOME", "PULSE_RUNTIME_PATH", "XDG_RUNTIME_DIR", "PULSE_SERVER"):
            monkeypatch.setenv(key, server.env[key])
        qtbot.waitUntil(lambda: screen.devices.count() > 0, timeout=3 * 3000 + 5000)
        assert not screen.no_microphone.isVisible() and screen.record_button.isEnabled()
        assert screen.devices.currentData()
        screen.grab().save(str(SHOTS / "recorder-microphone-found.png"))
    finally:
        server.stop()
    qtbot.mouseClick(screen.rescan_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.devices.count() == 0, timeout=5000)
    assert screen.no_microphone.isVisible() and not screen.record_button.isEnabled()
