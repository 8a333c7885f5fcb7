"""The recorder screen driven like a volunteer would: record (a synthetic source through the
real recorder and vault), press M and type a marker, stop, see the waveform, jump to the marker.
Also a screenshot to look at (screenshots/recorder.png)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from capture import accounts, visits
from capture import recorder as rec
from capture.roles import Role
from capture.testimony import load_testimony
from capture.vault import NewUser, Vault
from tests.capture.recording_helpers import tone
from ui import settings as app_settings
from ui.recorder import RecorderScreen

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
        tone, name="Micro thử"))
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
    qtbot.waitUntil(lambda: recorder.frames_committed >= 3 * 48_000, timeout=10000)
    original = rec.finish_part
    rec.finish_part = lambda *a, **k: (_ for _ in ()).throw(rec.RecorderError())
    try:
        recorder.stop()  # as if the laptop died before the join
    finally:
        rec.finish_part = original
    screen = RecorderScreen(vault, visit_id)
    qtbot.addWidget(screen)
    qtbot.waitUntil(lambda: bool(screen.banner.text()), timeout=5000)
    # in Vietnamese: "Đã khôi phục bản ghi của Ông Lê Văn Bảy đến giây 3."
    assert "Ông Lê Văn Bảy" in screen.banner.text() and "3" in screen.banner.text()
    (part,) = load_testimony(vault, testimony_id).parts
    assert part.end_reason == "recovered" and part.duration == pytest.approx(3.0)
