"""The visit page and the photo viewer. Each view of a visit, of the people on it and of a
photo is written to the access log in the transaction that reads it: what could not be logged
is not shown."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sync.server import access_log, search
from sync.server.web.app import Workbench

ZOOMS = (1, 2, 3, 4)


def log_visit(conn: Any, wb: Workbench, request: Request, detail: dict[str, Any],
              via: str = "page") -> None:
    """One row for the visit and one for each martyr and person shown on it."""
    visit_id = detail["visit_id"]
    views = [("view-visit", "visit", visit_id, via)]
    views += [("view-person", "martyr", m["id"], f"{via} visit={visit_id}")
              for m in detail["martyrs"]]
    views += [("view-person", "person", p["id"], f"{via} visit={visit_id}")
              for p in detail["people"]]
    access_log.record_many(conn, request.state.actor, views, wb.now())


def place_markers(testimony: dict[str, Any]) -> None:
    """Each marker's part and its time inside that part's file (markers are on the
    testimony's timeline; each part starts at its offset)."""
    parts = [p for p in testimony["parts"] if p["available"]]
    for marker in testimony["markers"]:
        at = float(marker["at_seconds"])
        part = next((p for p in reversed(parts) if float(p["offset_seconds"]) <= at), None)
        if part is not None and at > float(part["offset_seconds"]) + float(part["duration"]):
            part = None  # past the end of what was recorded (or of what is left)
        marker["part_id"] = part["id"] if part else None
        marker["part_seconds"] = round(at - float(part["offset_seconds"]), 3) if part else None


def visit_page(request: Request, wb: Workbench) -> Response:
    visit_id = request.path_params["visit_id"][:64]
    with wb.store.begin() as conn:
        try:
            detail = search.visit_detail(conn, request.state.actor, visit_id)
        except search.NotFound:
            return wb.refuse(request, 404, "not_found")
        log_visit(conn, wb, request, detail)
    for testimony in detail["testimonies"]:
        place_markers(testimony)
    martyrs = {m["id"]: m["full_name"] for m in detail["martyrs"]}
    markers = {m["id"]: m for t in detail["testimonies"] for m in t["markers"]}
    return wb.render(request, "visit.html", v=detail, martyr_names=martyrs, markers=markers)


def photo_page(request: Request, wb: Workbench) -> Response:
    """One photographed page, large, with next/previous in its item and zoom steps (links:
    no script needed). The stored rotation is applied in the preview itself."""
    visit_id = request.path_params["visit_id"][:64]
    page_id = request.path_params["page_id"][:64]
    try:
        zoom = int(request.query_params.get("zoom", "1"))
    except ValueError:
        zoom = 1
    zoom = zoom if zoom in ZOOMS else 1
    with wb.store.begin() as conn:
        try:
            detail = search.visit_detail(conn, request.state.actor, visit_id)
        except search.NotFound:
            return wb.refuse(request, 404, "not_found")
        item, photos = None, []
        for candidate in detail["items"]:
            shown = [p for p in candidate["pages"] if p["media"] == "photo" and p["available"]]
            if any(p["id"] == page_id for p in shown):
                item, photos = candidate, shown
        if item is None:
            return wb.refuse(request, 404, "not_found")
        access_log.record(conn, request.state.actor, "view-page", "page", page_id, wb.now(),
                          f"visit={visit_id}")
        from sync.server.ocr import page_reading  # what OCR read of it, shown beside it

        read = page_reading(conn, page_id)
    index = next(i for i, p in enumerate(photos) if p["id"] == page_id)
    return wb.render(request, "photo.html", v=detail, item=item, photo=photos[index], read=read,
                     number=index + 1, count=len(photos), zoom=zoom, zooms=ZOOMS,
                     previous=photos[index - 1] if index > 0 else None,
                     next=photos[index + 1] if index + 1 < len(photos) else None)
