"""Imported lists on the workbench: /lists (every import, its rows, who, when), /lists/new
(upload → the column mapping prefilled with the guesses → the validation report → confirm),
/lists/{id} (provenance and rows, paged; withdraw), /lists/{id}/rows.csv (formulas defused).

Between the steps the uploaded file waits in DATA/list-uploads/ under a random token tied to
the account that uploaded it (a day at most); the domain (sync/server/lists.py) checks the
roles again. The upload route refuses a body over the file cap before anything reads it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import secrets
import time
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from sync.server import list_files, lists
from sync.server.casework_tables import LIST_KINDS
from sync.server.web.app import SECURITY_HEADERS, Rule, Workbench, _guarded
from sync.server.web.paging import Paging, page_number

MAX_UPLOAD = list_files.MAX_BYTES + 256 * 1024  # the file and the form around it
STAGE_TTL = 24 * 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
SAMPLE_ROWS = 3


def capped_upload_route(wb: Workbench, path: str, view: Any, action: str) -> Route:
    """A POST route whose body may not exceed MAX_UPLOAD: refused from its Content-Length
    (or for having none, when chunked) before the guard parses the form to check CSRF."""
    guarded = _guarded(wb, view, Rule(action, False))

    async def endpoint(request: Request) -> Response:
        length = request.headers.get("content-length", "")
        chunked = "chunked" in request.headers.get("transfer-encoding", "").lower()
        if chunked or (length and (not length.isdigit() or int(length) > MAX_UPLOAD)):
            return HTMLResponse("<!doctype html><title>413</title><p>Tệp quá lớn (tối đa "
                                f"{list_files.MAX_BYTES // 2**20} MB) · the file is too large",
                                status_code=413, headers=SECURITY_HEADERS)
        return await guarded(request)

    endpoint.rule = guarded.rule  # type: ignore[attr-defined]  # the route-table test reads it
    endpoint.__name__ = getattr(view, "__name__", "view")
    return Route(path, endpoint, methods=["POST"])


def _stage_dir(wb: Workbench) -> Path:
    folder = wb.data / "list-uploads"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _stage(wb: Workbench, username: str, filename: str, data: bytes) -> str:
    folder = _stage_dir(wb)
    for old in folder.glob("*.json"):  # forgotten uploads go after a day
        if time.time() - old.stat().st_mtime > STAGE_TTL:
            old.unlink(missing_ok=True)
            old.with_suffix(".bin").unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.bin").write_bytes(data)
    (folder / f"{token}.json").write_text(json.dumps({
        "username": username, "filename": filename[-lists.MAX_FILENAME:],
        "sha256": hashlib.sha256(data).hexdigest()}), "utf-8")
    return token


def _staged(wb: Workbench, request: Request, token: str) -> tuple[dict[str, Any], bytes] | None:
    if not _TOKEN.fullmatch(token):
        return None
    meta_path = _stage_dir(wb) / f"{token}.json"
    try:
        meta = json.loads(meta_path.read_text("utf-8"))
        data = meta_path.with_suffix(".bin").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("username") != request.state.actor.username:
        return None  # another account's upload is not there for this one
    return meta, data


def _unstage(wb: Workbench, token: str) -> None:
    if _TOKEN.fullmatch(token):
        for suffix in (".bin", ".json"):
            (_stage_dir(wb) / f"{token}{suffix}").unlink(missing_ok=True)


def lists_page(request: Request, wb: Workbench) -> Response:
    with wb.store.begin() as conn:
        found = lists.imports(conn, request.state.actor)
    return wb.render(request, "lists.html", imports=found)


def new_form(request: Request, wb: Workbench) -> Response:
    return wb.render(request, "lists_new.html", kinds=LIST_KINDS, form={}, error=None)


def _text(form: Any, name: str, limit: int) -> str:
    value = form.get(name, "")
    return value.strip()[:limit] if isinstance(value, str) else ""


async def new_post(request: Request, wb: Workbench) -> Response:
    from starlette.concurrency import run_in_threadpool

    form = await request.form()
    step = _text(form, "step", 16)
    if step == "upload":
        upload = form.get("file")
        data = b""
        filename = ""
        if upload is not None and not isinstance(upload, str):
            data = await upload.read(list_files.MAX_BYTES + 1)
            filename = (upload.filename or "")[-lists.MAX_FILENAME:]
        return await run_in_threadpool(_uploaded, request, wb, form, filename, data)
    return await run_in_threadpool(_mapped, request, wb, form, step == "confirm")


def _fields(form: Any) -> dict[str, str]:
    kind = _text(form, "kind", 16)
    return {"kind": kind if kind in LIST_KINDS else "", "title": _text(form, "title",
                                                                       lists.MAX_TITLE),
            "source": _text(form, "source", lists.MAX_SOURCE)}


def _uploaded(request: Request, wb: Workbench, form: Any, filename: str,
              data: bytes) -> Response:
    fields = _fields(form)
    error = None
    if not fields["kind"]:
        error = "listerror.bad_kind"
    elif not fields["title"]:
        error = "listerror.bad_title"
    elif not fields["source"]:
        error = "listerror.bad_source"
    elif not data:
        error = "listfile.empty"
    if error is None:
        try:
            grid = list_files.read(data, filename)
        except list_files.ListFileError as problem:
            error = f"listfile.{problem.code}"
    if error is not None:
        return wb.render(request, "lists_new.html", status=400, kinds=LIST_KINDS,
                         form=fields, error=error)
    token = _stage(wb, request.state.actor.username, filename, data)
    return _mapping_page(request, wb, token, filename, grid, fields,
                         lists.guess_mapping(grid.header), None)


def _mapping_page(request: Request, wb: Workbench, token: str, filename: str,
                  grid: list_files.Grid, fields: dict[str, str], mapping: list[str],
                  checked: lists.Checked | None, duplicate: dict[str, Any] | None = None,
                  error: str | None = None, status: int = 200) -> Response:
    samples = [cells for _n, cells in list_files.rows_of(grid)][:SAMPLE_ROWS]
    columns = [{"index": i, "name": name, "field": mapping[i],
                "samples": [row[i] if i < len(row) else "" for row in samples]}
               for i, name in enumerate(grid.header)]
    return wb.render(request, "lists_map.html", status=status, token=token, filename=filename,
                     grid=grid, form=fields, columns=columns, fields=lists.FIELDS,
                     checked=checked, duplicate=duplicate, error=error, kinds=LIST_KINDS,
                     required=lists.REQUIRED.get(fields["kind"], ()))


def _mapped(request: Request, wb: Workbench, form: Any, confirm: bool) -> Response:
    token = _text(form, "token", 64)
    staged = _staged(wb, request, token)
    if staged is None:
        return wb.render(request, "lists_new.html", status=400, kinds=LIST_KINDS,
                         form=_fields(form), error="listerror.upload_gone")
    meta, data = staged
    fields = _fields(form)
    grid = list_files.read(data, meta["filename"])  # it was read once already: it reads
    mapping = [_text(form, f"map-{i}", 16) for i in range(len(grid.header))]
    mapping = [m if m in lists.FIELDS else lists.IGNORE for m in mapping]
    try:
        checked = lists.check(grid, fields["kind"], mapping)
    except lists.ListError as problem:
        return _mapping_page(request, wb, token, meta["filename"], grid, fields, mapping, None,
                             error=f"listerror.{problem.code}", status=400)
    with wb.store.begin() as conn:
        duplicate = lists.active_duplicate(conn, meta["sha256"])
    if not confirm or not checked.ok:
        return _mapping_page(request, wb, token, meta["filename"], grid, fields, mapping,
                             checked, duplicate, status=200 if checked.ok else 422)
    try:
        with wb.store.begin() as conn:
            import_id = lists.import_list(
                conn, request.state.actor, checked, title=fields["title"],
                source=fields["source"], filename=meta["filename"], sha256=meta["sha256"],
                now=wb.now(), replace=form.get("replace") == "yes")
    except lists.ListError as problem:
        return _mapping_page(request, wb, token, meta["filename"], grid, fields, mapping,
                             checked, duplicate, error=f"listerror.{problem.code}", status=400)
    _unstage(wb, token)
    return RedirectResponse(f"/lists/{import_id}", status_code=303)


def list_page(request: Request, wb: Workbench) -> Response:
    import_id = request.path_params["import_id"][:64]
    try:
        with wb.store.begin() as conn:
            found = lists.one_import(conn, request.state.actor, import_id,
                                     page=page_number(request), per_page=50)
    except lists.ListNotFound:
        return wb.refuse(request, 404, "not_found")
    return wb.render(request, "list.html", found=found, fields=lists.FIELDS,
                     error=request.query_params.get("error"),
                     paging=Paging(request, found["page"], found["per_page"], found["total"]))


async def withdraw_post(request: Request, wb: Workbench) -> Response:
    from starlette.concurrency import run_in_threadpool

    import_id = request.path_params["import_id"][:64]

    def run() -> Response:
        try:
            with wb.store.begin() as conn:
                lists.withdraw(conn, request.state.actor, import_id, wb.now())
        except lists.ListNotFound:
            return wb.refuse(request, 404, "not_found")
        except lists.ListError as problem:
            return RedirectResponse(f"/lists/{import_id}?error={problem.code}",
                                    status_code=303)
        return RedirectResponse(f"/lists/{import_id}", status_code=303)

    return await run_in_threadpool(run)


def rows_csv(request: Request, wb: Workbench) -> Response:
    """The rows as a spreadsheet opens them safely: no cell starts a formula."""
    import_id = request.path_params["import_id"][:64]
    try:
        with wb.store.begin() as conn:
            lists.one_import(conn, request.state.actor, import_id, per_page=1)
            rows = lists.all_rows(conn, request.state.actor, import_id)
    except lists.ListNotFound:
        return wb.refuse(request, 404, "not_found")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["line", *lists.FIELDS, "extra"])
    for row in rows:
        writer.writerow([row["line"], *(list_files.safe_cell(row[f]) for f in lists.FIELDS),
                         list_files.safe_cell(row["extra"])])
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="list-{import_id[:8]}.csv"'})
