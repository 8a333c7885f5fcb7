"""The dashboard (issue 16): the campaign's figures for a chosen period, with their definitions,
the previous period, a trend chart, a breakdown by province, commune or station, the XLSX and
PDF of the same report, and from each figure the visits behind it."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from capture import kpis, report_files
from capture.errors import CaptureError
from sync.server import report_facts
from sync.server.web.app import Workbench

RULES = ("calendar", "decree-09")
QUICK = ("month", "week", "quarter", "half", "year", "campaign")


def _choice(request: Request, wb: Workbench) -> dict[str, Any]:
    """The period, breakdown, rule and cut-off asked for (defaults: this month, by commune,
    calendar, now); a bad one is reported, not guessed."""
    params = request.query_params
    rule = params.get("rule", "calendar")
    rule = rule if rule in RULES else "calendar"
    by = params.get("by", "commune")
    by = by if by in report_facts.BY else "commune"
    now = wb.now()
    as_of_text = params.get("as_of", "")[:40]
    as_of = kpis.parse_cutoff(as_of_text) if as_of_text else now
    today = kpis.local_day(now)
    period_text = params.get("period", "")[:40].strip()
    start, end = params.get("from", "")[:10], params.get("to", "")[:10]
    if start and end:
        try:
            period = kpis.range_period(date.fromisoformat(start), date.fromisoformat(end), rule)
        except ValueError:
            raise kpis.InvalidPeriod(text=f"{start}..{end}") from None
    elif period_text:
        period = report_facts.choose_period(as_of, period=period_text, rule=rule)
    else:
        period = kpis.containing("month", today, rule)
    return {"rule": rule, "by": by, "as_of": as_of, "as_of_text": as_of_text,
            "period": period, "today": today}


def _query(choice: dict[str, Any], **extra: str) -> str:
    period: kpis.Period = choice["period"]
    values = {"rule": choice["rule"], "by": choice["by"]}
    if period.kind is kpis.PeriodKind.RANGE:
        values.update({"from": period.start.isoformat(), "to": period.end.isoformat()})
    else:
        values["period"] = period.label
    if choice["as_of_text"]:
        values["as_of"] = choice["as_of_text"]
    values.update(extra)
    return urlencode(values)


def _report(wb: Workbench, choice: dict[str, Any]) -> dict[str, Any]:
    period: kpis.Period = choice["period"]
    body, _ = report_facts.command_body(wb.store)
    start = end = None
    if period.kind is kpis.PeriodKind.RANGE:
        start, end = period.start, period.end
    return report_facts.build(wb.store, choice["as_of"], period=None if start else period.label,
                              start=start, end=end, rule=choice["rule"], by=choice["by"],
                              body=body)


def _bad(request: Request, wb: Workbench, error: CaptureError) -> Response:
    return wb.render(request, "reports.html", status=400, error=str(error), data=None,
                     choice=None, query="", quick=[])


def dashboard(request: Request, wb: Workbench) -> Response:
    try:
        choice = _choice(request, wb)
        data = _report(wb, choice)
    except CaptureError as error:
        return _bad(request, wb, error)
    quick = []
    for kind in QUICK:
        period = kpis.containing(kind, choice["today"], choice["rule"])
        quick.append((kind, period.label))
    previous = choice["period"].previous()
    return wb.render(request, "reports.html", data=data, choice=choice, error=None,
                     query=_query(choice), quick=quick,
                     previous_query=_query({**choice, "period": previous}) if previous else "",
                     drillable=report_facts.drillable,
                     value_text=report_files.value_text, change_text=report_files.change_text,
                     number_text=report_files.number_text)


def chart(request: Request, wb: Workbench) -> Response:
    try:
        data = _report(wb, _choice(request, wb))
    except CaptureError as error:
        return _bad(request, wb, error)
    png = report_files.trend_chart_png(data, language=request.state.lang, dpi=110)
    return Response(png, media_type="image/png")


def download(request: Request, wb: Workbench) -> Response:
    file_format = request.path_params["format"]
    if file_format not in ("xlsx", "pdf", "json"):
        return wb.refuse(request, 404, "not_found")
    try:
        choice = _choice(request, wb)
        data = _report(wb, choice)
    except CaptureError as error:
        return _bad(request, wb, error)
    import io

    out = io.BytesIO()
    body, place = report_facts.command_body(wb.store)
    if file_format == "xlsx":
        report_files.write_xlsx(data, out)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif file_format == "pdf":
        report_files.write_pdf(data, out, report_facts.letterhead(
            data, choice["today"], body=body, place=place))
        media = "application/pdf"
    else:
        out.write(kpis.report_json(data))
        media = "application/json"
    name = f"bao-cao-{choice['period'].label.replace('..', '_')}.{file_format}"
    return Response(out.getvalue(), media_type=media,
                    headers={"content-disposition": f'attachment; filename="{name}"'})


def records_page(request: Request, wb: Workbench) -> Response:
    kpi_id = request.query_params.get("kpi", "visits")[:40]
    try:
        choice = _choice(request, wb)
        if not report_facts.drillable(kpi_id):
            raise kpis.InvalidPeriod(text=kpi_id)
        with wb.store.begin() as conn:
            rows = report_facts.records(
                conn, request.state.actor, kpi_id, choice["period"],
                commune=request.query_params.get("commune", "")[:12],
                station=request.query_params.get("station", "")[:36])
    except CaptureError as error:
        return _bad(request, wb, error)
    return wb.render(request, "report_records.html", kpi=kpis.KPI_BY_ID[kpi_id], rows=rows,
                     choice=choice, query=_query(choice), limit=report_facts.DRILL_LIMIT,
                     commune=request.query_params.get("commune", ""),
                     station=request.query_params.get("station", ""))
