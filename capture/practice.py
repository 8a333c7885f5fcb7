"""The practice station: a training vault in its own folder beside the real one, with a sample
household to visit — pictures of a letter, a diary page, a medal certificate and a hand-drawn map,
and a short recording — and accounts for every role whose passphrase is printed on the screen.

The vault's station row carries ``practice = True`` from its creation (there is no function that
changes it), and ``refuse`` is the one check the core calls before anything leaves the laptop:
enrolment, building a batch, uploading, writing to USB. The practice folder is always
``<data>/practice`` next to ``<data>/vault``; a reset wipes only a folder whose vault says it is
a practice vault, and makes the sample again.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from capture import accounts, visits
from capture.errors import CaptureError, WrongPassphrase
from capture.keyslots import KdfParams
from capture.models import User
from capture.paths import assets_dir
from capture.roles import Role
from capture.vault import Clock, NewUser, StationSetup, UnlockedVault, Vault, utc_now

MARK = "LUYỆN TẬP — PRACTICE"  # also report_files.PRACTICE_MARK (that module needs no vault)
PASSPHRASE = "luyện tập 2026"  # noqa: S105 - printed on the practice screen
# One account per role, so a trainee can try every part of the station.
USERS = {
    Role.VOLUNTEER: ("tnv", "Tình nguyện viên Luyện tập"),
    Role.COORDINATOR: ("dieuphoi", "Điều phối viên Luyện tập"),
    Role.OPERATOR: ("dongbo", "Cán bộ đồng bộ Luyện tập"),
    Role.ADMIN: ("quantri", "Quản trị Luyện tập"),
}
STATION_NAME = "Trạm luyện tập"
# A real commune, so the place lists behave as at a real station (Hà Nội, Phường Ba Đình).
PROVINCE_CODE, WARD_CODE = 1, 4
SAMPLES = ("thu.jpg", "nhat-ky.jpg", "giay-khen.jpg", "ban-do.jpg", "loi-ke.flac")
SAMPLE_HOUSEHOLD = visits.Household(
    province_code=PROVINCE_CODE, ward_code=WARD_CODE, village="Tổ dân phố số 5",
    address="Số 12, ngõ Hòa Bình", contact_name="Bà Nguyễn Thị Hòa (mẫu luyện tập)",
    contact_phone="0900 000 000", notes="Hộ gia đình mẫu để luyện tập — không có thật.")


class PracticeError(CaptureError):
    message = "The practice station could not be prepared."


class PracticeOnly(PracticeError):
    message = ("This is the practice station: nothing in it can be enrolled, sent or exported. "
               "Sign in to the real station to do that.")


class NotAPracticeVault(PracticeError):
    message = ("The folder {path} holds a vault that is not a practice vault; it was left "
               "untouched.")


@dataclass(frozen=True)
class Practice:
    """Where the practice station lives: ``folder/vault`` and ``folder/samples``."""

    folder: Path

    @classmethod
    def beside(cls, real_vault: Path) -> Practice:
        return cls(Path(real_vault).parent / "practice")

    @property
    def vault_path(self) -> Path:
        return self.folder / "vault"

    @property
    def samples(self) -> Path:
        return self.folder / "samples"

    def exists(self) -> bool:
        return Vault.exists(self.vault_path)


def is_practice(vault: UnlockedVault) -> bool:
    return bool(vault.station().practice)


def refuse(vault: UnlockedVault) -> None:
    """Raise ``PracticeOnly`` on the practice station: called by every path that sends or
    writes the station's material off the laptop."""
    if is_practice(vault):
        raise PracticeOnly()


def open_vault(practice: Practice, role: Role = Role.VOLUNTEER, *, clock: Clock = utc_now,
               kdf: KdfParams | None = None) -> UnlockedVault:
    """Sign in to the practice station as ``role``, making it first if it is not there."""
    if not practice.exists():
        create(practice, clock=clock, kdf=kdf)
    try:
        vault = Vault(practice.vault_path, clock).unlock(USERS[role][0], PASSPHRASE)
    except WrongPassphrase:
        raise NotAPracticeVault(path=str(practice.vault_path)) from None
    if not is_practice(vault):
        vault.lock()
        raise NotAPracticeVault(path=str(practice.vault_path))
    return vault


def create(practice: Practice, *, clock: Clock = utc_now, kdf: KdfParams | None = None) -> None:
    """Make the practice vault, its accounts, the sample household's visit and the sample
    files. The recovery key is thrown away: the passphrase is public and a reset remakes all."""
    practice.folder.mkdir(parents=True, exist_ok=True)
    write_samples(practice.samples)
    admin_name, admin_full = USERS[Role.ADMIN]
    admin, _recovery = Vault.create(
        practice.vault_path,
        StationSetup(STATION_NAME, PROVINCE_CODE, WARD_CODE, practice=True),
        NewUser(admin_name, admin_full, PASSPHRASE, Role.ADMIN), clock=clock, kdf=kdf)
    try:
        for role, (username, full_name) in USERS.items():
            if role is not Role.ADMIN:
                accounts.create_user(admin, NewUser(username, full_name, PASSPHRASE, role))
        # New accounts must choose their passphrase on first sign-in; not here.
        with admin.writing() as session:
            for user in session.query(User):
                user.must_change_passphrase = False
                admin.audit(session, "change", "user", user.username,
                            what="practice account: its passphrase is printed")
    finally:
        admin.lock()
    volunteer = Vault(practice.vault_path, clock).unlock(USERS[Role.VOLUNTEER][0], PASSPHRASE)
    try:
        visits.create_visit(volunteer, SAMPLE_HOUSEHOLD, clock().date())
    finally:
        volunteer.lock()


