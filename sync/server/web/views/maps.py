"""The map's own parts: the command's map layers (a page to add, list and remove them; their
tiles; the list the map draws) and the leads as the map draws them (a compact list, not the
GeoJSON export: 10,000 leads in well under a second).

An upload is bounded twice: ``limited`` refuses a body over the cap before a byte of it is
parsed (the guard parses the form to check its CSRF token), and the file is copied out of the
form with the same cap; sync/server/map_layers.py then checks it before GDAL opens it fully."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from sync.server import index as ix
from sync.server import leads as ld
from sync.server import map_layers as ml
from sync.server.actors import READS, require
from sync.server.web.app import Workbench

CHUNK = 1 << 20
LABEL = 80  # characters of a lead's martyr or description the map's popup shows
PLACED = (ld.PROPOSED, ld.ACCEPTED, ld.CORRECTED)  # proposals that place a lead (leads.positions)


# --- the bound on an upload's body ---------------------------------------------------------------

class _TooLarge(Exception):
    pass


def limited(route: Route, limit: Callable[[Request], int]) -> Route:
    """``route`` with its request body bounded: a declared length over ``limit`` is refused
    before anything is read, and a body that runs past it is cut off. The check happens when
    the body is first read, so who is asking is known (and refused) first."""
    guarded = route.endpoint

    async def endpoint(request: Request) -> Response:
        receive, seen = request._receive, 0
        cap = limit(request)

        async def counted() -> Any:
            nonlocal seen
            declared = request.headers.get("content-length")
            if declared is None or not declared.isdigit() or int(declared) > cap:
                raise _TooLarge
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > cap:
                raise _TooLarge
            return message

        request._receive = counted
        try:
            return await guarded(request)
        except _TooLarge:
            wb: Workbench = request.app.state.workbench
            response = wb.refuse(request, 413, "too_large")
            response.headers["connection"] = "close"
            return response

    endpoint.rule = guarded.rule  # type: ignore[attr-defined]  # read by the route-table test
    return Route(route.path, endpoint, methods=sorted(route.methods or ()))


def upload_limit(request: Request) -> int:
    wb: Workbench = request.app.state.workbench
    return wb.config.map_limits.max_bytes + 64 * 1024  # the form's other fields and framing


# --- layers --------------------------------------------------------------------------------------

def _page(request: Request, wb: Workbench, status: int = 200, error: str | None = None,
          detail: str = "") -> Response:
    with wb.store.begin() as conn:
        found = ml.layers(conn, request.state.actor)
    return wb.render(request, "map_layers.html", status=status, layers=found, error=error,
                     detail=detail, max_mb=wb.config.map_limits.max_bytes // (1 << 20))


def layers_page(request: Request, wb: Workbench) -> Response:
    return _page(request, wb)


def _receive_file(upload: UploadFile, target: Path, cap: int) -> str:
    """Copy the uploaded file out of the form (a spooled temporary file), at most ``cap``
    bytes; its SHA-256."""
    digest, size = hashlib.sha256(), 0
    upload.file.seek(0)
    with target.open("wb") as out:
        while chunk := upload.file.read(CHUNK):
            size += len(chunk)
            if size > cap:
                raise ml.LayerError("too_large", f"at most {cap:,} bytes")
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _add(request: Request, wb: Workbench, upload: UploadFile, name: str) -> Response:
    """Receive, check, tile and record one layer (in a worker thread: it takes a while)."""
    actor, limits = request.state.actor, wb.config.map_limits
    _layer_id, work = ml.new_work_folder(wb.data)
    try:
        # Named by what its first bytes say, never by the uploaded name.
        received = work / "upload"
        sha256 = _receive_file(upload, received, limits.max_bytes)
        with received.open("rb") as f:
            kind = ml.kind_of(f.read(16))
        source = received.rename(work / ("source.tif" if kind == "geotiff" else "source.mbtiles"))
        built = ml.build(actor, source, sha256, limits)
        with wb.store.begin() as conn:
            ml.record(conn, actor, wb.data, built, name, str(upload.filename), wb.now())
    except ml.LayerError as error:
        ml.discard(work)
        return _page(request, wb, 400, error.code, error.detail)
    except BaseException:
        ml.discard(work)
        raise
    return RedirectResponse("/map/layers", status_code=303)


async def layer_add(request: Request, wb: Workbench) -> Response:
    require(request.state.actor, ml.STAFF, "add a map layer")
    form = await request.form()  # already parsed (and bounded) when the guard checked CSRF
    upload, name = form.get("file"), str(form.get("name", ""))
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await run_in_threadpool(_page, request, wb, 400, "no_file")
    if not " ".join(name.split()):
        return await run_in_threadpool(_page, request, wb, 400, "no_name")
    return await run_in_threadpool(_add, request, wb, upload, name)


def layer_remove(request: Request, wb: Workbench) -> Response:
    try:
        with wb.store.begin() as conn:
            ml.remove(conn, request.state.actor, wb.data, request.path_params["layer_id"][:64],
                      wb.now())
    except ml.LayerNotFound:
        return wb.refuse(request, 404, "not_found")
    return RedirectResponse("/map/layers", status_code=303)


def layers_json(request: Request, wb: Workbench) -> Response:
    """What the map draws: each layer's id, name, bounds and zooms (oldest first)."""
    with wb.store.begin() as conn:
        found = ml.layers(conn, request.state.actor)
    return JSONResponse({"layers": [
        {"id": r["id"], "name": r["name"], "bounds": r["bounds"], "min_zoom": r["min_zoom"],
         "max_zoom": r["max_zoom"], "url": f"/map/layers/{r['id']}/{{z}}/{{x}}/{{y}}.png"}
        for r in found]})


