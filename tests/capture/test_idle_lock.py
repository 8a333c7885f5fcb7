"""The idle lock waits for work that must not be cut short: an import, a recording. A witness
may speak for an hour while nobody touches the laptop."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from capture import importer
from capture import recorder as rec
from capture.vault import Vault
from tests.capture import mediafiles as mf
from tests.capture.recording_helpers import new_testimony, tone
from tests.capture.test_import import new_item
from tests.conftest import VOLUNTEER_PASS


def _with_clock(volunteer):  # type: ignore[no-untyped-def]
    """The same volunteer signed in again on a clock the test moves (auto-lock: 10 minutes)."""
    path = volunteer.path
    volunteer.lock()
    now = [datetime.now(UTC)]
    return Vault(path, clock=lambda: now[0]).unlock("lan", VOLUNTEER_PASS), now


def test_held_open_defers_the_idle_lock_which_counts_from_the_end_of_the_work(volunteer):
    vault, now = _with_clock(volunteer)
    try:
        with vault.held_open():
            now[0] += timedelta(minutes=45)
            assert not vault.lock_if_idle()
            with vault.held_open():  # two at once: both must end
                pass
            assert not vault.lock_if_idle()
        now[0] += timedelta(minutes=9)
        assert not vault.lock_if_idle()
        now[0] += timedelta(minutes=1, seconds=1)
        assert vault.lock_if_idle() and vault.is_locked
    finally:
        vault.lock()


def test_a_long_import_is_not_cut_by_the_idle_lock(volunteer, tmp_path):
    vault, now = _with_clock(volunteer)
    try:
        _, item = new_item(vault)
        files = [mf.save_jpeg(tmp_path / f"IMG_{n}.JPG", mf.photo(seed=n)) for n in range(3)]
        asked = []

        def progress(_done, _total, _outcome):  # type: ignore[no-untyped-def]
            now[0] += timedelta(minutes=11)  # a slow card: 11 minutes a file
            asked.append(vault.lock_if_idle())

        report = importer.import_files(vault, item, files, progress=progress)
        assert report.imported == 3 and asked == [False, False, False]
        assert not vault.lock_if_idle()  # the idle time starts when the import ends
        now[0] += timedelta(minutes=10, seconds=1)
        assert vault.lock_if_idle()
    finally:
        vault.lock()


def test_a_recording_holds_the_idle_lock_off_until_its_part_ends(volunteer):
    vault, now = _with_clock(volunteer)
    try:
        _, testimony_id = new_testimony(vault)
        recorder = rec.Recorder(vault, testimony_id)
        recorder.start(rec.SyntheticSource(tone, realtime=True))
        deadline = time.monotonic() + 10
        while recorder.frames_committed == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        now[0] += timedelta(hours=1)
        assert not vault.lock_if_idle()
        assert recorder.state == rec.State.RECORDING
        recorder.stop()
        assert not vault.lock_if_idle()
        now[0] += timedelta(minutes=10, seconds=1)
        assert vault.lock_if_idle()
    finally:
        vault.lock()
