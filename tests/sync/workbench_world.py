"""A command with something in it, for the workbench's tests: a real station vault makes a visit
(a martyr, a witness, a DNA volunteer, two real photos, one turned, a 4-second recorded
testimony with three markers, a lead taken from a marker, a signed consent), it is approved,
batched and ingested by the real server code into a real database; the command has one account
per role. Strings typed at the station include HTML, script and a spreadsheet formula, which
every page must show as text.

Built once per test module (``build``), because the browser tests share one browser.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image, ImageDraw

from capture import accounts as station_accounts
from capture import consent, review, visits
from capture import recorder as rec
from capture.consent import DrawnSignature, Scopes, Signer
from capture.keyslots import KdfParams
from capture.roles import Role
from capture.testimony import MarkerKind, add_marker, create_testimony, update_testimony
from capture.vault import NewUser, StationSetup, Vault
from capture.visits import Household, ItemData, ItemKind, LeadData, MartyrData, PersonData
from capture.visits import PersonKind as Kind
from sync import batch
from sync.server import accounts
from sync.server.ingest import ingest
from sync.server.keys import CommandKeys
from sync.server.store import Store
from tests.capture.recording_helpers import RATE, tone
from tests.sync.servers import enrol_vault

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
HOSTILE_NOTE = '<img src=x onerror="document.title=\'pwned\'">'
HOSTILE_LABEL = "<script>document.title='pwned'</script> tháng 3/1972"
FORMULA = '=HYPERLINK("http://evil.example/","bấm")'
MARKERS = [(0.5, "Chôn cất dưới gốc cây đa", MarkerKind.PLACE, "cạnh suối, phía đông"),
           (2.0, "Đại đội 3, Tiểu đoàn 8", MarkerKind.UNIT, FORMULA),
           (3.25, HOSTILE_LABEL, MarkerKind.DATE, "")]
PASSWORDS = {name: f"mật khẩu của {name} 2026" for name in ("an", "binh", "cuong", "dung")}
ROLES = {"an": "admin", "binh": "analyst", "cuong": "verifier", "dung": "reader"}
SECONDS = 4


@dataclass
class World:
    data: Path
    store: Store
    visit_id: str
    station_id: str
    batch_id: str
    ids: dict[str, object] = field(default_factory=dict)


def photo(text: str, size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    """A real JPEG, wider than tall, with a mark in its top-left corner so a turn shows, and
    the camera's GPS position in its EXIF (as a phone writes it: the family's house)."""
    import piexif

    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, size[0] // 4, size[1] // 4), fill=(250, 250, 250))
    draw.text((size[0] // 3, size[1] // 2), text, fill=(0, 0, 0))
    gps = {piexif.GPSIFD.GPSLatitudeRef: b"N", piexif.GPSIFD.GPSLatitude:
           ((16, 1), (45, 1), (30, 1)), piexif.GPSIFD.GPSLongitudeRef: b"E",
           piexif.GPSIFD.GPSLongitude: ((107, 1), (11, 1), (0, 1))}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, exif=piexif.dump({"GPS": gps}))
    return out.getvalue()


def clip(seconds: float = 2.0, fps: int = 10, size: tuple[int, int] = (160, 120)) -> bytes:
    """A real WebM (VP8) video, which the browser plays without proprietary codecs."""
    import av
    import numpy as np

    out = io.BytesIO()
    with av.open(out, "w", format="webm") as container:
        stream = container.add_stream("libvpx", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for index in range(int(seconds * fps)):
            picture = np.full((size[1], size[0], 3), (40, 120, 60), dtype=np.uint8)
            picture[:, : (index * 7) % size[0]] //= 2
            for packet in stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def _record(vault, testimony_id: str, seconds: int) -> None:  # type: ignore[no-untyped-def]
    recorder = rec.Recorder(vault, testimony_id)
    recorder.start(rec.SyntheticSource(tone, realtime=False, limit_frames=seconds * RATE))
    deadline = time.monotonic() + 60
    while recorder.frames_committed < seconds * RATE - 4096:  # the encoder keeps one frame
        assert time.monotonic() < deadline, "the recorder never committed the recording"
        time.sleep(0.02)
    recorder.stop()


def build(folder: Path, database_url: str) -> World:
    kdf = KdfParams.for_tests()
    admin, _ = Vault.create(folder / "vault", StationSetup("Trạm Hải Lăng", 1, 4),
                            NewUser("admin", "Nguyễn Văn Quản", "mật khẩu quản trị", Role.ADMIN),
                            kdf=kdf)
    for name, role in (("lan", Role.VOLUNTEER), ("minh", Role.COORDINATOR),
                       ("tuan", Role.OPERATOR)):
        station_accounts.create_user(admin, NewUser(name, name, "tạm thời 12345", role))
    path = admin.path
    admin.lock()
    for name in ("lan", "minh", "tuan"):
        first = Vault(path).unlock(name, "tạm thời 12345")
        first.set_new_passphrase(f"mật khẩu của {name}")
        first.lock()

    v = Vault(path).unlock("lan", "mật khẩu của lan")
    visit_id = visits.create_visit(v, Household(1, 4, village="Thôn Đông",
                                                contact_name="Nguyễn Thị Hoa",
                                                contact_phone="0912 345 678",
                                                notes=HOSTILE_NOTE))
    martyr = visits.add(v, visit_id, MartyrData("Nguyễn Văn Hùng", home_town="Thanh Hóa",
                                                death_place="Quảng Trị", death_date="1972-03",
                                                notes=FORMULA))
    witness = visits.add(v, visit_id, PersonData(Kind.WITNESS, "Trần Văn Bảy",
                                                 unit="Tiểu đoàn 8", notes=HOSTILE_NOTE))
    relative = visits.add(v, visit_id, PersonData(
        Kind.RELATIVE, "Nguyễn Thị Hoa", relationship="em gái", martyr_id=martyr,
        dna_willing=True, dna_contact="gọi buổi tối"))
    item = visits.add(v, visit_id, ItemData(ItemKind.LETTER, title="Thư gửi mẹ <b>1971</b>",
                                            martyr_id=martyr))
    photos = [photo("trang 1", (900, 600), (180, 40, 40)),
              photo("trang 2", (900, 600), (40, 80, 180))]
    pages = [visits.add_page(v, item, v.store_bytes(p).name, original_filename=f"IMG_{i}.JPG")
             for i, p in enumerate(photos)]
    visits.rotate_page(v, pages[1], 1)
    keepsake = visits.add(v, visit_id, ItemData(ItemKind.KEEPSAKE, title="Chiếc bi đông",
                                                martyr_id=martyr))
    video = visits.add_page(v, keepsake, v.store_bytes(clip()).name, media="video",
                            original_filename="VID_0001.webm")
    testimony = create_testimony(v, visit_id, speaker_person_id=witness,
                                 language="tiếng Việt (Nghệ An)", notes="Ông Bảy kể chuyện")
    update_testimony(v, testimony, martyr_ids=[martyr])
    _record(v, testimony, SECONDS)
    markers = [add_marker(v, testimony, at, label, kind, note)
               for at, label, kind, note in MARKERS]
    lead = visits.add(v, visit_id, LeadData("Mộ ở gốc cây đa gần suối", martyr_id=martyr,
                                            source_kind="testimony", source_ref=markers[0]))
    record = consent.record(v, visit_id, Scopes(share_with_authorities=True,
                                                media_use="named", dna_contact=True),
                            Signer("Nguyễn Thị Hoa", "em gái"),
                            DrawnSignature([[(1.0, 2.0, 0, 0.5), (3.0, 4.0, 50, 0.5)]],
                                           b"\x89PNG signature"))
    review.submit(v, visit_id)
    v.lock()
    coordinator = Vault(path).unlock("minh", "mật khẩu của minh")
    review.approve(coordinator, visit_id, "đủ")
    coordinator.lock()
    operator = Vault(path).unlock("tuan", "mật khẩu của tuan")

    data = folder / "command"
    keys = CommandKeys.create(data / "keys")
    store = Store(database_url)
    station_id = enrol_vault(store, operator, NOW)
    summary = batch.build(operator, folder / "first.age", keys.recipient)
    operator.lock()
    ingest(folder / "first.age", store, keys, data / "archive", now=lambda: NOW,
           station_id=station_id)
    policy = accounts.Policy(argon2_memory_kib=8 * 1024, argon2_iterations=1)
    with store.begin() as conn:
        for name, role in ROLES.items():
            accounts.add_account(conn, name, role, PASSWORDS[name], NOW, policy)
    return World(data, store, visit_id, station_id, summary.batch_id, {
        "martyr": martyr, "witness": witness, "relative": relative, "item": item,
        "pages": pages, "photos": photos, "video": video, "testimony": testimony,
        "markers": markers,
        "lead": lead, "consent": record.id})
