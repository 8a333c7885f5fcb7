"""Sign in, sign out, the language switch."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sync.server import accounts
from sync.server.web import i18n
from sync.server.web.app import LANG_COOKIE, SESSION_COOKIE, Workbench, set_cookie


def _local(target: str | None) -> str:
    """Only a path on this server (an open redirect would help a phishing page)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def signin_form(request: Request, wb: Workbench) -> Response:
    if request.state.actor is not None:
        return RedirectResponse(_local(request.query_params.get("next")), status_code=303)
    return wb.render(request, "signin.html", next=_local(request.query_params.get("next")))


async def signin(request: Request, wb: Workbench) -> Response:
    form = await request.form()
    username = str(form.get("username", ""))[:200]
    password = str(form.get("password", ""))[:accounts.MAX_PASSWORD + 1]
    target = _local(str(form.get("next", "/")))
    address = request.client.host if request.client else "unknown"

    def attempt() -> accounts.Session:
        return accounts.sign_in(wb.store, username, password, address, wb.now(),
                                wb.config.policy)

    try:
        session = await run_in_threadpool(attempt)
    except accounts.SignInThrottled as throttled:
        minutes = max(1, int(throttled.retry_after.total_seconds() // 60) + 1)
        response = wb.render(request, "signin.html", status=429, next=target,
                             username=username, error="signin.throttled", minutes=minutes)
        response.headers["retry-after"] = str(int(throttled.retry_after.total_seconds()) + 1)
        return response
    except accounts.SignInRefused:
        return wb.render(request, "signin.html", status=401, next=target, username=username,
                         error="signin.refused")
    response = RedirectResponse(target, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, session.token)
    return response


async def signout(request: Request, wb: Workbench) -> Response:
    session = request.state.session

    def close() -> None:
        with wb.store.begin() as conn:
            accounts.sign_out(conn, session.token, wb.now())

    await run_in_threadpool(close)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def language(request: Request, wb: Workbench) -> Response:
    """Switch the language and come back to the same page. A GET that changes only how pages
    are worded, so it needs no CSRF token; the sign-in page has the switch too."""
    lang = request.path_params["lang"]
    response = RedirectResponse(_local(request.query_params.get("next")), status_code=303)
    if lang in i18n.LANGUAGES:
        set_cookie(request, response, LANG_COOKIE, lang, max_age=365 * 24 * 3600)
    return response
