"""Tutorial clips for the Youth Union's online training, made from the app itself.

    python packaging/guide/make_clips.py [OUT] [--only NAME ...]   # default OUT: clips/

Runs the real app offscreen in a throwaway SOHOA_HOME (a station with a volunteer, the practice
sample pictures and recording), drives it through the main tasks, grabs a frame at each step
(typing shows letter by letter), and writes for each task ``NAME.mp4`` (H.264 through PyAV's
bundled ffmpeg, 10 frames a second) with ``NAME.vi.vtt`` and ``NAME.en.vtt`` subtitles, one cue
per step. Run it again whenever the screens change; nothing is kept between runs.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FPS = 10
SIZE = (960, 664)  # even sides, as H.264's 4:2:0 needs
PASSPHRASE = "một câu thật dài để nhớ"  # noqa: S105 - a throwaway station's


@dataclass
class Step:
    """What the viewer sees for a while: the action (a generator: a frame at every yield),
    then the last frame held until ``seconds``, under one subtitle in each language."""

    vi: str
    en: str
    seconds: float
    action: Callable[[], Iterator[None]] | None = None


@dataclass
class Clip:
    name: str
    title_vi: str
    title_en: str
    steps: list[Step] = field(default_factory=list)


def _settle(ms: int = 60) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _wait(predicate: Callable[[], object], timeout_ms: int = 30_000) -> None:
    waited = 0
    while not predicate():
        _settle(50)
        waited += 50
        if waited > timeout_ms:
            raise TimeoutError("the screen did not reach the expected state")


def _typing(edit, text: str) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Type into a line edit a few letters per frame, as a person would."""
    for end in range(0, len(text) + 1, 2):
        edit.setText(text[:end])
        yield
    edit.setText(text)
    if hasattr(edit, "textEdited"):
        edit.textEdited.emit(text)
    yield


def _click(button) -> Iterator[None]:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    button.setFocus()
    yield
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    yield


