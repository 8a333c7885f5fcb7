"""Who looked at whose record, when: the command's access log, hash-chained like the station's
audit log. Each row carries the hash of the row before it; changing, removing or reordering a
row breaks the chain from there on, and ``verify`` says where.

Rows are appended in one order on every backend: the writer first updates the single
``access_log_head`` row, which takes the write lock (SQLite) or that row's lock (PostgreSQL), so
two views at the same moment cannot both chain onto the same predecessor.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)

from sync.server.actors import Actor, permit
from sync.server.store import metadata

GENESIS = "0" * 64

access_log = Table(
    "access_log", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("username", String(64), nullable=False, index=True),
    Column("role", String(16), nullable=False),
    Column("action", String(32), nullable=False),  # view-visit, view-person, play, download…
    Column("subject_kind", String(16), nullable=False),
    Column("subject_id", String(64), nullable=False, index=True),
    Column("detail", Text, nullable=False),
    Column("prev_sha256", String(64), nullable=False),
    Column("sha256", String(64), nullable=False),
)

access_log_head = Table(
    "access_log_head", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
)


@dataclass(frozen=True)
class Entry:
    seq: int
    at: datetime
    username: str
    role: str
    action: str
    subject_kind: str
    subject_id: str
    detail: str
    sha256: str


def _digest(prev: str, seq: int, at: datetime, username: str, role: str, action: str,
            kind: str, subject: str, detail: str) -> str:
    body = json.dumps([prev, seq, at.astimezone(UTC).isoformat(timespec="microseconds"),
                       username, role, action, kind, subject, detail],
                      ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def record(conn: Connection, actor: Actor, action: str, subject_kind: str, subject_id: str,
           now: datetime, detail: str = "") -> int:
    """Append one row; its sequence number. Call it in the transaction that reads what was
    viewed, so a view that fails to be logged is not shown."""
    return record_many(conn, actor, [(action, subject_kind, subject_id, detail)], now)


def record_many(conn: Connection, actor: Actor, views: list[tuple[str, str, str, str]],
                now: datetime) -> int:
    """Append one row per (action, subject kind, subject id, detail), in order, under one
    lock of the head (a visit page logs the visit and each person on it); the last row's
    sequence number."""
    now = _utc(now)
    locked = conn.execute(update(access_log_head).where(access_log_head.c.id == 1)
                          .values(seq=access_log_head.c.seq))
    if locked.rowcount == 0:  # a database made without the migration (create_all)
        conn.execute(insert(access_log_head).values(id=1, seq=0, sha256=GENESIS))
    head = conn.execute(select(access_log_head).where(access_log_head.c.id == 1)).one()
    seq, prev, rows = head.seq, head.sha256, []
    for action, kind, subject, detail in views:
        seq += 1
        digest = _digest(prev, seq, now, actor.username, actor.role, action, kind, subject,
                         detail)
        rows.append({"seq": seq, "at": now, "username": actor.username, "role": actor.role,
                     "action": action, "subject_kind": kind, "subject_id": subject,
                     "detail": detail, "prev_sha256": prev, "sha256": digest})
        prev = digest
    if rows:
        conn.execute(insert(access_log), rows)
        conn.execute(update(access_log_head).where(access_log_head.c.id == 1)
                     .values(seq=seq, sha256=prev))
    return seq


def verify(conn: Connection) -> int | None:
    """None if the chain is whole (every row hashes to what it says, links to the row before,
    and the head names the last row); else the sequence number of the first row that does not
    (or 0 when the head no longer matches the rows: the newest rows were cut off)."""
    prev, expected_seq = GENESIS, 1
    for row in conn.execute(select(access_log).order_by(access_log.c.seq)):
        if row.seq != expected_seq or row.prev_sha256 != prev:
            return row.seq
        digest = _digest(prev, row.seq, _utc(row.at), row.username, row.role, row.action,
                         row.subject_kind, row.subject_id, row.detail)
        if digest != row.sha256:
            return row.seq
        prev, expected_seq = digest, expected_seq + 1
    head = conn.execute(select(access_log_head).where(access_log_head.c.id == 1)).first()
    if (head is None and expected_seq != 1) or (
            head is not None and (head.seq != expected_seq - 1 or head.sha256 != prev)):
        return 0
    return None


def entries(conn: Connection, actor: Actor, page: int = 1, per_page: int = 50,
            username: str | None = None, subject_id: str | None = None,
            ) -> tuple[list[Entry], int]:
    """One page of the log, newest first, and the number of rows matching (admins only)."""
    permit(actor, "view-access-log")
    query = select(access_log)
    count = select(func.count()).select_from(access_log)
    if username:
        query = query.where(access_log.c.username == username)
        count = count.where(access_log.c.username == username)
    if subject_id:
        query = query.where(access_log.c.subject_id == subject_id)
        count = count.where(access_log.c.subject_id == subject_id)
    page = max(1, page)
    rows = conn.execute(query.order_by(access_log.c.seq.desc())
                        .limit(per_page).offset((page - 1) * per_page))
    found = [Entry(r.seq, _utc(r.at), r.username, r.role, r.action, r.subject_kind,
                   r.subject_id, r.detail, r.sha256) for r in rows]
    return found, conn.execute(count).scalar_one()
