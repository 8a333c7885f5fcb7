"""A station with a November 2026 whose every figure was counted by hand (docs/reports.md):

visit  day    recorded      commune   household  holds
V7     10-20  10-20         Ba Đình   D          1 page, 1 lead; consent 10-20
V1     11-03  11-03         Ba Đình   A          2 martyrs; relative (DNA), witness, veteran;
                                                 letter 3 pages, map 1 page + 1 video;
                                                 testimony of the witness, parts 3.25 + 2.5 s;
                                                 1 lead; consent 11-03; a 4th letter page
                                                 added 11-26; letter page 1 withdrawn 11-27
V2     11-14  11-14 15:00   Ba Đình   A again    1 martyr; diary 2 pages; testimony of a named
                                                 speaker 4.0 s; 2 leads; consent 11-14
V3     11-15  11-15         Bạch Mai  B          1 martyr, 1 witness; keepsake 1 page;
                                                 consent 11-15, the page withdrawn 11-20
V4     11-24  11-24 20:00   Ba Đình   C          1 martyr; photograph 1 page; consent 11-24
V5     11-25  11-25 08:00   Ba Đình   E          1 martyr; 1 page
V6     11-10  11-26 (late)  Ba Đình   F          1 martyr

Times are Vietnam's (UTC+7). The vault's clock is set before each step, so every row and audit
event carries the instant in the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import soundfile as sf

from capture import accounts, consent, testimony, visits
from capture.consent import DrawnSignature, Scopes, Signer
from capture.keyslots import KdfParams
from capture.kpis import VIETNAM
from capture.recorder import import_recording
from capture.roles import Role
from capture.vault import NewUser, StationSetup, UnlockedVault, Vault
from capture.visits import Household, ItemData, ItemKind, LeadData, MartyrData, PersonData

HANOI, BA_DINH, BACH_MAI = 1, 4, 277
STATION = "Đoàn Thanh niên phường Ba Đình"
COORDINATOR = ("mai", "Lê Thị Mai", "mật khẩu của Mai điều phối")
ADMIN_PASSPHRASE = "mật khẩu quản trị"
RATE = 8000
SIGNATURE = DrawnSignature([[(1.0, 2.0, 0, 0.5), (30.0, 9.0, 90, 0.6)]],
                           b"\x89PNG\r\n\x1a\n" + b"signature" * 10)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 10, 1, 8, 0, tzinfo=VIETNAM)

    def __call__(self) -> datetime:
        return self.now

    def at(self, day: str, hour: int = 9, minute: int = 0) -> None:
        self.now = datetime.fromisoformat(day).replace(hour=hour, minute=minute,
                                                        tzinfo=VIETNAM)


@dataclass
class Station:
    path: Path
    clock: Clock
    visit_ids: dict[str, str]


def _wav(folder: Path, name: str, seconds: float) -> Path:
    path = folder / f"{name}.wav"
    t = np.arange(int(seconds * RATE)) / RATE
    sf.write(path, (0.2 * np.sin(2 * np.pi * 440 * t)).astype("float32"), RATE,
             subtype="PCM_16")
    return path


class _Builder:
    def __init__(self, vault: UnlockedVault, clock: Clock, folder: Path) -> None:
        self.vault, self.clock, self.folder = vault, clock, folder
        self.count = 0

    def visit(self, day: str, ward: int, village: str, address: str, hour: int = 9,
              recorded: str | None = None) -> str:
        self.clock.at(recorded or day, hour)
        return visits.create_visit(self.vault, Household(HANOI, ward, village=village,
                                                         address=address, contact_name="Gia đình"),
                                   date.fromisoformat(day))

    def pages(self, visit_id: str, kind: ItemKind, photos: int, videos: int = 0,
              item: str | None = None) -> tuple[str, list[str]]:
        item = item or visits.add(self.vault, visit_id, ItemData(kind, title=kind.value))
        made = []
        for media, count in (("photo", photos), ("video", videos)):
            for _ in range(count):
                self.count += 1
                name = self.vault.store_bytes(f"ảnh số {self.count}".encode()).name
                made.append(visits.add_page(self.vault, item, name, media=media))
        return item, made

    def recording(self, testimony_id: str, seconds: float) -> str:
        self.count += 1
        return import_recording(self.vault, testimony_id,
                                _wav(self.folder, f"r{self.count}", seconds))

    def sign(self, visit_id: str, day: str, hour: int = 17) -> consent.ConsentView:
        self.clock.at(day, hour)
        return consent.record(self.vault, visit_id, Scopes(), Signer("Người đại diện", "con"),
                              SIGNATURE)


def build(folder: Path) -> Station:
    clock = Clock()
    path = folder / "vault"
    admin, _ = Vault.create(path, StationSetup(STATION, HANOI, BA_DINH),
                            NewUser("admin", "Nguyễn Văn Hùng", ADMIN_PASSPHRASE, Role.ADMIN),
                            clock=clock, kdf=KdfParams.for_tests())
    username, full_name, passphrase = COORDINATOR
    accounts.create_user(admin, NewUser(username, full_name, "tạm thời 12345", Role.COORDINATOR))
    admin.lock()
    vault = Vault(path, clock=clock).unlock(username, "tạm thời 12345")
    vault.set_new_passphrase(passphrase)
    b = _Builder(vault, clock, folder)
    ids: dict[str, str] = {}
    try:
        ids["V7"] = v7 = b.visit("2026-10-20", BA_DINH, "Thôn Bắc", "Số 9")
        b.pages(v7, ItemKind.PHOTOGRAPH, 1)
        visits.add(vault, v7, LeadData(description="Gò đất sau nhà"))
        b.sign(v7, "2026-10-20")

        ids["V1"] = v1 = b.visit("2026-11-03", BA_DINH, "Thôn Đông", "Số 5")
        visits.add(vault, v1, MartyrData("Nguyễn Văn Hùng"))
        visits.add(vault, v1, MartyrData("Trần Văn Bảy"))
        visits.add(vault, v1, PersonData("relative", "Nguyễn Thị Hoa", relationship="em gái",
                                         dna_willing=True))
        witness = visits.add(vault, v1, PersonData("witness", "Lê Văn Tám"))
        visits.add(vault, v1, PersonData("veteran", "Phạm Văn Năm"))
        letter, letter_pages = b.pages(v1, ItemKind.LETTER, 3)
        b.pages(v1, ItemKind.MAP, 1, videos=1)
        told = testimony.create_testimony(vault, v1, speaker_person_id=witness)
        b.recording(told, 3.25)
        b.recording(told, 2.5)
        visits.add(vault, v1, LeadData(description="Đồi thông"))
        v1_consent = b.sign(v1, "2026-11-03")

        ids["V2"] = v2 = b.visit("2026-11-14", BA_DINH, "thôn đông", "số  5", hour=15)
        visits.add(vault, v2, MartyrData("Lê Văn Sáu"))
        b.pages(v2, ItemKind.DIARY, 2)
        spoken = testimony.create_testimony(vault, v2, speaker_name="Bà Nguyễn Thị Sáu")
        b.recording(spoken, 4.0)
        visits.add(vault, v2, LeadData(description="Bờ suối"))
        visits.add(vault, v2, LeadData(description="Cây đa"))
        b.sign(v2, "2026-11-14", hour=18)

        ids["V3"] = v3 = b.visit("2026-11-15", BACH_MAI, "Tổ 3", "Ngõ 12")
        visits.add(vault, v3, MartyrData("Đỗ Văn Mười"))
        visits.add(vault, v3, PersonData("witness", "Hoàng Văn Một"))
        b.pages(v3, ItemKind.KEEPSAKE, 1)
        v3_consent = b.sign(v3, "2026-11-15")
        clock.at("2026-11-20", 10)
        consent.withdraw(vault, v3_consent.id, Signer("Người đại diện"), "gọi điện")

        ids["V4"] = v4 = b.visit("2026-11-24", BA_DINH, "Thôn Nam", "Số 1", hour=20)
        visits.add(vault, v4, MartyrData("Vũ Văn Hai"))
        b.pages(v4, ItemKind.PHOTOGRAPH, 1)
        b.sign(v4, "2026-11-24", hour=21)

        ids["V5"] = v5 = b.visit("2026-11-25", BA_DINH, "Thôn Tây", "Số 2", hour=8)
        visits.add(vault, v5, MartyrData("Bùi Văn Ba"))
        b.pages(v5, ItemKind.PHOTOGRAPH, 1)

        ids["V6"] = v6 = b.visit("2026-11-10", BA_DINH, "Thôn Giữa", "Số 3",
                                 recorded="2026-11-26")
        visits.add(vault, v6, MartyrData("Lý Văn Bốn"))
        b.pages(v1, ItemKind.LETTER, 1, item=letter)  # a page found later, same letter

        clock.at("2026-11-27", 10)
        first_page = consent.in_force(vault, v1_consent.id).covers[0]
        assert first_page.ref_id == letter_pages[0]
        consent.withdraw(vault, v1_consent.id, Signer("Người đại diện"), "đến trạm",
                         object_names=[first_page.object_name])
    finally:
        vault.lock()
    return Station(path, clock, ids)


def unlock(station: Station) -> UnlockedVault:
    return Vault(station.path, clock=station.clock).unlock(COORDINATOR[0], COORDINATOR[2])


def cutoff(day: str) -> datetime:
    """The end of a day in Vietnam."""
    return datetime.fromisoformat(day).replace(tzinfo=VIETNAM) + timedelta(days=1)
