"""The home page: what arrived lately (by station, commune, date) and what waits."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from sync.server import search
from sync.server.web.app import Workbench


def home(request: Request, wb: Workbench) -> Response:
    with wb.store.begin() as conn:
        arrivals = search.recent_arrivals(conn, request.state.actor, limit=10)
    return wb.render(request, "home.html", arrivals=arrivals)
