"""The admin's pages: stations, batches received, the access log."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from sync.server import access_log, overview
from sync.server.web.app import Workbench
from sync.server.web.paging import Paging, page_number


def stations_page(request: Request, wb: Workbench) -> Response:
    with wb.store.begin() as conn:
        rows = overview.station_rows(conn, request.state.actor)
    return wb.render(request, "stations.html", stations=rows)


def batches_page(request: Request, wb: Workbench) -> Response:
    page = page_number(request)
    with wb.store.begin() as conn:
        rows, total = overview.batch_rows(conn, request.state.actor, page, wb.config.per_page)
    return wb.render(request, "batches.html", batches=rows,
                     paging=Paging(request, page, wb.config.per_page, total))


def access_log_page(request: Request, wb: Workbench) -> Response:
    page = page_number(request)
    who = request.query_params.get("username") or None
    subject = request.query_params.get("subject") or None
    with wb.store.begin() as conn:
        rows, total = access_log.entries(conn, request.state.actor, page, wb.config.per_page,
                                         username=who, subject_id=subject)
        broken = access_log.verify(conn)
    return wb.render(request, "access_log.html", entries=rows, broken=broken,
                     username=who or "", subject=subject or "",
                     paging=Paging(request, page, wb.config.per_page, total))
