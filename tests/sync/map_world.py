"""What the map tests share: a small command (a store, the four roles, a visit whose lead gave a
grid reference), and map sheets drawn here and georeferenced with Debian's gdal_translate
(-a_srs / -a_ullr), as the command would have them from a scanner and QGIS."""

from __future__ import annotations

import math
import re
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from starlette.testclient import TestClient

from sync.server import accounts
from sync.server import index as ix
from sync.server.store import Store

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PASSWORDS = {name: f"mật khẩu của {name} 2026" for name in ("an", "binh", "cuong", "dung")}
ROLES = {"an": "admin", "binh": "analyst", "cuong": "verifier", "dung": "reader"}
LEAD = "71000000-0000-4000-8000-000000000001"
FAST = accounts.Policy(argon2_memory_kib=8 * 1024, argon2_iterations=1)

# The sheet: 10 km × 10 km of Indian 1960 / UTM 48N around the Khe Sanh combat base, in the
# wartime grid square XD; a red square drawn in its middle fifth, a blue bar along its top.
SHEET_SRS = "EPSG:3148"
SHEET_ULLR = (680000, 1846000, 690000, 1836000)  # west north east south, metres
RED, BLUE, PAPER = (200, 0, 0), (0, 0, 200), (250, 240, 200)


@dataclass
class World:
    store: Store
    data: Path


def build(folder: Path) -> World:
    store = Store.in_folder(folder)
    with store.begin() as conn:
        for name, role in ROLES.items():
            accounts.add_account(conn, name, role, PASSWORDS[name], NOW, FAST)
        ix.index_record(conn, {
            "format": "sohoa-visit/1",
            "visit": {"id": "71000000-0000-4000-8000-0000000000aa", "visit_date": "2026-11-30",
                      "province_code": 1, "ward_code": 4},
            "leads": [{"id": LEAD, "description": "Mộ dưới gốc đa, <b>bản đồ cũ</b>",
                       "grid_reference": "48Q XD 841 420"}]},
            "6f1c1a52-0000-4000-8000-000000000001", "71000000-0000-4000-8000-0000000000bb",
            NOW, consents=[])
    return World(store, folder)