class Studio:
    """The app, a station, and the frames of the clip being made."""

    def __init__(self) -> None:
        from capture import accounts, practice, visits
        from capture.keyslots import KdfParams
        from capture.models import User
        from capture.roles import Role
        from capture.vault import NewUser, StationSetup, Vault

        os.environ["SOHOA_HOME"] = tempfile.mkdtemp(prefix="sohoa-clips-")
        from capture import paths
        from ui import app as app_module
        from ui import i18n

        self.qt_app = app_module.create_app([])
        i18n.install(self.qt_app, "vi")
        self.kdf = KdfParams.for_tests()  # a throwaway station: no slow passphrase hash
        self.vault_path = paths.default_vault()
        admin, _ = Vault.create(self.vault_path, StationSetup(
            "Đoàn Thanh niên phường Ba Đình", 1, 4), NewUser(
            "quantri", "Quản trị trạm", PASSPHRASE, Role.ADMIN), kdf=self.kdf)
        for username, name, role in (("lan", "Nguyễn Thị Lan", Role.VOLUNTEER),
                                     ("mai", "Lê Thị Mai", Role.COORDINATOR),
                                     ("binh", "Trần Văn Bình", Role.OPERATOR)):
            accounts.create_user(admin, NewUser(username, name, PASSPHRASE, role))
        # Enrolled with a stand-in command (its age key made here), so a batch can be built
        # and written to a stick; nothing is ever sent anywhere.
        import pyrage
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        from capture import outbox, station

        outbox.record_enrolment(admin, outbox.Enrolment(
            "https://chqs.example", station.info(admin).id,
            str(pyrage.x25519.Identity.generate().to_public()),
            Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw,
                                                                   PublicFormat.Raw),
            admin.clock()))
        with admin.writing() as session:
            for user in session.query(User):
                user.must_change_passphrase = False
        admin.lock()
        self.samples = Path(os.environ["SOHOA_HOME"]) / "samples"
        practice.write_samples(self.samples)
        self.visits = visits
        self.window = app_module.AppWindow(self.vault_path, kdf=self.kdf)
        self.window.resize(1100, 760)
        self.window.show()
        self.frames: list = []  # type: ignore[type-arg]

    # -- frames --

    def grab(self):  # type: ignore[no-untyped-def]
        from PySide6.QtCore import Qt

        _settle()
        image = self.window.grab().toImage().scaled(
            *SIZE, Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation)
        return image

    def film(self, clip: Clip) -> tuple[list, list[tuple[float, float, str, str]]]:  # type: ignore[type-arg]
        """The frames and the cues (start, end, vi, en) of one clip."""
        frames: list = []  # type: ignore[type-arg]
        cues = []
        for step in clip.steps:
            start = len(frames) / FPS
            if step.action is not None:
                for _ in step.action():
                    frames.append(self.grab())
            last = self.grab()
            frames.append(last)
            while len(frames) / FPS < start + step.seconds:
                frames.append(last)
            cues.append((start, len(frames) / FPS, step.vi, step.en))
        return frames, cues

    # -- common moves --

    def sign_in(self, username: str) -> Iterator[None]:
        login = self.window.login
        yield from _typing(login.username, username)
        yield from _typing(login.passphrase, PASSPHRASE)
        yield from _click(login.sign_in_button)
        _wait(lambda: self.window.shell is not None
              and self.window.current() is self.window.shell)
        yield

    def signed_in_as(self, username: str) -> None:
        """Straight to the workspace (for clips that do not show the sign-in)."""
        if self.window.shell is not None and self.window.vault is not None \
                and self.window.vault.actor.username == username:
            return
        if self.window.shell is not None:  # lock, then "someone else signs in"
            self.window.lock()
            _wait(lambda: self.window.current() is self.window.login)
            self.window.login.other_user.click()
        for _ in self.sign_in(username):
            _settle()

    def editor(self):  # type: ignore[no-untyped-def]
        from ui.viewmodels import Page

        return self.window.shell.page_widgets[Page.VISITS].editor

    def open_new_visit(self) -> Iterator[None]:
        from ui.viewmodels import Page

        page = self.window.shell.page_widgets[Page.VISITS]
        self.window.shell.show_page(Page.VISITS)
        page.show_list()
        yield
        yield from _click(page.new_button)
        _wait(lambda: page.editor.record is not None and page.stack.currentIndex() == 1)
        yield

    def latest_visit(self) -> str:
        return self.visits.list_visits(self.window.vault)[0].id


