"""The JSON API for other tools: /api/v1/, ``Authorization: Bearer TOKEN`` (``sohoa-server
token create``). Errors are JSON: {"error": {"code": "...", "message": "..."}}. A visit read
through the API is logged like a visit opened in a browser."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sync.server import search
from sync.server.web.app import Workbench, api_error
from sync.server.web.views.search import FILTERS
from sync.server.web.views.visits import log_visit


class ApiResponse(JSONResponse):
    """UTF-8 JSON, not escaped, through the domain's own jsonable (times as ISO 8601)."""

    def render(self, content: Any) -> bytes:
        return json.dumps(search.jsonable(content), ensure_ascii=False,
                          separators=(",", ":")).encode()


def _int(request: Request, name: str, default: int) -> int:
    try:
        return int(request.query_params.get(name, default))
    except ValueError:
        raise search.BadFilter(f"{name} must be a whole number") from None


def search_hits(request: Request, wb: Workbench) -> Response:
    q = request.query_params.get("q", "")
    if not q.strip():
        return api_error(400, "missing_query", "give the words to look for as ?q=")
    filters = {k: request.query_params[k] for k in FILTERS if request.query_params.get(k)}
    try:
        with wb.store.begin() as conn:
            found = search.search(conn, request.state.actor, q[:200], filters,
                                  _int(request, "page", 1), _int(request, "per_page", 20))
    except search.BadFilter as error:
        return api_error(400, "bad_filter", str(error))
    return ApiResponse({
        "query": q, "total": found.total, "page": found.page, "per_page": found.per_page,
        "pages": found.pages,
        "hits": [{"kind": h.kind, "id": h.id, "visit_id": h.visit_id, "title": h.title,
                  "snippet": h.snippet, "station_id": h.station_id,
                  "visit_date": h.visit_date} for h in found.items]})


def visits(request: Request, wb: Workbench) -> Response:
    try:
        with wb.store.begin() as conn:
            found = search.list_visits(conn, request.state.actor,
                                       station=request.query_params.get("station") or None,
                                       since=request.query_params.get("since") or None,
                                       page=_int(request, "page", 1),
                                       per_page=_int(request, "per_page", 50))
    except search.BadFilter as error:
        return api_error(400, "bad_filter", str(error))
    return ApiResponse({"total": found.total, "page": found.page, "per_page": found.per_page,
                        "pages": found.pages, "visits": found.items})


def visit(request: Request, wb: Workbench) -> Response:
    with wb.store.begin() as conn:
        try:
            detail = search.visit_detail(conn, request.state.actor,
                                         request.path_params["visit_id"][:64])
        except search.NotFound:
            return api_error(404, "not_found", "no such visit in the index")
        log_visit(conn, wb, request, detail, via="api")
    return ApiResponse(detail)