def client(app, username: str | None) -> TestClient:  # type: ignore[no-untyped-def]
    signed = TestClient(app, follow_redirects=False)
    if username is not None:
        csrf = csrf_of(signed.get("/signin").text)
        answer = signed.post("/signin", data={"username": username, "csrf": csrf, "next": "/",
                                              "password": PASSWORDS[username]})
        assert answer.status_code == 303, answer.text
    return signed


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def sheet_png(size: int = 512) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (size, size), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle([size * 2 // 5, size * 2 // 5, size * 3 // 5, size * 3 // 5], fill=RED)
    draw.rectangle([0, 0, size - 1, size // 20], fill=BLUE)
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def georeference(png: Path, tif: Path, srs: str = SHEET_SRS,
                 ullr: tuple[float, float, float, float] = SHEET_ULLR) -> Path:
    subprocess.run(["gdal_translate", "-q", "-of", "GTiff", "-a_srs", srs, "-a_ullr",
                    *(str(v) for v in ullr), str(png), str(tif)], check=True, timeout=60)
    return tif


def sheet(folder: Path, srs: str = SHEET_SRS,
          ullr: tuple[float, float, float, float] = SHEET_ULLR) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    png = folder / "sheet.png"
    png.write_bytes(sheet_png())
    return georeference(png, folder / "sheet.tif", srs, ullr)


def sheet_centre(srs: str = SHEET_SRS,
                 ullr: tuple[float, float, float, float] = SHEET_ULLR) -> tuple[float, float]:
    """The WGS 84 latitude and longitude of the sheet's middle (the red square)."""
    from pyproj import Transformer

    west, north, east, south = ullr
    lon, lat = Transformer.from_crs(srs, "EPSG:4326", always_xy=True).transform(
        (west + east) / 2, (north + south) / 2)
    return lat, lon


def tile_of(lat: float, lon: float, z: int) -> tuple[int, int, int, int]:
    """The XYZ tile holding a point, and the point's pixel in it."""
    n = 2 ** z
    fx = (lon + 180) / 360 * n
    fy = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    x, y = int(fx), int(fy)
    return x, y, int((fx - x) * 256), int((fy - y) * 256)


def pixel(png: bytes, px: int, py: int) -> tuple[int, ...]:
    from PIL import Image

    return Image.open(BytesIO(png)).convert("RGBA").getpixel((px, py))


def seed_leads(store: Store, count: int, seed: int = 14) -> None:
    """``count`` leads straight into the database (ten a visit, across Vietnam, in every state
    a lead on the map can be in), half with a coordinate a person set, half only proposed:
    what the map reads, made in seconds rather than through ingest."""
    import json as _json
    import random

    from sqlalchemy import insert

    from sync.server import leads as ld

    rng = random.Random(seed)
    drawn = [s for s in ld.STATES if s != ld.DUPLICATE]  # a merged duplicate is not drawn
    visits, leads, states, proposals = [], [], [], []
    for n in range(count):
        visit_id = f"72000000-0000-4000-8000-{n // 10:012d}"
        if n % 10 == 0:
            visits.append({
                "visit_id": visit_id, "station_id": "6f1c1a52-0000-4000-8000-000000000001",
                "batch_id": visit_id, "received_at": NOW, "record_format": "sohoa-visit/1",
                "province_code": 1, "ward_code": 4, "visit_date": "2026-11-30",
                "status": "approved", "village": "", "address": "", "contact_name": "",
                "contact_phone": "", "latitude": None, "longitude": None, "notes": "",
                "withheld_captures": 0, "review": "[]"})
        lead_id = f"73000000-0000-4000-8000-{n:012d}"
        lat, lon = rng.uniform(8.6, 23.3), rng.uniform(102.2, 109.4)
        leads.append({
            "id": lead_id, "visit_id": visit_id, "position": n % 10, "martyr_id": None,
            "description": f"Nguồn tin số {n}: mộ gần suối, cách gốc đa {rng.randint(50, 900)} m",
            "latitude": None, "longitude": None, "grid_reference": "", "source_kind": "other",
            "source_ref": "", "source_testimony_id": None, "source_at_seconds": None,
            "confidence": "medium"})
        own = n % 2 == 0
        states.append({
            "lead_id": lead_id, "visit_id": visit_id, "state": drawn[n % len(drawn)],
            "assigned_to": None, "merged_into": None, "latitude": lat if own else None,
            "longitude": lon if own else None, "datum": "WGS 84" if own else None,
            "uncertainty_m": 70.7 if own else None, "notation": "mgrs" if own else None,
            "coordinate_from": "manual" if own else None, "remains_count": None,
            "received_at": NOW, "updated_at": NOW})
        if not own:
            proposals.append({
                "key": f"bench:{lead_id}", "lead_id": lead_id, "visit_id": visit_id,
                "source_kind": "lead-grid", "source_id": lead_id, "span_start": 0,
                "span_end": 10, "span_text": "XD 841 420", "latitude": lat, "longitude": lon,
                "datum": "WGS 84", "notation": "mgrs", "uncertainty_m": 707.1, "rank": 1,
                "candidates": 1, "plausibility": 0.9, "notes": _json.dumps([]),
                "status": "proposed", "decided_by": None, "decided_at": None, "created_at": NOW})
    with store.begin() as conn:
        for table, rows in ((ix.index_visits, visits), (ix.index_leads, leads),
                            (ld.lead_states, states), (ld.lead_proposals, proposals)):
            for start in range(0, len(rows), 2000):
                conn.execute(insert(table), rows[start:start + 2000])


def tiny_layer(store: Store, data: Path) -> str:
    """A map layer of one red tile (zoom 0), taken as an MBTiles file: for tests that need a
    layer and not GDAL's time. Its id."""
    import sqlite3

    from PIL import Image

    from sync.server import map_layers as ml
    from sync.server.actors import Actor

    _id, folder = ml.new_work_folder(data)
    png = BytesIO()
    Image.new("RGB", (256, 256), RED).save(png, "PNG")
    source = folder / "source.mbtiles"
    with sqlite3.connect(source) as db:
        db.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, "
                   "tile_row INTEGER, tile_data BLOB)")
        db.execute("INSERT INTO tiles VALUES (0, 0, 0, ?)", (png.getvalue(),))
    admin = Actor("an", "admin")
    built = ml.build(admin, source, "0" * 64)
    with store.begin() as conn:
        return ml.record(conn, admin, data, built, "Một ô đỏ", "red.mbtiles", NOW)
