"""What the command has: its stations and the batches received, as the workbench's admin pages
show them. Role checked here, not only by the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, func, select

from capture import places
from sync.server.actors import Actor, permit
from sync.server.store import batches, stations


@dataclass(frozen=True)
class StationRow:
    id: str
    name: str
    province: str
    ward: str
    enrolled_at: datetime
    active: bool
    batches: int
    last_batch_at: datetime | None


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _place(lookup, code: int) -> str:  # type: ignore[no-untyped-def]
    try:
        return lookup(code)
    except (KeyError, ValueError, LookupError):
        return str(code)


def station_rows(conn: Connection, actor: Actor) -> list[StationRow]:
    permit(actor, "view-stations")
    last = (select(batches.c.station_id, func.count().label("n"),
                   func.max(batches.c.received_at).label("last"))
            .group_by(batches.c.station_id).subquery())
    rows = conn.execute(select(stations, last.c.n, last.c.last)
                        .outerjoin(last, last.c.station_id == stations.c.id)
                        .order_by(stations.c.active.desc(), stations.c.name))
    return [StationRow(r.id, r.name, _place(places.province_name, r.province_code),
                       _place(places.ward_name, r.ward_code), _utc(r.enrolled_at), r.active,
                       r.n or 0, _utc(r.last)) for r in rows]


def batch_rows(conn: Connection, actor: Actor, page: int = 1, per_page: int = 50,
               ) -> tuple[list[dict], int]:  # type: ignore[type-arg]
    """One page of the batches received, newest first, with the station's name."""
    permit(actor, "view-batches")
    page = max(1, page)
    query = (select(batches.c.batch_id, batches.c.station_id, batches.c.received_at,
                    batches.c.payload_files, batches.c.payload_bytes,
                    batches.c.tagmanifest_sha256, stations.c.name.label("station_name"))
             .outerjoin(stations, stations.c.id == batches.c.station_id)
             .order_by(batches.c.received_at.desc())
             .limit(per_page).offset((page - 1) * per_page))
    rows = [dict(r._mapping, received_at=_utc(r.received_at)) for r in conn.execute(query)]
    total = conn.execute(select(func.count()).select_from(batches)).scalar_one()
    return rows, total