def reset(practice: Practice, *, clock: Clock = utc_now, kdf: KdfParams | None = None) -> None:
    """Put the sample back: wipe the practice folder and make it again. Only ever a folder whose
    vault opens with the practice passphrase and says it is a practice vault."""
    if practice.exists():
        try:
            vault = Vault(practice.vault_path, clock).unlock(USERS[Role.ADMIN][0], PASSPHRASE)
        except CaptureError:
            raise NotAPracticeVault(path=str(practice.vault_path)) from None
        try:
            if not is_practice(vault):
                raise NotAPracticeVault(path=str(practice.vault_path))
        finally:
            vault.lock()
    elif practice.vault_path.exists() and any(practice.vault_path.iterdir()):
        raise NotAPracticeVault(path=str(practice.vault_path))  # something else: keep it
    shutil.rmtree(practice.folder, ignore_errors=True)
    create(practice, clock=clock, kdf=kdf)


# --- the sample files ---------------------------------------------------------------------------


def write_samples(folder: Path) -> list[Path]:
    """The household's keepsakes as pictures a trainee imports like camera photos, and a short
    recording of a witness. Made here, so nothing from a real family ships with the app."""
    folder.mkdir(parents=True, exist_ok=True)
    made = [
        _letter(folder / SAMPLES[0]),
        _diary(folder / SAMPLES[1]),
        _certificate(folder / SAMPLES[2]),
        _map(folder / SAMPLES[3]),
        recording(folder / SAMPLES[4]),
    ]
    return made


def _font(size: int, bold: bool = False):  # type: ignore[no-untyped-def]
    from PIL import ImageFont

    name = "NotoSans-Bold.ttf" if bold else "NotoSans-Regular.ttf"
    return ImageFont.truetype(str(assets_dir() / "fonts" / name), size)


def _paper(size: tuple[int, int], colour: tuple[int, int, int]):  # type: ignore[no-untyped-def]
    import numpy as np
    from PIL import Image

    # Old paper: a warm base with a little grain, so the quality hints see a real texture.
    grain = np.random.default_rng(18).normal(0, 6, (size[1], size[0], 1))
    base = np.clip(np.array(colour, dtype=float) + grain, 0, 255).astype("uint8")
    return Image.fromarray(base, "RGB")


def _stamp(draw, width: int, height: int) -> None:  # type: ignore[no-untyped-def]
    draw.text((width - 30, height - 30), MARK, font=_font(26, True), fill=(170, 30, 30),
              anchor="rd")


def _letter(path: Path) -> Path:
    from PIL import ImageDraw

    image = _paper((1200, 1600), (236, 226, 200))
    draw = ImageDraw.Draw(image)
    ink = (40, 50, 110)
    lines = ["Mặt trận phía Nam, ngày 14 tháng 3 năm 1972", "", "Mẹ kính yêu!",
             "Con viết thư này khi đơn vị dừng chân bên suối.",
             "Con vẫn khỏe, mẹ đừng lo. Anh em trong tiểu đội",
             "thương nhau như ruột thịt. Đêm qua trời mưa to,",
             "chúng con hành quân qua đèo, ai cũng ướt hết.",
             "Mẹ giữ gìn sức khỏe, đợi ngày con về.", "",
             "Con của mẹ,", "Nguyễn Văn Thắng (thư mẫu)"]
    for number, line in enumerate(lines):
        draw.text((110, 150 + number * 92), line, font=_font(44), fill=ink)
    _stamp(draw, *image.size)
    image.save(path, "JPEG", quality=88)
    return path


def _diary(path: Path) -> Path:
    from PIL import ImageDraw

    image = _paper((1200, 1600), (228, 222, 196))
    draw = ImageDraw.Draw(image)
    for y in range(200, 1560, 70):
        draw.line((80, y, 1120, y), fill=(170, 180, 200), width=2)
    draw.text((100, 90), "Nhật ký — ngày 2 tháng 5 năm 1972", font=_font(48, True),
              fill=(30, 30, 30))
    lines = ["Hành quân suốt đêm. Đến cao điểm 203 lúc rạng sáng.",
             "Đồng chí Tâm bị thương nhẹ ở tay. Đơn vị đào hầm",
             "dưới tán rừng khộp, cách suối Đá chừng một cây số.",
             "Chiều nay được tin nhà, vui lắm.", "Mong hòa bình sớm về."]
    for number, line in enumerate(lines):
        draw.text((100, 210 + number * 140), line, font=_font(40), fill=(50, 40, 40))
    _stamp(draw, *image.size)
    image.save(path, "JPEG", quality=88)
    return path


