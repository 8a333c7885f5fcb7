"""Makes coords_labelled.jsonl: texts with one coordinate each, as people write them, and texts
with none. Run from the repository root:

    .venv/bin/python tests/capture/data/make_coords_labelled.py

Each positive names its notation, its expected WGS 84 point (the known point the text was
written from) and a tolerance: what the written digits leave open plus half a metre. The texts
are written FROM the known points with pyproj and mgrs set up here, independently of
capture.coords: the VN-2000 and Indian 1960 grids through PROJ strings with their own
+towgs84 (the official parameters), not the EPSG codes and operations the parser uses, so a
wrong sign or a wrong zone in either shows as a miss. Hand-written lines (typos, odd spacing,
real-looking notes) are in coords_handwritten.jsonl beside this file and are appended as they are.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import mgrs
from pyproj import Transformer

HERE = Path(__file__).parent
M_PER_DEG = 111_320.0

# Known places (approximate; the exact points are jittered around them) and the province whose
# VN-2000 central meridian a surveyor there would use ("" outside Vietnam).
PLACES = [
    ("Thành cổ Quảng Trị", 16.7508, 107.1936, "Quảng Trị"),
    ("Nghĩa trang Trường Sơn", 16.9900, 106.8600, "Quảng Trị"),
    ("Khe Sanh", 16.6536, 106.7267, "Quảng Trị"),
    ("Điện Biên Phủ", 21.3833, 103.0167, "Điện Biên"),
    ("Hà Nội", 21.0285, 105.8542, "Hà Nội"),
    ("Huế", 16.4637, 107.5909, "Thừa Thiên Huế"),
    ("Đà Nẵng", 16.0544, 108.2022, "Đà Nẵng"),
    ("Vị Xuyên", 22.7700, 104.9800, "Hà Giang"),
    ("Đồng Lộc", 18.4500, 105.5800, "Hà Tĩnh"),
    ("Tây Ninh", 11.3100, 106.1000, "Tây Ninh"),
    ("Cà Mau", 9.1800, 105.1500, "Cà Mau"),
    ("Côn Đảo", 8.6800, 106.6000, "Bà Rịa - Vũng Tàu"),
    ("Pleiku", 13.9800, 108.0000, "Gia Lai"),
    ("Buôn Ma Thuột", 12.6700, 108.0400, "Đắk Lắk"),
    ("Kon Tum", 14.3500, 108.0000, "Kon Tum"),
    ("Quy Nhơn", 13.7800, 109.2200, "Bình Định"),
    ("Lạng Sơn", 21.8500, 106.7600, "Lạng Sơn"),
    ("Cao Bằng", 22.6700, 106.2600, "Cao Bằng"),
    ("Lào Cai", 22.4800, 103.9700, "Lào Cai"),
    ("Sơn La", 21.3300, 103.9100, "Sơn La"),
    ("Vinh", 18.6800, 105.6800, "Nghệ An"),
    ("Đồng Hới", 17.4700, 106.6200, "Quảng Bình"),
    ("Tam Kỳ", 15.5700, 108.4700, "Quảng Nam"),
    ("Quảng Ngãi", 15.1200, 108.8000, "Quảng Ngãi"),
    ("Nha Trang", 12.2400, 109.1900, "Khánh Hòa"),
    ("Đà Lạt", 11.9400, 108.4400, "Lâm Đồng"),
    ("Biên Hòa", 10.9500, 106.8200, "Đồng Nai"),
    ("Sài Gòn", 10.7800, 106.7000, "Hồ Chí Minh"),
    ("Cần Thơ", 10.0300, 105.7800, "Cần Thơ"),
    ("Rạch Giá", 10.0100, 105.0800, "Kiên Giang"),
    ("Mỹ Tho", 10.3600, 106.3600, "Tiền Giang"),
    ("Xepon", 16.6800, 106.2200, ""),
    ("Attapeu", 14.8100, 106.8300, ""),
    ("Sầm Nưa", 20.4200, 104.0500, ""),
    ("Luang Prabang", 19.8900, 102.1400, ""),
    ("Savannakhet", 16.5500, 104.7500, ""),
    ("Pakse", 15.1200, 105.8000, ""),
    ("Phonsavan", 19.4500, 103.2000, ""),
    ("Phnom Penh", 11.5600, 104.9200, ""),
    ("Kratie", 12.4900, 106.0200, ""),
    ("Stung Treng", 13.5200, 105.9700, ""),
    ("Banlung", 13.7400, 106.9900, ""),
    ("Hoàng Sa (Phú Lâm)", 16.8330, 112.3400, ""),
    ("Trường Sa Lớn", 8.6450, 111.9200, ""),
]

MERIDIANS = {  # the provinces above, TT 973/2001/TT-TCĐC
    "Quảng Trị": 106.25, "Điện Biên": 103.0, "Hà Nội": 105.0, "Thừa Thiên Huế": 107.0,
    "Đà Nẵng": 107.75, "Hà Giang": 105.5, "Hà Tĩnh": 105.5, "Tây Ninh": 105.5, "Cà Mau": 104.5,
    "Bà Rịa - Vũng Tàu": 107.75, "Gia Lai": 108.5, "Đắk Lắk": 108.5, "Kon Tum": 107.5,
    "Bình Định": 108.25, "Lạng Sơn": 107.25, "Cao Bằng": 105.75, "Lào Cai": 104.75,
    "Sơn La": 104.0, "Nghệ An": 104.75, "Quảng Bình": 106.0, "Quảng Nam": 107.75,
    "Quảng Ngãi": 108.0, "Khánh Hòa": 108.25, "Lâm Đồng": 107.75, "Đồng Nai": 107.75,
    "Hồ Chí Minh": 105.75, "Cần Thơ": 105.0, "Kiên Giang": 104.5, "Tiền Giang": 105.75,
}

# VN-2000 → WGS 84, QĐ 05/2007/QĐ-BTNMT, written as +towgs84 (position-vector rotations, so
# the published coordinate-frame rotations change sign).
VN2000_TOWGS84 = ("-191.90441429,-39.30318279,-111.45032835,"
                  "0.00928836,-0.01975479,0.00427372,0.252906278")
INDIAN_TOWGS84 = "198,881,317"  # EPSG:1542, Vietnam 14°–18°N
EVEREST = "+a=6377276.345 +rf=300.8017"  # Everest 1830 (1937 adjustment)


def vn2000_grid(meridian: float, k0: float) -> Transformer:
    return Transformer.from_crs(
        "EPSG:4326", f"+proj=tmerc +lat_0=0 +lon_0={meridian} +k={k0} +x_0=500000 +y_0=0 "
        f"+ellps=WGS84 +towgs84={VN2000_TOWGS84} +units=m +no_defs", always_xy=True)


def indian_utm(zone: int) -> Transformer:
    return Transformer.from_crs(
        "EPSG:4326", f"+proj=utm +zone={zone} {EVEREST} +towgs84={INDIAN_TOWGS84} +units=m "
        "+no_defs", always_xy=True)


def wgs_utm(zone: int) -> Transformer:
    return Transformer.from_crs("EPSG:4326", f"+proj=utm +zone={zone} +datum=WGS84 +units=m",
                                always_xy=True)


def zone_of(lon: float) -> int:
    return int((lon + 180) // 6) + 1


def band_of(lat: float) -> str:
    return "CDEFGHJKLMNPQRSTUVWX"[int((lat + 80) // 8)]


def angle_tol(lat: float, unit_lat: float, unit_lon: float) -> float:
    dy = unit_lat * M_PER_DEG
    dx = unit_lon * M_PER_DEG * math.cos(math.radians(lat))
    return math.hypot(dx, dy) / 2 + 0.5


def dms(value: float, sec_digits: int) -> tuple[int, int, float]:
    total = round(abs(value) * 3600, sec_digits)
    d, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return int(d), int(m), round(s, sec_digits)


def ddm(value: float, min_digits: int) -> tuple[int, float]:
    total = round(abs(value) * 60, min_digits)
    d, m = divmod(total, 60)
    return int(d), round(m, min_digits)


class Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows: list[dict] = []
        self.mgrs = mgrs.MGRS()

    def add(self, notation: str, text: str, lat: float, lon: float, tol: float,
            reference: tuple[float, float] | None = None, province: str = "") -> None:
        row = {"kind": "positive", "notation": notation, "text": text, "lat": round(lat, 8),
               "lon": round(lon, 8), "tolerance_m": round(tol, 2)}
        if reference is not None:
            row["reference"] = [round(reference[0], 4), round(reference[1], 4)]
        if province:
            row["province"] = province
        self.rows.append(row)

    def odd(self, text: str) -> str:
        """Odd spacing and the habits of typing: doubled spaces, a space lost after a comma."""
        r = self.rng.random()
        if r < 0.15:
            text = text.replace(", ", ",")
        elif r < 0.3:
            text = text.replace(" ", "  ", 1)
        elif r < 0.4:
            text = " " + text + " ."
        return text

    def sentence(self, core: str, templates: list[str]) -> str:
        return self.odd(self.rng.choice(templates).format(c=core))


VI = ["{c}", "Tọa độ: {c}", "toạ độ {c}", "Vị trí mộ: {c}.", "Bác kể chôn ở {c}, gần gốc đa",
      "Điểm nghi có mộ liệt sĩ ({c})", "GPS {c}", "Đồng đội đánh dấu {c} trên bản đồ",
      "Khu vực tìm kiếm tại {c} theo lời nhân chứng", "The grave is at {c}",
      "Location: {c}", "ông Ba nhớ chỗ đó ở {c} cách suối 300 mét"]
GRID = ["{c}", "tọa độ {c}", "Toạ độ lưới {c}", "Theo bản đồ: {c}", "grid {c}",
        "Vị trí trên bản đồ {c}, gần bờ suối", "Đồng chí Hùng đọc tọa độ {c} trong nhật ký",
        "map ref {c}"]


def jitter(rng: random.Random, lat: float, lon: float) -> tuple[float, float]:
    return lat + rng.uniform(-0.15, 0.15), lon + rng.uniform(-0.15, 0.15)


def generate(rng: random.Random) -> Writer:
    w = Writer(rng)
    for name, plat, plon, province in PLACES:
        lat, lon = jitter(rng, plat, plon)
        vietnam = bool(province)
        # 1. decimal, point
        d = rng.choice([4, 5, 6])
        w.add("decimal-point", w.sentence(f"{lat:.{d}f}, {lon:.{d}f}", VI), lat, lon,
              angle_tol(lat, 10**-d, 10**-d))
        # 2. decimal, Vietnamese comma
        d = rng.choice([4, 5])
        la, lo = f"{lat:.{d}f}".replace(".", ","), f"{lon:.{d}f}".replace(".", ",")
        core = rng.choice([f"{la}; {lo}", f"vĩ độ {la} kinh độ {lo}", f"{la} - {lo}",
                           f"Vĩ độ: {la}, Kinh độ: {lo}"])
        w.add("decimal-comma", w.sentence(core, VI), lat, lon, angle_tol(lat, 10**-d, 10**-d))
        # 3. decimal with hemisphere letters
        d = rng.choice([4, 5])
        core = rng.choice([f"{lat:.{d}f}°N, {lon:.{d}f}°E", f"N{lat:.{d}f} E{lon:.{d}f}",
                           f"{lat:.{d}f} B {lon:.{d}f} Đ", f"{lat:.{d}f}N {lon:.{d}f}E",
                           f"{lat:.{d}f}° Bắc, {lon:.{d}f}° Đông"])
        w.add("decimal-hemisphere", w.sentence(core, VI), lat, lon,
              angle_tol(lat, 10**-d, 10**-d))
        # 4. DMS with symbols
        sd = rng.choice([0, 1])
        a, b = dms(lat, sd), dms(lon, sd)
        width = 3 + sd if sd else 2

        def fs(seconds: float, width: int = width, sd: int = sd) -> str:
            return f"{seconds:0{width}.{sd}f}"
        style = rng.randrange(4)
        if style == 0:
            core = f"{a[0]}°{a[1]:02d}'{fs(a[2])}\"N {b[0]}°{b[1]:02d}'{fs(b[2])}\"E"
        elif style == 1:
            core = f"{a[0]}°{a[1]:02d}′{fs(a[2])}″B, {b[0]}°{b[1]:02d}′{fs(b[2])}″Đ"
        elif style == 2:
            core = f"N {a[0]}° {a[1]}' {fs(a[2])}'' E {b[0]}° {b[1]}' {fs(b[2])}''"
        else:
            core = f"{a[0]}o{a[1]:02d}'{fs(a[2])}\" N - {b[0]}o{b[1]:02d}'{fs(b[2])}\" E"
        w.add("dms-symbols", w.sentence(core, VI), lat, lon,
              angle_tol(lat, 10**-sd / 3600, 10**-sd / 3600))
        # 5. DMS in Vietnamese words
        a, b = dms(lat, 0), dms(lon, 0)
        core = rng.choice([
            f"{a[0]} độ {a[1]} phút {a[2]:.0f} giây vĩ độ Bắc, {b[0]} độ {b[1]} phút "
            f"{b[2]:.0f} giây kinh độ Đông",
            f"vĩ độ {a[0]} độ {a[1]} phút {a[2]:.0f} giây, kinh độ {b[0]} độ {b[1]} phút "
            f"{b[2]:.0f} giây",
            f"{a[0]} do {a[1]} phut {a[2]:.0f} giay bac, {b[0]} do {b[1]} phut {b[2]:.0f} giay "
            "dong"])
        w.add("dms-words", w.sentence(core, VI), lat, lon, angle_tol(lat, 1 / 3600, 1 / 3600))
        # 6. DDM with symbols
        md = rng.choice([2, 3])
        a2, b2 = ddm(lat, md), ddm(lon, md)
        core = rng.choice([f"{a2[0]}°{a2[1]:0{3 + md}.{md}f}'N {b2[0]}°{b2[1]:0{3 + md}.{md}f}'E",
                           f"N{a2[0]} {a2[1]:.{md}f}' E{b2[0]} {b2[1]:.{md}f}'"])
        core = core.replace(f"N{a2[0]} ", f"N{a2[0]}° ").replace(f"E{b2[0]} ", f"E{b2[0]}° ")
        w.add("ddm-symbols", w.sentence(core, VI), lat, lon,
              angle_tol(lat, 10**-md / 60, 10**-md / 60))
        # 7. DDM in Vietnamese words, decimal comma
        md = 2
        a2, b2 = ddm(lat, md), ddm(lon, md)
        core = (f"{a2[0]} độ {a2[1]:.2f} phút B, {b2[0]} độ {b2[1]:.2f} phút Đ").replace(".", ",")
        w.add("ddm-words", w.sentence(core, VI), lat, lon, angle_tol(lat, 10**-2 / 60, 1e-2 / 60))
        # 8. UTM (WGS 84)
        z = zone_of(lon)
        e, n = wgs_utm(z).transform(lon, lat)
        digits = rng.choice([0, 0, 1])
        es, ns = f"{e:.{digits}f}", f"{n:.{digits}f}"
        core = rng.choice([f"UTM {z}{band_of(lat)} {es} {ns}", f"{z}{band_of(lat)} {es}mE {ns}mN",
                           f"UTM zone {z}N E {es} N {ns}", f"UTM {z}{band_of(lat)} {es}E {ns}N"])
        w.add("utm", w.sentence(core, GRID), lat, lon, math.hypot(10**-digits, 10**-digits) / 2
              + 0.5)
        # 9. MGRS with the grid zone
        p = rng.choice([1, 2, 3, 4, 5])
        ref = w.mgrs.toMGRS(lat, lon, MGRSPrecision=p)
        cell = 10 ** (5 - p)
        sq = ref[3:5] if ref[2].isalpha() else ref[2:4]
        head, tail = ref[: ref.index(sq) + 2], ref[ref.index(sq) + 2:]
        core = rng.choice([ref, f"{head[:-2]} {sq} {tail[:p]} {tail[p:]}", f"{head} {tail}"])
        w.add("mgrs-zone", w.sentence(core, GRID), lat, lon, cell * math.sqrt(2) / 2 + 0.5)
        # 10. MGRS without the grid zone (the station knows the commune: a reference nearby)
        p = rng.choice([2, 3, 4])
        ref = w.mgrs.toMGRS(lat, lon, MGRSPrecision=p)
        sq_at = 3 if ref[2].isalpha() else 2
        sq, tail = ref[sq_at:sq_at + 2], ref[sq_at + 2:]
        core = rng.choice([f"{sq} {tail[:p]} {tail[p:]}", f"{sq}{tail}", f"{sq} {tail}"])
        ref_point = (lat + rng.uniform(-0.2, 0.2), lon + rng.uniform(-0.2, 0.2))
        w.add("mgrs-no-zone", w.sentence(core, ["tọa độ {c}", "Toạ độ lưới {c}", "grid {c}",
                                                "Theo bản đồ: {c}", "ô lưới {c}"]),
              lat, lon, 10 ** (5 - p) * math.sqrt(2) / 2 + 0.5, reference=ref_point)
        if vietnam:
            # 11. VN-2000, 6° zone
            z = zone_of(lon)
            e, n = vn2000_grid(z * 6 - 183, 0.9996).transform(lon, lat)
            core = rng.choice([f"VN-2000 múi {z}: X = {n:.0f}, Y = {e:.0f}",
                               f"X={n:.0f}; Y={e:.0f} (VN2000, UTM {z})",
                               f"hệ VN-2000 múi chiếu 6°, zone {z}, X: {n:.0f} Y: {e:.0f}"])
            w.add("vn2000-6", w.odd(core), lat, lon, 1 / math.sqrt(2) + 0.5)
            # 12. VN-2000, 3° zone, central meridian written
            m = MERIDIANS[province]
            e, n = vn2000_grid(m, 0.9999).transform(lon, lat)
            deg, minutes = int(m), round((m - int(m)) * 60)
            xs = f"{n:,.2f}".replace(",", " ").replace(".", ",")
            ys = f"{e:,.2f}".replace(",", " ").replace(".", ",")
            core = rng.choice([f"VN-2000, KTT {deg}°{minutes:02d}', múi 3°: X = {xs} m, Y = {ys} m",
                               f"Tọa độ VN2000 (kinh tuyến trục {deg} độ {minutes} phút, múi "
                               f"chiếu 3 độ) X={n:.1f} Y={e:.1f}",
                               f"X: {n:.0f}, Y: {e:.0f} - VN-2000 KTT {deg}°{minutes:02d}′ "
                               "múi 3°"])
            w.add("vn2000-3-meridian", w.odd(core), lat, lon, 1 / math.sqrt(2) + 0.5)
            # 13. VN-2000, 3° zone, meridian from the province named
            e, n = vn2000_grid(m, 0.9999).transform(lon, lat)
            core = rng.choice([f"Khu mộ tập thể, tỉnh {province}: X = {n:.0f}, Y = {e:.0f} "
                               "(VN-2000)",
                               f"X={n:.0f} Y={e:.0f} thuộc địa phận {province}",
                               f"Sở TN&MT {province} cấp tọa độ X {n:.0f}; Y {e:.0f}"])
            w.add("vn2000-3-province", w.odd(core), lat, lon, 1 / math.sqrt(2) + 0.5)
        if 14.0 <= lat <= 18.0 and 105.61 <= lon <= 109.36:
            # 14. Indian 1960 UTM;  15. a wartime sheet's grid square (Indian 1960 MGRS)
            z = zone_of(lon)
            e, n = indian_utm(z).transform(lon, lat)
            core = rng.choice([f"Indian 1960, UTM {z}{band_of(lat)} {e:.0f} {n:.0f}",
                               f"hệ Indian 1960: {z}{band_of(lat)} {e:.0f}mE {n:.0f}mN"])
            w.add("indian1960-utm", w.odd(core), lat, lon, 1 / math.sqrt(2) + 0.5)
            for p in (3, 4):
                # The square and digits of those Indian 1960 numbers, lettered as MGRS does.
                e3, n3 = math.floor(e / 10 ** (5 - p)), math.floor(n / 10 ** (5 - p))
                letters = w.mgrs.UTMToMGRS(z, "N", e, n, MGRSPrecision=p)
                if not letters.startswith(str(z)):
                    continue  # mgrs re-zones near a zone's edge: these digits are not its
                sq = letters[3:5]
                ed = f"{e3 % 10**p:0{p}d}"
                nd = f"{n3 % 10**p:0{p}d}"
                sheet = f"{rng.randint(6140, 6750)} {rng.choice(['I', 'II', 'III', 'IV'])}"
                core = rng.choice([f"bản đồ L7014 tờ {sheet}, tọa độ {sq} {ed} {nd}",
                                   f"Theo bản đồ Mỹ cũ (tờ {sheet}): {sq}{ed}{nd}",
                                   f"map sheet {sheet}, series L7014, grid {sq} {ed} {nd}"])
                w.add("indian1960-mgrs-sheet", w.odd(core), lat, lon,
                      10 ** (5 - p) * math.sqrt(2) / 2 + 0.5,
                      reference=(lat + rng.uniform(-0.2, 0.2), lon + rng.uniform(-0.2, 0.2)))
        # 16–18. links and geo: URIs
        d = rng.choice([5, 6, 7])
        la, lo = f"{lat:.{d}f}", f"{lon:.{d}f}"
        zoom = rng.choice([15, 17, 19])
        core = rng.choice([f"https://www.google.com/maps/place/{name.replace(' ', '+')}/@{la},{lo},"
                           f"{zoom}z", f"https://maps.google.com/?q={la},{lo}",
                           f"https://www.google.com/maps/search/?api=1&query={la}%2C{lo}",
                           f"https://www.google.com/maps/place/x/@{float(la) + 0.01:.{d}f},"
                           f"{float(lo) - 0.01:.{d}f},{zoom}z/data=!3m1!4b1!4m5!3m4!1s0x0:0x0!8m2"
                           f"!3d{la}!4d{lo}"])
        w.add("google-link", w.sentence(core, ["{c}", "Link bản đồ: {c}", "Anh gửi {c} nhé",
                                                "Chỗ này {c} (chị Lan gửi)"]), lat, lon,
              angle_tol(lat, 10**-d, 10**-d))
        core = rng.choice([f"https://www.openstreetmap.org/#map={zoom}/{la}/{lo}",
                           f"https://www.openstreetmap.org/?mlat={la}&mlon={lo}#map={zoom}/{la}/"
                           f"{lo}", f"osm.org/?mlat={la}&mlon={lo}"])
        w.add("osm-link", w.sentence(core, ["{c}", "OSM: {c}", "xem {c}"]), lat, lon,
              angle_tol(lat, 10**-d, 10**-d))
        core = rng.choice([f"geo:{la},{lo}", f"geo:{la},{lo};u=15", f"geo:0,0?q={la},{lo}(Mộ)"])
        w.add("geo-uri", w.sentence(core, ["{c}", "Vị trí chia sẻ: {c}", "{c} - điện thoại"]),
              lat, lon, max(15.5 if ";u=15" in core else 0, angle_tol(lat, 10**-d, 10**-d)))
    return w


NEGATIVE_TEMPLATES = [
    "Gọi cho chị Hoa số {phone} nhé", "SĐT: {phone}", "liên hệ {phone} hoặc {phone}",
    "Ông hy sinh ngày {date}", "Nhập ngũ {date}, hy sinh {date}", "ngày {d} tháng {m} năm {y}",
    "Đơn vị: {unit}, {unit}", "Thuộc {unit}, {unit}, {unit}", "Trận đánh ở Đồi {hill}",
    "cao điểm {hill} phía tây", "điểm cao {hill} m", "Quyết định số {doc}/QĐ-UBND ngày {date}",
    "Giấy báo tử số {doc}/GBT", "Công văn {doc}/CV-BCH năm {y}", "nặng {n} kg", "cách {n} mét",
    "đi bộ {n},{d} km rồi rẽ trái", "mộ sâu {d},{m} m, dài {d},{m} m", "nhiệt độ {hill2} độ C",
    "Địa chỉ: số {n}, đường {d}/{m}, phường {m}", "Km {n}+{hill} Quốc lộ {d}", "thôn {d}, xã {m}",
    "Năm {y} đơn vị đóng quân ở {unit}", "Giá {d}.500 đồng, {m}.000 đồng",
    "Máy bay B52 ném bom năm {y}", "tiểu đoàn {d}, đại đội {m}", "Liệt sĩ sinh năm {y}",
    "Tập {d} trang {n}", "lúc {d}.{m2} sáng ngày {date}", "diện tích {n},{d} ha",
    "Mã số {phone2}", "Biển số xe {plate}", "Bao gồm {n} hài cốt, {d} mộ", "TV {y}, HD {n}",
    "Room {n}, tầng {d}", "phone {phone}", "born {date}, died {date}", "Unit {unit}, hill {hill}",
]
UNITS = ["E24", "F304", "d3", "c2", "E66", "F320", "d8", "c11", "E95", "F325", "b2", "K20",
         "E271", "F308", "d14", "c5"]


def negatives(rng: random.Random, count: int) -> list[dict]:
    rows = []
    for index in range(count):
        template = NEGATIVE_TEMPLATES[index % len(NEGATIVE_TEMPLATES)]
        values = {
            "phone": rng.choice([f"09{rng.randint(10_000_000, 99_999_999)}",
                                 f"+84 9{rng.randint(10, 99)} {rng.randint(100, 999)} "
                                 f"{rng.randint(100, 999)}",
                                 f"0{rng.randint(200, 299)}.{rng.randint(3_000_000, 3_999_999)}",
                                 f"0{rng.randint(200, 299)}.{rng.randint(100, 999)}."
                                 f"{rng.randint(100, 999)}"]),
            "phone2": f"{rng.randint(100_000, 999_999)}",
            "date": rng.choice([f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/"
                                f"{rng.randint(1950, 1979)}",
                                f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}."
                                f"{rng.randint(1950, 1979)}",
                                f"{rng.randint(1, 28)}-{rng.randint(1, 12)}-"
                                f"{rng.randint(1950, 1979)}"]),
            "d": rng.randint(1, 28), "m": rng.randint(1, 12), "m2": f"{rng.randint(0, 59):02d}",
            "y": rng.randint(1945, 2026), "unit": rng.choice(UNITS),
            "hill": rng.randint(100, 1800), "hill2": rng.randint(20, 40),
            "doc": rng.randint(1, 9999), "n": rng.randint(1, 999),
            "plate": f"{rng.randint(11, 99)}A-{rng.randint(100, 999)}.{rng.randint(10, 99)}",
        }
        text = template
        while "{" in text:
            key = text[text.index("{") + 1:text.index("}")]
            text = text.replace("{" + key + "}", str(values[key]), 1)
            if key in ("phone", "date", "unit"):
                values[key] = {"phone": lambda: f"09{rng.randint(10_000_000, 99_999_999)}",
                               "date": lambda: f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/19"
                                               f"{rng.randint(50, 79)}",
                               "unit": lambda: rng.choice(UNITS)}[key]()
        rows.append({"kind": "negative", "text": text})
    return rows


def main() -> None:
    rng = random.Random(14)  # issue 14: the same file every time
    rows = generate(rng).rows + negatives(rng, 120)
    handwritten = HERE / "coords_handwritten.jsonl"
    if handwritten.exists():
        rows += [json.loads(line) for line in handwritten.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    out = HERE / "coords_labelled.jsonl"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                   encoding="utf-8")
    positives = [r for r in rows if r["kind"] == "positive"]
    print(f"{len(positives)} positives in {len({r['notation'] for r in positives})} notations, "
          f"{len(rows) - len(positives)} negatives → {out}")


if __name__ == "__main__":
    main()
