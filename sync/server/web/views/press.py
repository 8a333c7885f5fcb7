"""The press export of a visit: the form on the visit page sends the chosen captures; the
answer is the ZIP (only what the family allowed for the media; its report names the rest)."""

from __future__ import annotations

import os
import tempfile

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from sync.server import press, search
from sync.server.web.app import Workbench

MAX_CHOSEN = 500


async def press_export(request: Request, wb: Workbench) -> Response:
    visit_id = request.path_params["visit_id"][:64]
    form = await request.form()
    chosen = []
    for value in form.getlist("capture")[:MAX_CHOSEN]:
        kind, _, ref = str(value).partition(":")
        chosen.append((kind[:16], ref[:64]))
    if not chosen:
        return wb.refuse(request, 400, "nothing_chosen")
    folder = wb.data / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=folder, suffix=".zip")

    def make() -> None:
        with os.fdopen(handle, "wb") as out, wb.store.begin() as conn:
            press.press_export(conn, request.state.actor, visit_id, chosen, out, wb.now())

    try:
        await run_in_threadpool(make)
    except search.NotFound:
        os.unlink(name)
        return wb.refuse(request, 404, "not_found")
    except BaseException:
        os.unlink(name)
        raise
    return FileResponse(name, media_type="application/zip",
                        filename=f"bao-chi-{visit_id[:8]}.zip",
                        background=BackgroundTask(os.unlink, name))