def _certificate(path: Path) -> Path:
    from PIL import ImageDraw

    image = _paper((1600, 1150), (244, 236, 214))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 1560, 1110), outline=(160, 30, 30), width=14)
    draw.rectangle((70, 70, 1530, 1080), outline=(200, 160, 60), width=5)
    red = (150, 20, 20)
    draw.text((800, 170), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=_font(46, True), fill=red,
              anchor="mm")
    draw.text((800, 240), "Độc lập – Tự do – Hạnh phúc", font=_font(38), fill=red, anchor="mm")
    draw.text((800, 420), "GIẤY CHỨNG NHẬN", font=_font(90, True), fill=red, anchor="mm")
    draw.text((800, 560), "Huân chương Chiến sĩ giải phóng hạng Ba", font=_font(52),
              fill=(40, 40, 40), anchor="mm")
    draw.text((800, 680), "Tặng đồng chí Nguyễn Văn Thắng (mẫu)", font=_font(48),
              fill=(40, 40, 40), anchor="mm")
    draw.ellipse((1200, 760, 1420, 980), outline=red, width=8)
    draw.text((1310, 870), "ẤN", font=_font(50, True), fill=red, anchor="mm")
    _stamp(draw, *image.size)
    image.save(path, "JPEG", quality=88)
    return path


def _map(path: Path) -> Path:
    from PIL import ImageDraw

    image = _paper((1500, 1100), (238, 232, 212))
    draw = ImageDraw.Draw(image)
    pencil = (70, 70, 70)
    draw.line([(80, 900), (300, 780), (520, 820), (760, 640), (1000, 600), (1400, 420)],
              fill=(60, 90, 170), width=10)  # the stream
    draw.text((1050, 520), "Suối Đá", font=_font(40), fill=(60, 90, 170))
    for x, y in ((300, 300), (420, 260), (560, 320)):
        draw.polygon([(x, y - 70), (x - 70, y + 50), (x + 70, y + 50)], outline=pencil, width=5)
    draw.text((330, 380), "Cao điểm 203", font=_font(40), fill=pencil)
    draw.line((820, 300, 900, 380), fill=(170, 20, 20), width=10)
    draw.line((900, 300, 820, 380), fill=(170, 20, 20), width=10)
    draw.text((930, 300), "Nơi chôn cất (theo lời kể)", font=_font(38), fill=(170, 20, 20))
    draw.line((1350, 120, 1350, 240), fill=pencil, width=6)
    draw.polygon([(1350, 90), (1330, 140), (1370, 140)], fill=pencil)
    draw.text((1350, 260), "B", font=_font(44, True), fill=pencil, anchor="mt")
    draw.text((80, 80), "Bản đồ vẽ tay (mẫu)", font=_font(50, True), fill=pencil)
    _stamp(draw, *image.size)
    image.save(path, "JPEG", quality=88)
    return path


SPOKEN = ("Đây là bản ghi mẫu để luyện tập. Anh Thắng nhập ngũ năm một nghìn chín trăm bảy "
          "mươi mốt, đơn vị tiểu đoàn tám. Anh hy sinh gần suối Đá, phía nam cao điểm hai lẻ ba.")
RATE = 16_000


def recording(path: Path) -> Path:
    """A short witness: Vietnamese speech from espeak-ng when the laptop has it, else a
    synthesised voice-like tone (a few seconds), written as FLAC like the recorder's."""
    import numpy as np
    import soundfile

    samples = _espeak(SPOKEN)
    if samples is None:
        seconds = 8.0
        t = np.arange(int(RATE * seconds)) / RATE
        pitch = 150 + 20 * np.sin(2 * np.pi * 0.7 * t)
        phase = 2 * np.pi * np.cumsum(pitch) / RATE
        voice = sum(np.sin(k * phase) / k for k in range(1, 6))
        syllables = np.clip(np.sin(2 * np.pi * 3.2 * t), 0, None) ** 0.6
        samples = (0.25 * voice * syllables).astype("float32")
    soundfile.write(str(path), samples, RATE, format="FLAC", subtype="PCM_16")
    return path


def _espeak(text: str):  # type: ignore[no-untyped-def]
    import numpy as np
    import soundfile

    espeak = shutil.which("espeak-ng")
    if espeak is None:
        return None
    with tempfile.TemporaryDirectory() as temp:
        wav = Path(temp) / "speech.wav"
        try:
            subprocess.run([espeak, "-v", "vi", "-s", "150", "-w", str(wav), text],
                           check=True, capture_output=True, timeout=30)
            data, rate = soundfile.read(str(wav), dtype="float32")
        except (OSError, subprocess.SubprocessError, RuntimeError):
            return None
    if data.ndim > 1:
        data = data.mean(axis=1)
    if rate != RATE:  # espeak-ng speaks at 22.05 kHz: resample linearly, it is only a sample
        positions = np.arange(int(len(data) * RATE / rate)) * rate / RATE
        data = np.interp(positions, np.arange(len(data)), data).astype("float32")
    return data
