"""/witnesses: the witness network — a query by unit, place or battle and years ("who else
was in Trung đoàn 24 at Khe Sanh in 1968"), the oldest not yet recorded, and the pairs the
linker could not decide, each with same / different (POST /witnesses/decide, CSRF-checked by
the guard; sync/server/witnesses.py checks the role again)."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sync.server import witnesses as wt
from sync.server.web.app import Workbench

QUERY = ("unit", "place", "from", "to")


def _year(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) != 4:
        raise wt.WitnessError("bad_year", "a year is four digits")
    return int(text)


def witnesses_page(request: Request, wb: Workbench) -> Response:
    query = {k: request.query_params.get(k, "")[:wt.MAX_QUERY] for k in QUERY}
    try:
        year_from, year_to = _year(query["from"]), _year(query["to"])
        with wb.store.begin() as conn:
            found = wt.network(conn, request.state.actor, unit_text=query["unit"],
                               place=query["place"], year_from=year_from, year_to=year_to,
                               now=wb.now())
    except wt.WitnessError as problem:
        return wb.render(request, "witnesses.html", status=400, query=query,
                         error=f"witnesserror.{problem.code}", found=None)
    return wb.render(request, "witnesses.html", query=query, found=found,
                     error=None, back=urlencode({k: v for k, v in query.items() if v}))


async def decide(request: Request, wb: Workbench) -> Response:
    from starlette.concurrency import run_in_threadpool

    form = await request.form()

    def field(name: str, limit: int = 80) -> str:
        value = form.get(name, "")
        return value.strip()[:limit] if isinstance(value, str) else ""

    def run() -> str | None:
        try:
            with wb.store.begin() as conn:
                wt.record_decision(conn, request.state.actor, field("left"), field("right"),
                                   field("decision", 16), wb.now(), field("note", 2000))
        except wt.WitnessError as problem:
            return problem.code
        return None

    code = await run_in_threadpool(run)
    if code is not None:
        return wb.refuse(request, 400, "bad_filter")
    back = field("back", 1000)
    return RedirectResponse("/witnesses" + (f"?{back}" if back and "//" not in back else ""),
                            status_code=303)
