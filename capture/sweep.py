"""Objects nothing uses any more (a removed page's photo, a camera thumbnail replaced by its own,
an old preview): found, counted for ``sohoa vault check``, and removed by ``--sweep``.

An object is *used* while any column with a foreign key to ``objects`` names it; the columns are
asked of the schema itself (``pragma_foreign_key_list``), so a table added later is counted
without a change here. ``object_digests`` is the one exception: it caches an object's own hash
and goes with it. Text that merely records a name (the audit log, an outbox batch's contents)
is history, not a use: the batch file already carries its own copy.

Never removed:

- an object written in the last ``grace`` or since the oldest import or recording still running
  began (``ObjectStore.in_flight``): its row, or the row that will use it, may not be committed
  yet (docs/vault.md: the object is written first, its row committed after);
- a file that a write finds in place between the sweep's commit and its removal of the file
  (``ObjectStore.remove_unless_in_flight`` and the writer take the same lock).

Order: the rows (and one audit event per object) are deleted in one transaction, then the files.
Killed in between, the files left have no row, and the next unlock removes them as it removes
any orphan (capture/vault.py); the check never finds a row naming a missing file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, delete, select, text
from sqlalchemy.orm import Session

from capture.models import ObjectRow
from capture.vault import UnlockedVault

# Long enough for any write to reach its commit (a few seconds in practice); imports and
# recordings are covered however long they run, by their hold.
GRACE = timedelta(hours=1)
CACHES = frozenset({"object_digests"})  # rows about an object that go with it
_BATCH = 500

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Unreferenced:
    count: int
    bytes: int


@dataclass(frozen=True)
class SweepReport:
    removed: int
    bytes: int
    kept_in_flight: int  # unreferenced, but written too recently to be sure


def references(session: Session) -> list[tuple[str, str]]:
    """(table, column) of every column that names an object, from the schema."""
    return [(table, column) for table, column in session.execute(text(
        "SELECT m.name, f.\"from\" FROM sqlite_master AS m "
        "JOIN pragma_foreign_key_list(m.name) AS f "
        "WHERE m.type = 'table' AND f.\"table\" = 'objects' ORDER BY m.name, f.\"from\""))
        if table not in CACHES]


def _used(session: Session) -> set[str]:
    used: set[str] = set()
    for table, column in references(session):
        # Whole columns, not a probe per object: linear in the rows. Names from the schema.
        used.update(session.scalars(text(
            f'SELECT DISTINCT "{column}" FROM "{table}" '  # noqa: S608
            f'WHERE "{column}" IS NOT NULL')))
    return used


def _candidates(session: Session) -> list[tuple[str, int]]:
    used = _used(session)
    return [(name, size) for name, size in session.execute(
        select(ObjectRow.name, ObjectRow.size).order_by(ObjectRow.name)) if name not in used]


def unreferenced(vault: UnlockedVault) -> Unreferenced:
    """What a sweep could remove now (objects in flight included: they are few and brief)."""
    with vault.reading() as session:
        found = _candidates(session)
    return Unreferenced(len(found), sum(size for _, size in found))


def sweep(vault: UnlockedVault, grace: timedelta = GRACE,
          progress: Progress | None = None) -> SweepReport:
    """Remove every unreferenced object not in flight; audited, one event per object.
    Housekeeping, like the unlock's removal of orphans: any signed-in user's app may run it
    (it removes nothing a record uses); ``sohoa vault check --sweep`` asks for the check's role."""
    store = vault.objects
    seconds = grace.total_seconds()
    with vault.writing() as session:  # the write lock: no row can start using one meanwhile
        found = _candidates(session)
        in_flight = store.in_flight(seconds)
        going = [(name, size) for name, size in found if name not in in_flight]
        names = [name for name, _ in going]
        for start in range(0, len(names), _BATCH):
            chunk = names[start:start + _BATCH]
            for cache in CACHES:
                session.execute(text(f'DELETE FROM "{cache}" WHERE name IN :names')  # noqa: S608
                                .bindparams(bindparam("names", expanding=True)),
                                {"names": chunk})
            session.execute(delete(ObjectRow).where(ObjectRow.name.in_(chunk)))
        for name, size in going:
            vault.audit(session, "sweep", "object", name, size=size, reason="unreferenced")
    for index, (name, _size) in enumerate(going):
        # A file written again meanwhile stays; the row its writer commits names it again.
        store.remove_unless_in_flight(name, seconds)
        if progress is not None:
            progress(index + 1, len(going))
    return SweepReport(removed=len(going), bytes=sum(size for _, size in going),
                       kept_in_flight=len(found) - len(going))

