"""Leads for field teams' GPS units and maps: GeoJSON, KML, GPX and CSV (with MGRS) of a
selection (a state, a box, chosen leads). Each lead is where it points: its coordinate when a
person set one, else its most plausible proposed reading, said so in every format
("position": "coordinate" or "proposed"). Leads that point nowhere yet are in the CSV only.

XML is written with ElementTree (escaped), CSV with the csv module, and a text cell that a
spreadsheet would run as a formula (= + - @) is prefixed with an apostrophe."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from typing import Any

from sqlalchemy import Connection

from capture.coords import to_mgrs
from sync.server import leads as ld
from sync.server.actors import Actor

FORMATS = {"geojson": ("application/geo+json", "geojson"),
           "kml": ("application/vnd.google-earth.kml+xml", "kml"),
           "gpx": ("application/gpx+xml", "gpx"),
           "csv": ("text/csv; charset=utf-8", "csv")}
MAX_EXPORT = 50_000


def selection(conn: Connection, actor: Actor, *, state: str | None = None, bbox: Any = None,
              ids: list[str] | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    page = 1
    while len(out) < MAX_EXPORT:
        found = ld.list_leads(conn, actor, state=state, bbox=bbox, ids=ids, page=page,
                              per_page=ld.MAX_PER_PAGE)
        out.extend(found["items"])
        if page >= found["pages"]:
            break
        page += 1
    return out[:MAX_EXPORT]


def _position(row: dict[str, Any]) -> str:
    point = row["point"]
    return "coordinate" if point and point["from"] == "coordinate" else "proposed"


def _name(row: dict[str, Any]) -> str:
    return (row["martyr"] or row["description"] or row["lead_id"])[:120]


def _properties(row: dict[str, Any]) -> dict[str, Any]:
    point = row["point"] or {}
    return {"lead_id": row["lead_id"], "state": row["state"], "description": row["description"],
            "grid_reference": row["grid_reference"], "martyr": row["martyr"],
            "visit_id": row["visit_id"], "commune": row["commune"], "province": row["province"],
            "datum": row["datum"] if _position(row) == "coordinate" else None,
            "uncertainty_m": point.get("uncertainty_m"), "position": _position(row),
            "mgrs": to_mgrs(point["latitude"], point["longitude"]) if point else ""}


def geojson(rows: list[dict[str, Any]]) -> bytes:
    features = [{"type": "Feature", "id": r["lead_id"],
                 "geometry": {"type": "Point", "coordinates": [
                     round(r["point"]["longitude"], 7), round(r["point"]["latitude"], 7)]},
                 "properties": _properties(r)} for r in rows if r["point"]]
    return json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False).encode("utf-8")


def kml(rows: list[dict[str, Any]]) -> bytes:
    root = ET.Element("kml", xmlns="http://www.opengis.net/kml/2.2")
    document = ET.SubElement(root, "Document")
    ET.SubElement(document, "name").text = "Số hóa ký ức — leads"
    for r in rows:
        if not r["point"]:
            continue
        mark = ET.SubElement(document, "Placemark", id=f"lead-{r['lead_id']}")
        ET.SubElement(mark, "name").text = _name(r)
        ET.SubElement(mark, "description").text = r["description"]
        data = ET.SubElement(mark, "ExtendedData")
        for key, value in _properties(r).items():
            item = ET.SubElement(data, "Data", name=key)
            ET.SubElement(item, "value").text = "" if value is None else str(value)
        point = ET.SubElement(mark, "Point")
        ET.SubElement(point, "coordinates").text = (
            f"{r['point']['longitude']:.7f},{r['point']['latitude']:.7f}")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def gpx(rows: list[dict[str, Any]]) -> bytes:
    root = ET.Element("gpx", version="1.1", creator="sohoa-server",
                      xmlns="http://www.topografix.com/GPX/1/1")
    for r in rows:
        if not r["point"]:
            continue
        point = ET.SubElement(root, "wpt", lat=f"{r['point']['latitude']:.7f}",
                              lon=f"{r['point']['longitude']:.7f}")
        ET.SubElement(point, "name").text = _name(r)
        ET.SubElement(point, "desc").text = r["description"]
        ET.SubElement(point, "type").text = f"{r['state']} ({_position(r)})"
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


COLUMNS = ("lead_id", "state", "latitude", "longitude", "mgrs", "datum", "uncertainty_m",
           "position", "description", "grid_reference", "martyr", "commune", "province",
           "visit_id")


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for r in rows:
        props = _properties(r)
        point = r["point"] or {}
        props.update(latitude=round(point["latitude"], 7) if point else None,
                     longitude=round(point["longitude"], 7) if point else None,
                     position=props["position"] if point else "none")
        writer.writerow([_cell(props.get(c)) for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: spreadsheets read UTF-8


def export(fmt: str, rows: list[dict[str, Any]]) -> bytes:
    return {"geojson": geojson, "kml": kml, "gpx": gpx, "csv": csv_bytes}[fmt](rows)