def clips(studio: Studio) -> list[Clip]:
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from capture import importer, testimony
    from capture import recorder as rec
    from ui.viewmodels import Page

    def first_login() -> Iterator[None]:
        yield from studio.sign_in("lan")

    def household() -> Iterator[None]:
        studio.signed_in_as("lan")
        yield from studio.open_new_visit()
        form = studio.editor().household
        yield from _typing(form.village, "Tổ dân phố số 5")
        yield from _typing(form.contact, "Bà Nguyễn Thị Hòa")
        form.save_now()
        yield

    def martyr() -> Iterator[None]:
        editor = studio.editor()
        yield from _click(editor.next_step)
        yield from _click(editor.martyrs.add_button)
        widgets = editor.martyrs.form.widgets
        yield from _typing(widgets["full_name"], "Nguyễn Văn Thắng")
        yield from _typing(widgets["unit"], "Tiểu đoàn 8")
        yield from _typing(widgets["death_place"], "Gần Suối Đá, phía nam cao điểm 203")
        editor.martyrs.save_now()
        yield

    def item() -> Iterator[None]:
        studio.signed_in_as("lan")
        editor = studio.editor()
        if editor.record is None:
            yield from studio.open_new_visit()
        editor.tabs.setCurrentWidget(editor.items)
        yield
        yield from _click(editor.items.add_button)
        yield from _typing(editor.items.form.widgets["title"], "Thư gửi mẹ, 1972")
        editor.items.save_now()
        _wait(lambda: bool(studio.visits.load_visit(studio.window.vault,
                                                    editor.record.id).items))
        yield

    def photos() -> Iterator[None]:
        editor = studio.editor()
        visit_id = editor.record.id
        item_id = studio.visits.load_visit(studio.window.vault, visit_id).items[0].id
        importer.import_files(studio.window.vault, item_id, [studio.samples / "thu.jpg"])
        editor.open_visit(visit_id)
        _wait(lambda: editor.record is not None and bool(editor.record.items)
              and bool(editor.record.items[0].pages))
        editor.tabs.setCurrentWidget(editor.items)
        _wait(lambda: editor.pages.model.rowCount() == 1)
        _settle(400)  # the thumbnail, decrypted off the GUI thread
        yield

    def recording() -> Iterator[None]:
        studio.signed_in_as("lan")
        editor = studio.editor()
        if editor.record is None:
            for _ in studio.open_new_visit():
                _settle()
        visit_id = editor.record.id
        vault = studio.window.vault
        testimony_id = testimony.create_testimony(vault, visit_id,
                                                  speaker_name="Bà Nguyễn Thị Hòa")
        rec.import_recording(vault, testimony_id, studio.samples / "loi-ke.flac")
        editor.open_visit(visit_id)
        _wait(lambda: editor.record is not None and editor.recorder is not None)
        editor.tabs.setCurrentWidget(editor.testimony)
        yield

    def marker() -> Iterator[None]:
        vault = studio.window.vault
        editor = studio.editor()
        testimony_id = testimony.list_testimonies(vault, editor.record.id)[-1]
        testimony.add_marker(vault, testimony_id, 4.0, "Nhắc tên đơn vị: tiểu đoàn 8", "unit")
        testimony.add_marker(vault, testimony_id, 9.0, "Nơi an táng: gần Suối Đá", "place")
        editor.open_visit(editor.record.id)
        _wait(lambda: editor.record is not None and editor.recorder is not None)
        editor.tabs.setCurrentWidget(editor.testimony)
        _settle(300)
        yield

    def consent_fill() -> Iterator[None]:
        studio.signed_in_as("lan")
        editor = studio.editor()
        if editor.record is None:
            for _ in studio.open_new_visit():
                _settle()
        editor.tabs.setCurrentWidget(editor.consent_tab)
        _wait(lambda: editor.consent_step is not None)
        step = editor.consent_step
        yield
        step.share_check.setChecked(True)
        yield
        step.media_anonymous.setChecked(True)
        yield
        step.dna_check.setChecked(True)
        yield
        yield from _typing(step.signer_name, "Nguyễn Thị Hòa")
        step.relationship.setEditText("em gái")
        yield

    def consent_sign() -> Iterator[None]:
        pad = studio.editor().consent_step.pad
        for stroke in ([(40, 120), (80, 60), (120, 140), (160, 70), (200, 130)],
                       [(230, 90), (300, 100), (360, 80)]):
            QTest.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(*stroke[0]))
            for x, y in stroke[1:]:
                QTest.mouseMove(pad, QPoint(x, y))
                yield
            QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(*stroke[-1]))
        yield

    def consent_record() -> Iterator[None]:
        step = studio.editor().consent_step
        done: list[str] = []
        step.consent_recorded.connect(done.append)
        yield from _click(step.record_button)
        _wait(lambda: bool(done))
        yield

    def submit() -> Iterator[None]:
        studio.signed_in_as("lan")
        editor = studio.editor()
        if editor.record is None:
            for _ in studio.open_new_visit():
                _settle()
        editor.tabs.setCurrentWidget(editor.submit_tab)
        _wait(lambda: editor.submit_step is not None)
        step = editor.submit_step
        yield
        if step.submit_button.isEnabled():
            yield from _click(step.submit_button)
            _wait(lambda: editor.read_only_note.isVisible())
        yield

    def review_queue() -> Iterator[None]:
        studio.signed_in_as("mai")
        studio.window.shell.show_page(Page.REVIEW)
        _settle(500)
        yield

    def approve() -> Iterator[None]:
        from capture import review

        review.approve(studio.window.vault, studio.visits.list_visits(
            studio.window.vault)[0].id, "Đủ phiếu đồng ý, ảnh rõ.")
        studio.window.shell.page_widgets[Page.REVIEW].refresh()
        _settle(400)
        yield

    def build_batch() -> Iterator[None]:
        studio.signed_in_as("binh")
        shell = studio.window.shell
        shell.show_page(Page.SYNC)
        page = shell.page_widgets[Page.SYNC]
        page.refresh()
        _wait(page.build_button.isEnabled)
        yield
        built: list[object] = []
        page.batches_built.connect(built.append)
        yield from _click(page.build_button)
        _wait(lambda: bool(built) and page.table.rowCount() == 1 and page.detail.isVisible(),
              60_000)
        yield

    def to_usb() -> Iterator[None]:
        page = studio.window.shell.page_widgets[Page.SYNC]
        stick = Path(os.environ["SOHOA_HOME"]) / "USB"
        stick.mkdir(exist_ok=True)
        written: list[str] = []
        page.exported.connect(written.append)
        yield from _click(page.usb_button)
        page.usb_dialog.add_folder(stick)
        _settle(300)
        yield
        page.usb_dialog.accept()
        _wait(lambda: bool(written), 60_000)
        _settle(300)
        yield

    return [
        Clip("01-dang-nhap", "Đăng nhập lần đầu", "Signing in for the first time", [
            Step("Mở ứng dụng Số hóa ký ức: trạm đang khóa.",
                 "Open Digitize Memories: the station is locked.", 3.0),
            Step("Gõ tên đăng nhập và mật khẩu của bạn, rồi bấm Đăng nhập.",
                 "Type your user name and passphrase, then press Sign in.", 4.0, first_login),
            Step("Bạn thấy danh sách chuyến thăm. Nhấn F1 ở bất kỳ đâu để mở hướng dẫn.",
                 "You see the list of visits. Press F1 anywhere to open the guide.", 3.5),
        ]),
        Clip("02-chuyen-tham", "Một chuyến thăm", "A visit", [
            Step("Bấm “+ Chuyến thăm mới” và điền thông tin hộ gia đình.",
                 "Press “+ New visit” and fill in the household.", 4.0, household),
            Step("Sang bước Liệt sĩ: họ tên, đơn vị, nơi hy sinh. Không rõ thì để trống.",
                 "Next, the martyr: name, unit, place of death. If unsure, leave it empty.",
                 5.0, martyr),
        ]),
        Clip("03-chup-anh", "Chụp ảnh tài liệu", "Photographing a document", [
            Step("Ở thẻ Hiện vật và ảnh, thêm hiện vật: một bức thư.",
                 "On the Items and photos tab, add an item: a letter.", 4.0, item),
            Step("Nhập ảnh từ máy ảnh hoặc thẻ nhớ: phẳng, đủ sáng, không đèn flash, cả trang "
                 "trong khung.", "Import the photos from the camera or card: flat, even light, "
                 "no flash, the whole page in the frame.", 5.0, photos),
        ]),
        Clip("04-ghi-am", "Ghi âm lời kể và đánh dấu", "Recording testimony with markers", [
            Step("Ở thẻ Lời kể: hỏi ý kiến trước, đặt micro gần người kể, trong phòng yên tĩnh.",
                 "On the Testimony tab: ask first, put the microphone near the speaker, in a "
                 "quiet room.", 4.5, recording),
            Step("Trong khi nghe, đặt điểm đánh dấu khi nghe tên đơn vị hay nơi an táng.",
                 "While listening, set a marker when you hear a unit's name or a burial place.",
                 4.5, marker),
        ]),
        Clip("05-phieu-dong-y", "Phiếu đồng ý", "The consent", [
            Step("Đọc từng phạm vi bằng lời dễ hiểu; gia đình chọn từng ô.",
                 "Read each scope in plain words; the family chooses each box.", 4.5,
                 consent_fill),
            Step("Người đại diện ký trên màn hình.", "The representative signs on the screen.",
                 3.0, consent_sign),
            Step("Lưu phiếu; gia đình nhận bản in hoặc PDF, và có thể rút lại bất cứ lúc nào.",
                 "Save the consent; the family gets a printed or PDF copy and may withdraw at "
                 "any time.", 4.0, consent_record),
        ]),
        Clip("06-duyet", "Gửi duyệt và duyệt", "Submitting and reviewing", [
            Step("Ở bước cuối, kiểm tra danh sách rồi bấm Gửi duyệt.",
                 "On the last step, check the list, then press Submit for review.", 4.0,
                 submit),
            Step("Điều phối viên mở hàng chờ duyệt: phiếu đồng ý, ảnh, tiếng, tên và địa danh.",
                 "The coordinator opens the review queue: consent, photos, audio, names and "
                 "places.", 4.0, review_queue),
        ]),
        Clip("07-usb", "Gửi lô qua USB", "A batch to a USB stick", [
            Step("Điều phối viên duyệt chuyến thăm đã đủ phiếu đồng ý.",
                 "The coordinator approves the visit, its consent complete.", 3.0, approve),
            Step("Cán bộ đồng bộ bấm Đóng gói: các chuyến thăm đã duyệt thành một lô mã hóa.",
                 "The sync operator presses Build batch: the approved visits become one "
                 "encrypted batch.", 4.5, build_batch),
            Step("Chọn Ghi ra USB; trạm ghi, đọc lại và kiểm tra. Mang USB về Bộ Chỉ huy và "
                 "nạp biên nhận khi có.", "Choose Write to USB drive; the station writes, reads "
                 "back and checks. Take the stick to the command and load the receipt.", 5.0,
                 to_usb),
        ]),
    ]


