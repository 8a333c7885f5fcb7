"""The workbench as an ASGI app (Starlette + Jinja2 with autoescape + vendored htmx).

Every route is made by ``route(path, view, action)``: the action names what the caller must be
allowed to do (sync.server.actors.PERMISSIONS), or PUBLIC. The guard resolves who is asking
(a session cookie on pages, ``Authorization: Bearer`` on /api/v1/), refuses the anonymous and
the wrong role before the view runs, and checks the CSRF token of every form sent. The views
then call domain functions that check the role again. tests/sync/test_web_security.py walks
the route table: a route without a rule, or one an anonymous caller can open, fails it.
"""

from __future__ import annotations

import inspect
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from sync.server import accounts
from sync.server import map_layers as _map_layers
from sync.server.actors import Actor, Forbidden, allowed
from sync.server.store import Store
from sync.server.web import i18n

HERE = Path(__file__).parent
PUBLIC = None
SESSION_COOKIE = "sohoa_session"
PRESESSION_COOKIE = "sohoa_signin"  # double-submit CSRF token of the sign-in form
LANG_COOKIE = "sohoa_lang"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
log = logging.getLogger("sohoa.workbench")

# Pages load only what this server sends: no inline script or style, nothing from elsewhere.
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; media-src 'self'; object-src 'none'; "
                               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


@dataclass
class WebConfig:
    data: Path
    database_url: str | None = None
    policy: accounts.Policy = field(default_factory=accounts.Policy)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    per_page: int = 20
    map_limits: _map_layers.Limits = field(default_factory=_map_layers.Limits)


@dataclass(frozen=True)
class Rule:
    action: str | None  # None: PUBLIC
    api: bool  # answers JSON errors and takes a bearer token instead of the session cookie


class Workbench:
    """What every view needs, passed in (no module-level state): the database, the clock,
    the templates and the words."""

    def __init__(self, config: WebConfig, store: Store) -> None:
        self.config = config
        self.store = store
        self.data = config.data
        self.catalogues = i18n.load()
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True, lstrip_blocks=True)
        self.templates.filters["urlquote"] = lambda value: quote(str(value), safe="")

    def now(self) -> datetime:
        return self.config.clock()

    def render(self, request: Request, template: str, status: int = 200,
               **context: Any) -> HTMLResponse:
        lang = request.state.lang
        actor: Actor | None = request.state.actor
        session = request.state.session
        page = self.templates.get_template(template).render(
            _=self.catalogues[lang], lang=lang, actor=actor, request=request,
            csrf=session.csrf if session else request.state.presession,
            allowed=lambda action: allowed(actor, action), **context)
        return HTMLResponse(page, status_code=status)

    def refuse(self, request: Request, status: int, code: str) -> Response:
        rule: Rule = request.state.rule
        if rule.api:
            return api_error(status, code, self.catalogues["en"](f"error.{code}"))
        return self.render(request, "error.html", status=status, code=code)


def api_error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


View = Callable[[Request, Workbench], Response | Awaitable[Response]]


