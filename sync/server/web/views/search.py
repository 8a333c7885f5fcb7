"""Search across everything the index holds, with filters and paging. Works as a plain GET
form; with htmx the results are swapped in without reloading the page."""

from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from capture import places
from sync.server import search
from sync.server.store import stations
from sync.server.web.app import Workbench
from sync.server.web.paging import Paging, page_number

FILTERS = ("province", "commune", "station", "date_from", "date_to", "kind")


def search_page(request: Request, wb: Workbench) -> Response:
    q = request.query_params.get("q", "")[:200]
    filters = {name: request.query_params.get(name, "")[:64] for name in FILTERS}
    page = page_number(request)
    error, found = None, None
    with wb.store.begin() as conn:
        if q.strip():
            try:
                found = search.search(conn, request.state.actor, q,
                                      {k: v for k, v in filters.items() if v}, page,
                                      wb.config.per_page)
            except search.BadFilter:
                error = "search.bad_filter"
        station_names = [(r.id, r.name) for r in conn.execute(
            select(stations.c.id, stations.c.name).order_by(stations.c.name))]
    wards: tuple[places.Place, ...] = ()
    if filters["province"].isdigit():
        try:
            wards = places.wards(int(filters["province"]))
        except (KeyError, ValueError, LookupError):
            wards = ()
    template = "search_results.html" if request.headers.get("hx-request") else "search.html"
    return wb.render(request, template, status=400 if error else 200, q=q, filters=filters,
                     found=found, error=error, kinds=search.KINDS, stations=station_names,
                     provinces=places.provinces(), wards=wards,
                     paging=Paging(request, page, wb.config.per_page,
                                   found.total if found else 0))
