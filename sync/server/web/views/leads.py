"""The leads: a list filtered by state, a lead's page (its source, its history, the coordinates
proposed from what people wrote with accept / correct / reject, the moves this person's role
may make, assignment, comments, a field check), exports for field teams, and the API.

Every change is one POST form to /leads/{id} (CSRF-checked by the guard) naming what to do;
the domain functions check the role and the rules again and say why they refuse."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sync.server import access_log, lead_exports, search
from sync.server import leads as ld
from sync.server.accounts import accounts
from sync.server.web.app import Workbench, api_error
from sync.server.web.paging import Paging, page_number
from sync.server.web.views.api import ApiResponse, _int

SOURCE_KINDS = ("document", "witness", "veteran", "archive", "map", "other")
MAX_IDS = 5000


def leads_page(request: Request, wb: Workbench) -> Response:
    state = request.query_params.get("state") or None
    try:
        with wb.store.begin() as conn:
            found = ld.list_leads(conn, request.state.actor, state=state,
                                  page=page_number(request), per_page=wb.config.per_page)
            groups = ld.nearby_groups(conn, request.state.actor)
    except ld.LeadError:
        return wb.refuse(request, 400, "bad_filter")
    grouped = {lead: n + 1 for n, group in enumerate(groups) for lead in group}
    return wb.render(request, "leads.html", found=found, states=ld.STATES, state=state,
                     grouped=grouped, formats=tuple(lead_exports.FORMATS),
                     paging=Paging(request, found["page"], found["per_page"], found["total"]))


def leads_map(request: Request, wb: Workbench) -> Response:
    """The map page; its script draws the GeoJSON export of the same selection."""
    state = request.query_params.get("state") or None
    if state is not None and state not in ld.STATES:
        return wb.refuse(request, 400, "bad_filter")
    return wb.render(request, "leads_map.html", states=ld.STATES, state=state)


def _workers(conn: Any) -> list[str]:
    return list(conn.execute(select(accounts.c.username).where(
        accounts.c.active.is_(True), accounts.c.role.in_(sorted(ld.WORKERS)))
        .order_by(accounts.c.username)).scalars())


def _render_lead(request: Request, wb: Workbench, lead_id: str, error: str | None = None,
                 status: int = 200) -> Response:
    with wb.store.begin() as conn:
        try:
            lead = ld.lead_detail(conn, request.state.actor, lead_id)
        except ld.LeadNotFound:
            return wb.refuse(request, 404, "not_found")
        access_log.record(conn, request.state.actor, "view-lead", "lead", lead_id, wb.now(),
                          f"visit={lead['visit_id']}")
        workers = _workers(conn)
    role = request.state.actor.role
    return wb.render(request, "lead.html", status=status, lead=lead, error=error,
                     workers=workers, datums=ld.DATUMS, source_kinds=SOURCE_KINDS,
                     office=role in ld.OFFICE, field=role in ld.FIELD)


def lead_page(request: Request, wb: Workbench) -> Response:
    return _render_lead(request, wb, request.path_params["lead_id"][:64])


def _float(form: Any, name: str) -> float:
    try:
        return float(str(form.get(name, "")).replace(",", ".").strip())
    except ValueError:
        raise ld.LeadError("bad_coordinate", f"{name} is not a number") from None


def _point(form: Any, radius: str = "radius") -> ld.Point:
    return ld.Point(_float(form, "latitude"), _float(form, "longitude"),
                    str(form.get("datum", "")), _float(form, radius), "manual")


def _act(conn: Any, wb: Workbench, request: Request, lead_id: str, form: Any) -> None:
    actor, now = request.state.actor, wb.now()
    do = str(form.get("do", ""))
    why = str(form.get("why", ""))[:ld.MAX_TEXT]
    if do == "transition":
        remains = str(form.get("remains", "")).strip()
        ld.transition(conn, actor, lead_id, str(form.get("to", ""))[:20], now, why,
                      remains=int(remains) if remains.isdigit() else None)
    elif do == "assign":
        ld.assign(conn, actor, lead_id, str(form.get("username", "")) or None, now, why)
    elif do == "comment":
        ld.comment(conn, actor, lead_id, str(form.get("text", ""))[:ld.MAX_TEXT], now)
    elif do in ("accept", "correct", "reject"):
        try:
            proposal = int(str(form.get("proposal", "")))
        except ValueError:
            raise ld.LeadError("no_proposal", "no such proposal") from None
        if do == "accept":
            ld.accept_proposal(conn, actor, lead_id, proposal, now, why)
        elif do == "correct":
            ld.correct_proposal(conn, actor, lead_id, proposal, _point(form), now, why)
        else:
            ld.reject_proposal(conn, actor, lead_id, proposal, now, why)
    elif do == "field_check":
        found = form.get("found") == "yes"
        point = _point(form, "accuracy") if found or str(form.get("latitude", "")).strip() \
            else None
        photos = [line.strip() for line in str(form.get("photos", "")).splitlines()
                  if line.strip()]
        ld.field_check(conn, actor, lead_id, now, found=found, point=point, photos=photos,
                       note=str(form.get("note", ""))[:ld.MAX_TEXT])
    elif do == "source":
        ld.add_source(conn, actor, lead_id, str(form.get("kind", "")),
                      str(form.get("reference", "")), now, why)
    elif do == "merge":
        ld.merge(conn, actor, lead_id, str(form.get("into", "")).strip()[:64], now, why)
    elif do == "unmerge":
        ld.unmerge(conn, actor, lead_id, now, why)
    else:
        raise ld.LeadError("unknown_action", "unknown action")


async def lead_action(request: Request, wb: Workbench) -> Response:
    from starlette.concurrency import run_in_threadpool

    lead_id = request.path_params["lead_id"][:64]
    form = await request.form()

    def run() -> str | None:
        try:
            with wb.store.begin() as conn:
                _act(conn, wb, request, lead_id, form)
        except ld.LeadNotFound:
            return "not_found"
        except ld.LeadError as error:
            return error.code
        return None

    code = await run_in_threadpool(run)
    if code == "not_found":
        return wb.refuse(request, 404, "not_found")
    if code is not None:
        return await run_in_threadpool(_render_lead, request, wb, lead_id,
                                       f"leaderror.{code}", 400)
    return RedirectResponse(f"/leads/{lead_id}", status_code=303)


def _selection(request: Request) -> dict[str, Any]:
    ids = [i.strip()[:64] for i in request.query_params.getlist("id") if i.strip()][:MAX_IDS]
    return {"state": request.query_params.get("state") or None,
            "bbox": request.query_params.get("bbox") or None, "ids": ids or None}


def leads_export(request: Request, wb: Workbench) -> Response:
    fmt = request.path_params["fmt"]
    if fmt not in lead_exports.FORMATS:
        return wb.refuse(request, 404, "not_found")
    try:
        with wb.store.begin() as conn:
            rows = lead_exports.selection(conn, request.state.actor, **_selection(request))
            access_log.record(conn, request.state.actor, "export-leads", "lead",
                              f"{len(rows)}", wb.now(), fmt)
    except ld.LeadError:
        return wb.refuse(request, 400, "bad_filter")
    media_type, extension = lead_exports.FORMATS[fmt]
    return Response(lead_exports.export(fmt, rows), media_type=media_type, headers={
        "content-disposition": f'attachment; filename="leads.{extension}"'})


# --- API ------------------------------------------------------------------------------------------

def api_leads(request: Request, wb: Workbench) -> Response:
    try:
        with wb.store.begin() as conn:
            found = ld.list_leads(conn, request.state.actor,
                                  state=request.query_params.get("state") or None,
                                  bbox=request.query_params.get("bbox") or None,
                                  page=_int(request, "page", 1),
                                  per_page=_int(request, "per_page", 50))
    except ld.LeadError as error:
        return api_error(400, "bad_filter", error.detail)
    except search.BadFilter as error:  # a page number that is not a number
        return api_error(400, "bad_filter", str(error))
    found["leads"] = found.pop("items")
    return ApiResponse(found)


def api_lead(request: Request, wb: Workbench) -> Response:
    lead_id = request.path_params["lead_id"][:64]
    with wb.store.begin() as conn:
        try:
            lead = ld.lead_detail(conn, request.state.actor, lead_id)
        except ld.LeadNotFound:
            return api_error(404, "not_found", "no such lead")
        access_log.record(conn, request.state.actor, "view-lead", "lead", lead_id, wb.now(),
                          "api")
    return ApiResponse(lead)
