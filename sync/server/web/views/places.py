"""The register of places the command curates (sync/server/places.py): everyone signed in
reads it (the lead pages name its entries); admins add, change, delete and import a CSV. Every
change is a POST (CSRF-checked by the guard); the domain functions check the role again."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sync.server import places as pl
from sync.server.web.app import Workbench

FIELDS = ("name", "aliases", "kind", "latitude", "longitude", "uncertainty_m", "province",
          "source", "note")


def _page(request: Request, wb: Workbench, error: str | None = None, status: int = 200,
          form: dict[str, Any] | None = None, result: dict[str, int] | None = None) -> Response:
    q = request.query_params.get("q", "")[:200]
    with wb.store.begin() as conn:
        rows = pl.list_places(conn, request.state.actor, q)
    return wb.render(request, "places.html", status=status, places=rows, q=q, kinds=pl.KINDS,
                     error=error, form=form or {}, result=result,
                     editor=request.state.actor.role in pl.EDITORS)


def places_page(request: Request, wb: Workbench) -> Response:
    return _page(request, wb)


def place_page(request: Request, wb: Workbench, error: str | None = None,
               status: int = 200, form: dict[str, Any] | None = None) -> Response:
    try:
        place_id = int(request.path_params["place_id"])
        with wb.store.begin() as conn:
            place = pl.get_place(conn, request.state.actor, place_id)
    except (ValueError, pl.PlaceError):
        return wb.refuse(request, 404, "not_found")
    shown = form or {**place, "aliases": "|".join(place["aliases"])}
    return wb.render(request, "place.html", status=status, place=place, form=shown,
                     kinds=pl.KINDS, error=error,
                     editor=request.state.actor.role in pl.EDITORS)


async def places_action(request: Request, wb: Workbench) -> Response:
    """Add an entry (``do=add``) or import a CSV file (``do=import``, field ``file``)."""
    form = await request.form()
    do = str(form.get("do", ""))
    values = {k: str(form.get(k, ""))[:2000] for k in FIELDS}
    upload = form.get("file")
    data = await upload.read(pl.MAX_CSV_BYTES + 1) if do == "import" and hasattr(
        upload, "read") else b""

    def run() -> tuple[str | None, dict[str, int] | None]:
        try:
            with wb.store.begin() as conn:
                if do == "import":
                    return None, pl.import_csv(conn, request.state.actor, data, wb.now())
                pl.save_place(conn, request.state.actor, values, wb.now())
        except pl.PlaceError as error:
            return error.code, None
        return None, None

    code, result = await run_in_threadpool(run)
    if code is not None:
        return await run_in_threadpool(_page, request, wb, f"placeerror.{code}", 400,
                                       values if do != "import" else None)
    if result is not None:
        return await run_in_threadpool(_page, request, wb, None, 200, None, result)
    return RedirectResponse("/places", status_code=303)


async def place_action(request: Request, wb: Workbench) -> Response:
    """Change (``do=save``) or delete (``do=delete``) one entry."""
    form = await request.form()
    try:
        place_id = int(request.path_params["place_id"])
    except ValueError:
        return wb.refuse(request, 404, "not_found")
    do = str(form.get("do", ""))
    values = {k: str(form.get(k, ""))[:2000] for k in FIELDS}

    def run() -> str | None:
        try:
            with wb.store.begin() as conn:
                if do == "delete":
                    pl.delete_place(conn, request.state.actor, place_id)
                else:
                    pl.save_place(conn, request.state.actor, values, wb.now(), place_id)
        except pl.PlaceError as error:
            return error.code
        return None

    code = await run_in_threadpool(run)
    if code == "not_found":
        return wb.refuse(request, 404, "not_found")
    if code is not None:
        return await run_in_threadpool(place_page, request, wb, f"placeerror.{code}", 400,
                                       values)
    return RedirectResponse("/places" if do == "delete" else f"/places/{place_id}",
                            status_code=303)
