"""The admin's pages: stations, batches received, the access log, accounts and tokens."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sync.server import access_log, accounts, overview
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


def accounts_page(request: Request, wb: Workbench) -> Response:
    with wb.store.begin() as conn:
        people = accounts.list_accounts(conn, request.state.actor)
        tokens = accounts.list_tokens(conn, actor=request.state.actor)
    return wb.render(request, "accounts.html", accounts=people, tokens=tokens)


async def account_state(request: Request, wb: Workbench) -> Response:
    """Disable or enable an account (its sessions end when disabled); not one's own."""
    form = await request.form()
    username = request.path_params["username"][:64]
    active = form.get("active") == "1"
    if username == request.state.actor.username:
        return wb.refuse(request, 409, "own_account")

    def change() -> None:
        with wb.store.begin() as conn:
            accounts.set_active(conn, username, active, wb.now(), request.state.actor)

    try:
        await run_in_threadpool(change)
    except accounts.AccountError:
        return wb.refuse(request, 404, "not_found")
    return RedirectResponse("/accounts", status_code=303)


async def token_revoke(request: Request, wb: Workbench) -> Response:
    token_id = request.path_params["token_id"][:16]

    def revoke() -> None:
        with wb.store.begin() as conn:
            accounts.revoke_token(conn, token_id, wb.now(), request.state.actor)

    try:
        await run_in_threadpool(revoke)
    except accounts.AccountError:
        return wb.refuse(request, 404, "not_found")
    return RedirectResponse("/accounts", status_code=303)
