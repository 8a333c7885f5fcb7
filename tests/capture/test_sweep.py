"""Objects nothing uses are counted by the check and removed by the sweep; nothing a record
uses, nothing being imported, is ever removed, even under concurrent imports or a kill."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from capture import sweep, visits
from capture.check import check_vault
from capture.importer import IMPORTED, import_files
from capture.models import AuditEvent, ObjectRow, Page
from capture.vault import Vault
from tests.capture import mediafiles as mf
from tests.conftest import ADMIN_PASSPHRASE

NOW = timedelta(0)
CHILD = Path(__file__).with_name("sweep_child.py")


def new_item(vault, title="Nhật ký"):
    visit_id = visits.create_visit(vault, visits.Household(1, 4, contact_name="Bà Lan"))
    return visits.add(vault, visit_id, visits.ItemData(visits.ItemKind.DIARY, title=title))


def photos(folder: Path, count: int, first: int = 0) -> list[Path]:
    folder.mkdir(exist_ok=True)
    return [mf.save_jpeg(folder / f"p{i}.jpg", mf.photo(160, 120, seed=i))
            for i in range(first, first + count)]


def pages(vault) -> list[Page]:
    with vault.reading() as session:
        return list(session.scalars(select(Page)))


def assert_every_page_reads_back(vault, originals: dict[str, bytes] | None = None) -> None:
    for page in pages(vault):
        for name in filter(None, (page.object_name, page.thumbnail_object, page.preview_object)):
            vault.objects.verify(name)  # ObjectMissing / ObjectDamaged if the sweep took it
        if originals is not None:
            assert vault.objects.read_bytes(page.object_name) == originals[
                page.original_filename]


def as_admin(path: Path):
    return Vault(path).unlock("admin", ADMIN_PASSPHRASE)


def test_a_removed_page_is_counted_by_the_check_and_swept_and_audited(volunteer, tmp_path):
    files = photos(tmp_path / "in", 3)
    item, other = new_item(volunteer), new_item(volunteer, "Thư")
    report = import_files(volunteer, item, files)
    assert [o.status for o in report.outcomes] == [IMPORTED] * 3
    shared, = import_files(volunteer, other, files[:1]).outcomes  # one photo in two items
    gone, kept_elsewhere = report.outcomes[2], report.outcomes[0]
    with volunteer.reading() as session:
        gone_page = session.get(Page, gone.page_id)
        gone_names = {gone_page.object_name, gone_page.thumbnail_object}
        gone_bytes = sum(session.get(ObjectRow, n).size for n in gone_names)
    visits.remove_page(volunteer, gone.page_id)
    visits.remove_page(volunteer, kept_elsewhere.page_id)
    assert sweep.unreferenced(volunteer) == sweep.Unreferenced(2, gone_bytes)
    # Written a moment ago: still in flight for the default grace, so nothing goes yet.
    assert sweep.sweep(volunteer).removed == 0
    assert all(volunteer.objects.path_of(n).exists() for n in gone_names)
    path = volunteer.path
    volunteer.lock()
    admin = as_admin(path)
    try:
        found = check_vault(admin)
        assert found.ok
        assert (found.unreferenced_objects, found.unreferenced_bytes) == (2, gone_bytes)
        done = sweep.sweep(admin, grace=NOW)
        assert (done.removed, done.bytes) == (2, gone_bytes)
        assert not any(admin.objects.path_of(n).exists() for n in gone_names)
        with admin.reading() as session:
            assert not any(session.get(ObjectRow, n) for n in gone_names)
            swept = set(session.scalars(select(AuditEvent.entity_id)
                                        .where(AuditEvent.action == "sweep")))
        assert swept == gone_names
        after = check_vault(admin)
        assert after.ok and after.unreferenced_objects == 0
        assert shared.status == IMPORTED
        assert len(pages(admin)) == 2
        assert_every_page_reads_back(admin)  # the photo shown in the other item is still there
    finally:
        admin.lock()


@pytest.mark.slow
def test_the_sweep_never_takes_an_object_while_imports_of_the_same_photos_run(
        volunteer, tmp_path):
    admin = volunteer  # imports and sweeps in one app, as the station runs them
    files = photos(tmp_path / "in", 12)
    originals = {f.name: f.read_bytes() for f in files}
    first = new_item(admin)
    for outcome in import_files(admin, first, files).outcomes:
        visits.remove_page(admin, outcome.page_id)  # all unreferenced now: sweep candidates
    targets = [new_item(admin, f"Bản {i}") for i in range(3)]
    errors: list[BaseException] = []

    def importing(item_id: str, order: list[Path]) -> None:
        try:
            for path in order:  # one file per import: each begins and ends its own hold
                outcome, = import_files(admin, item_id, [path]).outcomes
                assert outcome.status == IMPORTED, outcome.error
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=importing, args=(t, files[4 * i:] + files[:4 * i]))
               for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    sweeps = 0
    removed = 0
    while any(t.is_alive() for t in threads) or sweeps < 3:
        removed += sweep.sweep(admin, grace=NOW).removed
        sweeps += 1
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(pages(admin)) == 3 * len(files)
    assert_every_page_reads_back(admin, originals)
    assert removed > 0  # the sweep did run against the imports, not after them
    path = admin.path
    admin.lock()
    checker = as_admin(path)
    try:
        report = check_vault(checker)
        assert report.ok, report.problems
    finally:
        checker.lock()


def _run_child(vault_path: Path, kill_after: int) -> subprocess.CompletedProcess[str]:
    child = subprocess.Popen([sys.executable, str(CHILD), str(vault_path)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(ADMIN_PASSPHRASE + "\n")
    child.stdin.flush()
    seen = 0
    for line in child.stdout:
        if line.startswith("removed"):
            seen += 1
            if seen == kill_after:
                child.kill()
                break
    child.wait(timeout=60)
    return child


def test_a_sweep_killed_in_the_middle_leaves_a_vault_that_passes_the_check(
        volunteer, tmp_path):
    admin = volunteer
    item = new_item(admin)
    keep = new_item(admin, "Giữ")
    for outcome in import_files(admin, item, photos(tmp_path / "in", 20)).outcomes:
        visits.remove_page(admin, outcome.page_id)
    import_files(admin, keep, photos(tmp_path / "keep", 3, first=100))
    path = admin.path
    admin.lock()
    child = _run_child(path, kill_after=7)
    assert child.returncode == -9  # killed between removing files
    again = as_admin(path)  # unlocking removes the files the kill left without a row
    try:
        report = check_vault(again)
        assert report.ok, report.problems
        assert report.unreferenced_objects == 0  # the rows went in one transaction
        assert len(pages(again)) == 3
        assert_every_page_reads_back(again)
        assert set(again.objects.names_on_disk()) == {
            n for p in pages(again) for n in (p.object_name, p.thumbnail_object) if n}
    finally:
        again.lock()


def test_what_a_long_recording_wrote_stays_in_flight_until_it_ends(tmp_path):
    from capture.objects import ObjectStore

    now = [1000.0]
    store = ObjectStore(tmp_path / "objects", b"p" * 32, b"n" * 32, clock=lambda: now[0])
    before = store.put_bytes(b"written before the recording").name
    now[0] += 5
    with store.hold():
        now[0] += 10
        during = store.put_bytes(b"a segment of the recording").name
        now[0] += 7200  # two hours later, the witness still speaking
        assert store.in_flight(grace_seconds=60) == {during}
        assert not store.remove_unless_in_flight(during, 60)
        assert store.path_of(during).exists()
    assert store.in_flight(grace_seconds=60) == set()  # the hold ended: only the grace counts
    assert store.remove_unless_in_flight(during, 60)
    assert not store.path_of(during).exists()
    assert store.remove_unless_in_flight(before, 60)
    again = store.put_bytes(b"written before the recording")  # the same content, found gone
    assert not again.duplicate and store.path_of(before).exists()
    assert store.in_flight(grace_seconds=60) == {before}