def layer_tile(request: Request, wb: Workbench) -> Response:
    params = request.path_params
    try:
        z, x, y = (int(params[k]) for k in ("z", "x", "y"))
    except ValueError:
        return Response(status_code=404)
    try:
        with wb.store.begin() as conn:
            found = ml.tile(conn, request.state.actor, wb.data, params["layer_id"][:64], z, x, y)
    except ml.LayerNotFound:
        return Response(status_code=404)
    if found is None:  # outside the sheet: nothing to draw, and the browser may remember that
        return Response(status_code=204, headers={"cache-control": "private, max-age=86400"})
    body, media_type = found
    # A layer's tiles never change (a new sheet is a new layer), but only staff may see them:
    # kept by this browser, never by a shared cache.
    return Response(body, media_type=media_type,
                    headers={"cache-control": "private, max-age=604800, immutable"})


# --- the leads, as the map draws them ------------------------------------------------------------

def lead_points(conn: Any, actor: Any, state: str | None) -> dict[str, Any]:
    """Every lead that points somewhere, as ``leads.positions`` says where (its coordinate when
    a person set one, else its most plausible proposed reading; no merged duplicate), in a
    compact form: ``[id, lat, lon, state number, radius m, 1 if proposed, label]``. Two queries
    filtered by state in the database, not the positions of every lead (a test holds the two
    to the same answer)."""
    require(actor, READS, "see the leads")
    if state is not None and state not in ld.STATES:
        raise ld.LeadError("bad_state", f"no state {state!r}")
    s, lead, m, p = ld.lead_states, ix.index_leads, ix.index_martyrs, ld.lead_proposals
    where = [s.c.state != ld.DUPLICATE] + ([s.c.state == state] if state else [])
    rows = conn.execute(select(s.c.lead_id, s.c.state, s.c.latitude, s.c.longitude,
                               s.c.uncertainty_m, lead.c.description, m.c.full_name)
                        .join(lead, lead.c.id == s.c.lead_id)
                        .outerjoin(m, m.c.id == lead.c.martyr_id).where(*where)).all()
    proposed: dict[str, tuple[float, float, float]] = {}
    for r in conn.execute(select(p.c.lead_id, p.c.latitude, p.c.longitude, p.c.uncertainty_m)
                          .join(s, s.c.lead_id == p.c.lead_id)
                          .where(*where, p.c.rank == 1, p.c.status.in_(PLACED))
                          .order_by(p.c.uncertainty_m.desc(), p.c.id.desc())):
        proposed[r.lead_id] = (r.latitude, r.longitude, r.uncertainty_m)  # smallest last
    number = {name: n for n, name in enumerate(ld.STATES)}
    points = []
    for r in rows:
        own = None not in (r.latitude, r.longitude, r.uncertainty_m)
        point = (r.latitude, r.longitude, r.uncertainty_m) if own else proposed.get(r.lead_id)
        if point is None:
            continue
        points.append([r.lead_id, round(point[0], 6), round(point[1], 6), number[r.state],
                       round(point[2]), 0 if own else 1,
                       (r.full_name or r.description or "")[:LABEL]])
    return {"states": list(ld.STATES), "leads": points}


def leads_json(request: Request, wb: Workbench) -> Response:
    state = request.query_params.get("state") or None
    try:
        with wb.store.begin() as conn:
            found = lead_points(conn, request.state.actor, state)
    except ld.LeadError:
        return wb.refuse(request, 400, "bad_filter")
    return JSONResponse(found)

