"""An export for the press: a ZIP of chosen photos, videos and recordings of one visit, with a
manifest and captions, carrying only what the family allowed for use in the media — named or
anonymous as they chose. Everything chosen but not allowed is named in the export's report,
never silently dropped.

- ``media_use`` of the capture's consent scopes: ``named`` → the caption names the martyr and
  the family; ``anonymous`` → no name the index knows appears in the caption or a file name (the
  names of the martyrs, people and contact are cut out of titles too); ``none`` → refused.
- An embargo (``embargo_until`` after the export's day) refuses it too; so does a capture
  without consent scopes, or whose file is not at the command.
- Photos are written again without their metadata (EXIF carries the camera's GPS: the family's
  house); recordings and videos are copied as they are.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import Connection

from sync.server import access_log, search
from sync.server.actors import Actor, permit

FORMAT = "sohoa-press-export/1"
KINDS = ("page", "video", "part")


@dataclass
class Report:
    included: list[dict[str, Any]] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)


def _captures(detail: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Every capture of the visit by (kind, id), with what a caption needs."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for item in detail["items"]:
        for page in item["pages"]:
            kind = "video" if page["media"] == "video" else "page"
            found[(kind, page["id"])] = {"row": page, "title": item["title"],
                                         "item_kind": item["kind"],
                                         "number": page["position"] + 1}
    for testimony in detail["testimonies"]:
        for part in testimony["parts"]:
            found[("part", part["id"])] = {"row": part, "title": "",
                                           "speaker": testimony["speaker_name"],
                                           "number": part["position"] + 1}
    return found


def _names(detail: dict[str, Any]) -> list[str]:
    names = [m["full_name"] for m in detail["martyrs"]]
    names += [m["other_names"] for m in detail["martyrs"] if m.get("other_names")]
    names += [p["full_name"] for p in detail["people"]]
    names.append(detail["household"]["contact_name"])
    return sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True)


def _without(text: str, names: list[str]) -> str:
    for name in names:
        text = re.sub(re.escape(name), "…", text, flags=re.IGNORECASE)
    return text


def _caption(capture: dict[str, Any], detail: dict[str, Any], named: bool) -> str:
    household = detail["household"]
    where = household["province"] or ""
    martyrs = ", ".join(m["full_name"] for m in detail["martyrs"])
    if capture.get("speaker") is not None:
        what = f"Lời kể, đoạn {capture['number']}"
        if named and capture["speaker"]:
            what += f", {capture['speaker']} kể"
    else:
        what = f"{capture['title']}, trang {capture['number']}"
    if named:
        family = ", ".join(x for x in (household["village"], household["commune"], where) if x)
        about = f"Liệt sĩ {martyrs}. " if martyrs else ""
        return f"{what}. {about}Tư liệu của gia đình {household['contact_name']} ({family})."
    what = _without(what, _names(detail))
    return f"{what}. Tư liệu của một gia đình ở {where}." if where else \
        f"{what}. Tư liệu của một gia đình."


def _refusal(scopes: dict[str, Any] | None, available: bool, today: str) -> str | None:
    if not available:
        return "the file is not at the command (withdrawn, or it stayed at the station)"
    if not scopes:
        return "no consent scopes travelled with it"
    if scopes.get("media_use") not in ("named", "anonymous"):
        return "the family did not allow its use in the media"
    if scopes.get("embargo_until") and str(scopes["embargo_until"]) > today:
        return f"embargoed until {scopes['embargo_until']}"
    return None


def _clean_photo(path: Path) -> bytes:
    """The photo as shown (EXIF orientation applied), without any metadata."""
    with Image.open(path) as image:
        shown = ImageOps.exif_transpose(image).convert("RGB")
    out = io.BytesIO()
    shown.save(out, "JPEG", quality=92)
    return out.getvalue()


def press_export(conn: Connection, actor: Actor, visit_id: str,
                 chosen: list[tuple[str, str]], out: BinaryIO, now: datetime) -> Report:
    """Write the ZIP of the chosen captures to ``out``; what went in and what was refused."""
    permit(actor, "press-export")
    detail = search.visit_detail(conn, actor, visit_id)
    captures = _captures(detail)
    today = now.date().isoformat()
    report = Report()
    entries: list[tuple[str, bytes | Path]] = []
    for kind, ref in dict.fromkeys(chosen):  # once each, in the order chosen
        capture = captures.get((kind, ref))
        if kind not in KINDS or capture is None:
            report.refused.append({"kind": kind, "id": ref, "reason": "not a capture of this "
                                   "visit"})
            continue
        row = capture["row"]
        reason = _refusal(row.get("scopes"), row.get("available", False), today)
        if reason is None:
            try:
                media = search.media_file(conn, actor, kind, ref)
            except search.NotFound:
                reason = "the file is not at the command"
        if reason is not None:
            report.refused.append({"kind": kind, "id": ref, "reason": reason,
                                   "media_use": (row.get("scopes") or {}).get("media_use")})
            continue
        use = row["scopes"]["media_use"]
        number = len(report.included) + 1
        if kind == "page":
            try:
                body: bytes | Path = _clean_photo(media.path)
            except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
                report.refused.append({"kind": kind, "id": ref, "media_use": use,
                                       "reason": "the photo cannot be read"})
                continue
            suffix = ".jpg"
        else:
            body, suffix = media.path, media.path.suffix.lower() or ".bin"
        name = f"{number:03d}-{kind}{suffix}"
        digest = hashlib.sha256(body if isinstance(body, bytes) else body.read_bytes())
        entries.append((name, body))
        report.included.append({"file": name, "kind": kind, "id": ref, "media_use": use,
                                "caption": _caption(capture, detail, use == "named"),
                                "sha256": digest.hexdigest()})
    manifest = {"format": FORMAT, "visit_id": visit_id, "made_at": now.isoformat(),
                "made_by": actor.username, "included": report.included,
                "refused": report.refused}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in entries:
            if isinstance(body, bytes):
                archive.writestr(name, body)
            else:
                archive.write(body, name)
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        archive.writestr("captions.txt", "".join(
            f"{e['file']}\t{e['caption']}\n" for e in report.included))
        archive.writestr("report.txt", _report_text(report))
    access_log.record(conn, actor, "press-export", "visit", visit_id, now,
                      f"included={len(report.included)} refused={len(report.refused)}")
    return report


def _report_text(report: Report) -> str:
    lines = [f"Đưa vào / included: {len(report.included)}"]
    lines += [f"  {e['file']}  {e['kind']} {e['id']}  ({e['media_use']})"
              for e in report.included]
    lines.append(f"Không đưa vào / refused: {len(report.refused)}")
    lines += [f"  {e['kind']} {e['id']}: {e['reason']}" for e in report.refused]
    return "\n".join(lines) + "\n"