def _vtt_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def write_vtt(path: Path, cues: list[tuple[float, float, str]]) -> Path:
    lines = ["WEBVTT", ""]
    for number, (start, end, text) in enumerate(cues, start=1):
        lines += [str(number), f"{_vtt_time(start)} --> {_vtt_time(end)}", text, ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def write_mp4(path: Path, frames: list) -> Path:  # type: ignore[type-arg]
    import av
    import numpy as np
    from PySide6.QtGui import QImage

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height = SIZE
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "28", "preset": "veryfast"}
        for image in frames:
            rgb = image.convertToFormat(QImage.Format.Format_RGB888)
            row = rgb.bytesPerLine()
            data = np.frombuffer(rgb.constBits(), np.uint8, row * rgb.height())
            array = data.reshape(rgb.height(), row)[:, :rgb.width() * 3].reshape(
                rgb.height(), rgb.width(), 3)
            for packet in stream.encode(av.VideoFrame.from_ndarray(array, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def make(out: Path, only: list[str] | None = None) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    studio = Studio()
    made = []
    everything = clips(studio)
    names = [clip.name for clip in everything]
    unknown = sorted(set(only or ()) - set(names))
    if unknown:
        raise SystemExit(f"no such clip: {', '.join(unknown)} (there are {', '.join(names)})")
    last = max(names.index(name) for name in only) if only else len(names) - 1
    for clip in everything[:last + 1]:
        if only and clip.name not in only:
            # Later clips use what earlier ones did (a signed-in user, an open visit), so a
            # skipped clip still runs, without being filmed.
            for step in clip.steps:
                for _ in (step.action() if step.action else ()):
                    _settle()
            continue
        frames, cues = studio.film(clip)
        made.append(write_mp4(out / f"{clip.name}.mp4", frames))
        made.append(write_vtt(out / f"{clip.name}.vi.vtt", [(s, e, vi) for s, e, vi, _ in cues]))
        made.append(write_vtt(out / f"{clip.name}.en.vtt", [(s, e, en) for s, e, _, en in cues]))
    from ui import tasks

    tasks.wait_for_all()
    studio.window.close()
    return made


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "clips")
    parser.add_argument("--only", nargs="*", default=None, help="clip names to film")
    args = parser.parse_args(argv)
    for path in make(args.out, args.only):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
