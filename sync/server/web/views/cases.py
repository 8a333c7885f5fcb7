"""The cases: the list (search without accents), a case with every source side by side and
its contradictions, merge / split / undo, the review queue of proposed pairs, the DNA
follow-up, and the API.

Each change is one POST form (CSRF-checked by the guard) naming what to do; the domain
functions (sync/server/cases/casework.py, dna.py) check the role and the rules again and say
why they refuse. Opening a case is logged like opening a visit: it is a person's record."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sync.server import access_log
from sync.server.actors import may
from sync.server.cases import casework as cw
from sync.server.cases import dna
from sync.server.casework_tables import DNA_RESULTS, DNA_STEPS
from sync.server.web.app import Workbench, api_error
from sync.server.web.paging import Paging, page_number
from sync.server.web.views.api import ApiResponse

MAX_IDS = 500


def _case_id(request: Request) -> str:
    return request.path_params["case_id"][:64]


def cases_page(request: Request, wb: Workbench) -> Response:
    q = request.query_params.get("q", "")[:200]
    with wb.store.begin() as conn:
        found = cw.list_cases(conn, request.state.actor, q=q, page=page_number(request),
                              per_page=wb.config.per_page)
        queue = cw.pending_pairs(conn, request.state.actor)
    paging = Paging(request, found["page"], found["per_page"], found["total"])
    template = "cases_results.html" if request.headers.get("hx-request") else "cases.html"
    return wb.render(request, template, found=found, q=q, paging=paging, queue=queue)


def _render_case(request: Request, wb: Workbench, case_id: str, error: str | None = None,
                 status: int = 200) -> Response:
    actor = request.state.actor
    with wb.store.begin() as conn:
        try:
            case = cw.case_detail(conn, actor, case_id)
        except cw.CaseNotFound:
            return wb.refuse(request, 404, "not_found")
        access_log.record(conn, actor, "view-case", "case", case_id, wb.now(),
                          f"mentions={case['mentions']}")
    return wb.render(request, "case.html", status=status, case=case, error=error,
                     decide=may(actor, cw.DECIDERS))


def case_page(request: Request, wb: Workbench) -> Response:
    return _render_case(request, wb, _case_id(request))


async def case_action(request: Request, wb: Workbench) -> Response:
    case_id = _case_id(request)
    form = await request.form()

    def run() -> tuple[str | None, str]:
        actor, now = request.state.actor, wb.now()
        why = str(form.get("why", ""))[:cw.MAX_REASON]
        do = str(form.get("do", ""))
        target = case_id
        try:
            with wb.store.begin() as conn:
                if do == "merge":
                    other = str(form.get("other", "")).strip()[:64]
                    cw.merge(conn, actor, case_id, other, now, why)
                elif do == "split":
                    chosen = [str(m)[:120] for m in form.getlist("mention")][:MAX_IDS]
                    _link, target = cw.split(conn, actor, case_id, chosen, now, why)
                elif do == "undo":
                    try:
                        link = int(str(form.get("link", "")))
                    except ValueError:
                        raise cw.CaseNotFound("merge or split") from None
                    cw.undo(conn, actor, link, now)
                else:
                    raise cw.CaseError("unknown_action", "unknown action")
        except cw.CaseError as error:
            return error.code, case_id
        return None, target

    code, target = await run_in_threadpool(run)
    if code is not None:
        return await run_in_threadpool(_render_case, request, wb, case_id,
                                       f"caseerror.{code}", 404 if code == "not_found" else 400)
    return RedirectResponse(f"/cases/{quote(target, safe=':')}", status_code=303)


def _offset(request: Request) -> int:
    try:
        return max(0, min(100_000, int(request.query_params.get("n", "0"))))
    except ValueError:
        return 0


def _render_review(request: Request, wb: Workbench, offset: int, error: str | None = None,
                   status: int = 200, done: dict[str, Any] | None = None) -> Response:
    with wb.store.begin() as conn:
        queue = cw.review_queue(conn, request.state.actor, offset=offset)
        if queue["pair"] is not None:
            pair = queue["pair"]
            access_log.record(conn, request.state.actor, "view-case-pair", "case_pair",
                              str(pair["id"]), wb.now(), f"{pair['left_id']} {pair['right_id']}")
    return wb.render(request, "cases_review.html", status=status, queue=queue, error=error,
                     done=done, decide=may(request.state.actor, cw.DECIDERS))


def review_page(request: Request, wb: Workbench) -> Response:
    return _render_review(request, wb, _offset(request))


async def review_action(request: Request, wb: Workbench) -> Response:
    form = await request.form()

    def run() -> tuple[str | None, dict[str, Any] | None]:
        try:
            pair_id = int(str(form.get("pair", "")))
        except ValueError:
            return "not_found", None
        try:
            with wb.store.begin() as conn:
                return None, cw.decide(conn, request.state.actor, pair_id,
                                       str(form.get("decision", ""))[:12], wb.now(),
                                       str(form.get("why", ""))[:cw.MAX_REASON])
        except cw.CaseError as error:
            return error.code, None

    code, done = await run_in_threadpool(run)
    if code is not None:
        return await run_in_threadpool(_render_review, request, wb, 0, f"caseerror.{code}",
                                       404 if code == "not_found" else 400)
    target = f"/cases/review?done={quote(done['case_id'], safe=':')}"
    if done.get("link"):
        target += f"&link={done['link']}"
    return RedirectResponse(target, status_code=303)


# --- DNA -------------------------------------------------------------------------------------

def _render_dna(request: Request, wb: Workbench, case_id: str, error: str | None = None,
                status: int = 200) -> Response:
    actor = request.state.actor
    with wb.store.begin() as conn:
        try:
            case = cw.case_detail(conn, actor, case_id)
        except cw.CaseNotFound:
            return wb.refuse(request, 404, "not_found")
        people = dna.relatives(conn, actor, case_id)
        found = dna.samples(conn, actor, case_id)
        access_log.record(conn, actor, "view-case-dna", "case", case_id, wb.now(),
                          f"relatives={len(people)}")
    return wb.render(request, "case_dna.html", status=status, case=case, people=people,
                     samples=found, error=error, steps=DNA_STEPS, results=DNA_RESULTS,
                     relations=dna.RELATIONS, record=may(actor, dna.CONTACTS),
                     today=wb.now().date().isoformat())


def dna_page(request: Request, wb: Workbench) -> Response:
    return _render_dna(request, wb, _case_id(request))


def _date(value: Any) -> datetime:
    try:
        day = datetime.strptime(str(value or "").strip()[:10], "%Y-%m-%d")
    except ValueError:
        raise cw.CaseError("bad_date", "write the date as YYYY-MM-DD") from None
    return day.replace(hour=12, tzinfo=UTC)


async def dna_action(request: Request, wb: Workbench) -> Response:
    case_id = _case_id(request)
    form = await request.form()

    def run() -> str | None:
        try:
            with wb.store.begin() as conn:
                dna.record_step(
                    conn, request.state.actor, case_id, str(form.get("step", ""))[:16],
                    wb.now(), at=_date(form.get("at")),
                    sample_code=str(form.get("sample_code", "")),
                    person_id=str(form.get("person_id", ""))[:64] or None,
                    relative_name=str(form.get("relative_name", "")),
                    relation=str(form.get("relation", ""))[:32],
                    laboratory=str(form.get("laboratory", "")),
                    result=str(form.get("result", ""))[:16] or None,
                    grave_ref=str(form.get("grave_ref", "")), note=str(form.get("note", "")))
        except cw.CaseError as error:
            return error.code
        return None

    code = await run_in_threadpool(run)
    if code is not None:
        return await run_in_threadpool(_render_dna, request, wb, case_id, f"caseerror.{code}",
                                       404 if code == "not_found" else 400)
    return RedirectResponse(f"/cases/{quote(case_id, safe=':')}/dna", status_code=303)


# --- API ---------------------------------------------------------------------------------------

def api_cases(request: Request, wb: Workbench) -> Response:
    try:
        page = int(request.query_params.get("page", "1"))
        per_page = int(request.query_params.get("per_page", "50"))
    except ValueError:
        return api_error(400, "bad_filter", "page and per_page are whole numbers")
    with wb.store.begin() as conn:
        found = cw.list_cases(conn, request.state.actor,
                              q=request.query_params.get("q", "")[:200],
                              page=min(max(page, 1), 100_000), per_page=per_page)
    found["cases"] = found.pop("items")
    return ApiResponse(found)


def api_case(request: Request, wb: Workbench) -> Response:
    case_id = _case_id(request)
    actor = request.state.actor
    with wb.store.begin() as conn:
        try:
            case = cw.case_detail(conn, actor, case_id)
        except cw.CaseNotFound:
            return api_error(404, "not_found", "no such case")
        case["relatives"] = dna.relatives(conn, actor, case_id)
        access_log.record(conn, actor, "view-case", "case", case_id, wb.now(), "api")
    case["contradiction_count"] = case["contradictions"]
    case["contradictions"] = [f for f in case["fields"] if f["contradiction"]]
    return ApiResponse(case)