def create_web_app(config: WebConfig, store: Store | None = None) -> Starlette:
    from sync.server.web.views import (
        admin,
        api,
        auth,
        cases,
        home,
        leads,
        maps,
        media,
        places,
        press,
        reports,
        search,
        visits,
    )
    from sync.server.web.views import lists as lists_views  # h19-lists
    from sync.server.web.views import witnesses as witnesses_views  # h19-lists

    store = store or (Store(config.database_url) if config.database_url
                      else Store.in_folder(config.data))
    wb = Workbench(config, store)

    def route(path: str, view: View, action: str | None, methods: tuple[str, ...] = ("GET",),
              api: bool = False) -> Route:
        return Route(path, _guarded(wb, view, Rule(action, api)), methods=list(methods))

    routes: list[BaseRoute] = [
        route("/signin", auth.signin_form, PUBLIC),
        route("/signin", auth.signin, PUBLIC, ("POST",)),
        route("/signout", auth.signout, "session", ("POST",)),
        route("/lang/{lang}", auth.language, PUBLIC),
        route("/", home.home, "view-records"),
        route("/search", search.search_page, "view-records"),
        route("/visits/{visit_id}", visits.visit_page, "view-records"),
        route("/visits/{visit_id}/pages/{page_id}", visits.photo_page, "view-records"),
        route("/visits/{visit_id}/press-export", press.press_export, "press-export",
              ("POST",)),
        route("/media/preview/{page_id}", media.preview, "play-media"),
        route("/media/file/{kind}/{object_id}", media.stream, "play-media"),
        route("/media/original/{kind}/{object_id}", media.original, "download-originals"),
        route("/reports", reports.dashboard, "view-reports"),
        route("/reports/chart.png", reports.chart, "view-reports"),
        route("/reports/records", reports.records_page, "view-reports"),
        route("/reports/download/{format}", reports.download, "view-reports"),
        route("/batches", admin.batches_page, "view-batches"),
        route("/stations", admin.stations_page, "view-stations"),
        route("/access-log", admin.access_log_page, "view-access-log"),
        route("/accounts", admin.accounts_page, "manage-accounts"),
        route("/accounts/{username}/state", admin.account_state, "manage-accounts",
              ("POST",)),
        route("/tokens/{token_id}/revoke", admin.token_revoke, "manage-accounts", ("POST",)),
        route("/leads", leads.leads_page, "view-records"),
        route("/leads/map", leads.leads_map, "view-records"),
        route("/leads/export/{fmt}", leads.leads_export, "export-leads"),
        route("/leads/{lead_id}", leads.lead_page, "view-records"),
        route("/leads/{lead_id}", leads.lead_action, "work-leads", ("POST",)),
        # --- imported lists and the witness network (h19-lists) ---
        route("/lists", lists_views.lists_page, "view-lists"),
        route("/lists/new", lists_views.new_form, "import-lists"),
        lists_views.capped_upload_route(wb, "/lists/new", lists_views.new_post, "import-lists"),
        route("/lists/{import_id}", lists_views.list_page, "view-lists"),
        route("/lists/{import_id}/rows.csv", lists_views.rows_csv, "view-lists"),
        route("/lists/{import_id}/withdraw", lists_views.withdraw_post, "import-lists",
              ("POST",)),
        route("/witnesses", witnesses_views.witnesses_page, "view-witnesses"),
        route("/witnesses/decide", witnesses_views.decide, "review-witnesses", ("POST",)),
        # --- end imported lists and the witness network ---
        route("/places", places.places_page, "view-records"),
        route("/places", places.places_action, "manage-places", ("POST",)),
        route("/places/{place_id}", places.place_page, "view-records"),
        route("/places/{place_id}", places.place_action, "manage-places", ("POST",)),
        # --- the map's layers and points (views/maps.py) ---
        route("/map/layers", maps.layers_page, "manage-map-layers"),
        maps.limited(route("/map/layers", maps.layer_add, "manage-map-layers", ("POST",)),
                     maps.upload_limit),
        route("/map/layers/{layer_id}/remove", maps.layer_remove, "remove-map-layers",
              ("POST",)),
        route("/map/layers.json", maps.layers_json, "view-records"),
        route("/map/layers/{layer_id}/{z}/{x}/{y}.png", maps.layer_tile, "view-records"),
        route("/map/leads.json", maps.leads_json, "view-records"),
        # --- end of the map's routes ---
        route("/api/v1/search", api.search_hits, "view-records", api=True),
        route("/api/v1/leads", leads.api_leads, "view-records", api=True),
        route("/api/v1/leads/{lead_id}", leads.api_lead, "view-records", api=True),
        route("/api/v1/visits", api.visits, "view-records", api=True),
        route("/api/v1/visits/{visit_id}", api.visit, "view-records", api=True),
        # --- cases (sync/server/web/views/cases.py) ---
        route("/cases", cases.cases_page, "view-cases"),
        route("/cases/review", cases.review_page, "view-cases"),
        route("/cases/review", cases.review_action, "decide-cases", ("POST",)),
        route("/cases/{case_id}", cases.case_page, "view-cases"),
        route("/cases/{case_id}", cases.case_action, "decide-cases", ("POST",)),
        route("/cases/{case_id}/dna", cases.dna_page, "view-cases"),
        route("/cases/{case_id}/dna", cases.dna_action, "record-dna", ("POST",)),
        route("/api/v1/cases", cases.api_cases, "view-cases", api=True),
        route("/api/v1/cases/{case_id}", cases.api_case, "view-cases", api=True),
        # --- end of cases ---
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.workbench = wb
    return app


def _guarded(wb: Workbench, view: View, rule: Rule) -> Callable[[Request], Awaitable[Response]]:
    is_async = inspect.iscoroutinefunction(view)

    async def endpoint(request: Request) -> Response:
        request.state.rule = rule
        request.state.lang = i18n.pick(request.cookies.get(LANG_COOKIE))
        presession = request.cookies.get(PRESESSION_COOKIE)
        request.state.presession = presession or secrets.token_urlsafe(32)
        session, actor = await run_in_threadpool(_who, wb, request, rule)
        request.state.session, request.state.actor = session, actor
        response = await _answer(wb, view, rule, request, actor, is_async)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("cache-control", "no-store")
        if not rule.api and not presession:
            set_cookie(request, response, PRESESSION_COOKIE, request.state.presession)
        return response

    endpoint.rule = rule  # type: ignore[attr-defined]  # read by the route-table test
    endpoint.__name__ = getattr(view, "__name__", "view")
    return endpoint


async def _answer(wb: Workbench, view: View, rule: Rule, request: Request,
                  actor: Actor | None, is_async: bool) -> Response:
    if rule.action is not PUBLIC:
        if actor is None:
            if rule.api:
                return wb.refuse(request, 401, "unauthenticated")
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/signin?next={quote(target, safe='')}", status_code=303)
        if not allowed(actor, rule.action):
            return wb.refuse(request, 403, "forbidden")
    if request.method in UNSAFE and not rule.api and not await _csrf_ok(request):
        return wb.refuse(request, 403, "csrf")
    try:
        if is_async:
            return await view(request, wb)  # type: ignore[misc]
        return await run_in_threadpool(view, request, wb)  # type: ignore[arg-type]
    except Forbidden:
        return wb.refuse(request, 403, "forbidden")
    except Exception:
        if not rule.api:
            raise  # Starlette's error page (500), logged by uvicorn
        # A script gets JSON with a code even when the server fails.
        log.exception("the API failed on %s", request.url.path)
        return api_error(500, "server_error", "the command's server failed; try again later")


def _who(wb: Workbench, request: Request, rule: Rule,
         ) -> tuple[accounts.Session | None, Actor | None]:
    now = wb.now()
    with wb.store.begin() as conn:
        if rule.api:
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token:
                return None, None
            return None, accounts.token_actor(conn, token.strip(), now)
        found = accounts.session(conn, request.cookies.get(SESSION_COOKIE, ""), now,
                                 wb.config.policy)
    return found, found.actor if found else None


async def _csrf_ok(request: Request) -> bool:
    """The form's token must be the session's (or, before signing in, the sign-in cookie's:
    a double-submit token another site cannot read)."""
    form = await request.form()
    offered = form.get("csrf")
    if not isinstance(offered, str) or not offered:
        return False
    session = request.state.session
    expected = session.csrf if session else request.cookies.get(PRESESSION_COOKIE)
    return bool(expected) and secrets.compare_digest(offered, expected)


def set_cookie(request: Request, response: Response, name: str, value: str,
               max_age: int | None = None) -> None:
    """HttpOnly, SameSite=Strict, and Secure whenever the page came over TLS."""
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")
