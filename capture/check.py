"""``sohoa vault check``: verify every database page, every object's tags and the audit chain,
and name what is damaged, so the rest can be trusted and used."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import DatabaseError

from capture import audit, sweep
from capture.errors import ObjectDamaged, ObjectMissing
from capture.keyslots import FILE_NAMES, KeySlots
from capture.models import ObjectRow
from capture.roles import Action
from capture.vault import UnlockedVault

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Problem:
    area: str  # "keys" | "database" | "audit" | "object"
    subject: str  # what is affected, in words a coordinator can act on
    detail: str


@dataclass
class CheckReport:
    problems: list[Problem] = field(default_factory=list)
    pages_checked: int = 0
    tables_checked: int = 0
    audit_events: int = 0
    objects_checked: int = 0
    bytes_checked: int = 0
    # Stored, sound, but used by no record (removed pages, replaced stand-ins, old previews):
    # not a problem; ``sohoa vault check --sweep`` removes them (capture/sweep.py).
    unreferenced_objects: int = 0
    unreferenced_bytes: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> str:
        return json.dumps(
            {"ok": self.ok, "pages_checked": self.pages_checked,
             "tables_checked": self.tables_checked, "audit_events": self.audit_events,
             "objects_checked": self.objects_checked, "bytes_checked": self.bytes_checked,
             "unreferenced_objects": self.unreferenced_objects,
             "unreferenced_bytes": self.unreferenced_bytes,
             "problems": [p.__dict__ for p in self.problems]},
            ensure_ascii=False, indent=1)


_PAGE = re.compile(r"page (\d+)")


def check_vault(vault: UnlockedVault, progress: Progress | None = None) -> CheckReport:
    vault.require(Action.CHECK_VAULT)
    report = CheckReport()
    _check_key_files(vault, report)
    _check_database(vault, report)
    _check_audit(vault, report)
    _check_objects(vault, report, progress)
    try:
        found = sweep.unreferenced(vault)
    except DatabaseError:
        pass  # the table that cannot be read is already named above
    else:
        report.unreferenced_objects, report.unreferenced_bytes = found.count, found.bytes
    return report


def _check_key_files(vault: UnlockedVault, report: CheckReport) -> None:
    generations = {}
    for name in FILE_NAMES:
        try:
            generations[name] = KeySlots._parse((vault.path / name).read_bytes()).generation
        except (OSError, ValueError, KeyError, TypeError):
            report.problems.append(Problem("keys", name, "unreadable; the other copy is in use "
                                           "and the next passphrase change rewrites it"))
    if len(set(generations.values())) > 1:
        report.problems.append(Problem("keys", "keyslots", "the two copies differ; the newer "
                                       "one is in use"))


def _check_database(vault: UnlockedVault, report: CheckReport) -> None:
    conn = vault.fresh_connection()
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        report.pages_checked = conn.execute("PRAGMA page_count").fetchone()[0]
        bad_pages = set()
        for (line,) in conn.execute("PRAGMA cipher_integrity_check").fetchall():
            match = _PAGE.search(line)
            if match:
                bad_pages.add(int(match.group(1)))
            report.problems.append(Problem("database", f"page {match.group(1)}" if match
                                           else "database file", line))
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").fetchall()]
    finally:
        conn.close()
    affected = 0
    for table in tables:
        report.tables_checked += 1
        failure = _read_table(vault, table)
        if failure:
            affected += 1
            report.problems.append(Problem("database", f"table {table}", failure))
    if bad_pages and not affected:
        report.problems.append(Problem("database", "records", "no table or index uses the "
                                       "damaged pages: no record is lost"))
    if not bad_pages:
        conn = vault.fresh_connection()
        try:
            lines = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        except Exception as error:
            lines = [str(error)]
        finally:
            conn.close()
        if lines != ["ok"]:
            report.problems.extend(Problem("database", "structure", line) for line in lines)


def _read_table(vault: UnlockedVault, table: str) -> str | None:
    """Read every row, then let SQLite walk the table's indexes; None if all of it is sound."""
    conn = vault.fresh_connection()
    try:
        rows = conn.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from the schema
        while rows.fetchmany(1000):
            pass
        lines = [r[0] for r in conn.execute(f'PRAGMA integrity_check("{table}")').fetchall()]
        if lines != ["ok"]:
            return "its indexes are damaged: " + "; ".join(lines[:3])
    except Exception as error:  # sqlcipher3.DatabaseError and friends
        return f"cannot be read in full: {error}"
    finally:
        conn.close()
    return None


def _check_audit(vault: UnlockedVault, report: CheckReport) -> None:
    try:
        with vault.reading() as session:
            report.audit_events, breaks = audit.verify_chain(session)
    except DatabaseError as error:
        report.problems.append(Problem("audit", "audit log", f"cannot be read: {error.orig}"))
        return
    report.problems.extend(Problem("audit", f"event {b.seq}", b.reason) for b in breaks)


def _check_objects(vault: UnlockedVault, report: CheckReport, progress: Progress | None) -> None:
    try:
        with vault.reading() as session:
            everything = list(session.scalars(select(ObjectRow).order_by(ObjectRow.name)))
        # Delivered and removed from this laptop on purpose (capture/retention.py): no file.
        released = {r.name for r in everything if r.released_at is not None}
        rows = [(r.name, r.size, r.label, r.media_type)
                for r in everything if r.released_at is None]
    except DatabaseError as error:
        report.problems.append(Problem("object", "list of stored files",
                                       f"cannot be read: {error.orig}"))
        return
    known = set(released)
    for index, (name, size, label, media_type) in enumerate(rows):
        known.add(name)
        subject = f"{label or media_type} ({name[:12]}…)"
        if progress:
            progress(subject, index, len(rows))
        try:
            checked = vault.objects.verify(name)
        except ObjectMissing:
            report.problems.append(Problem("object", subject, "the file is missing"))
            continue
        except ObjectDamaged as damage:
            chunk = damage.details.get("chunk")
            where = f" at MiB {chunk}" if chunk is not None else ""
            report.problems.append(Problem("object", subject,
                                           f"{damage.details.get('reason')}{where}"))
            continue
        report.objects_checked += 1
        report.bytes_checked += checked
        if checked != size:
            report.problems.append(Problem("object", subject,
                                           f"holds {checked} bytes, the record says {size}"))
    for name in vault.objects.names_on_disk():
        if name not in known:
            report.problems.append(Problem("object", f"{name[:12]}…",
                                           "on disk but in no record (removed at next unlock)"))
