"""The family's receipt for a consent: one A4 page in Vietnamese, saved only where the user
chooses, or printed.

The receipt is the family's own paper, so it is always in Vietnamese whatever language the app
shows (the strings below are Vietnamese on purpose, not translated UI text). It says what the
family agreed to in plain words, who signed and who witnessed, when, the reference code in large
type, and how to take the consent back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from capture import consent, station, visits
from capture.consent import MediaUse
from capture.vault import UnlockedVault
from ui.documents import practice_mark
from ui.resources import mono_font, ui_font
from ui.viewmodels import day_month_year

DPI = 300
TITLE = "Giấy biên nhận phiếu đồng ý"
HOW_TO_WITHDRAW = ("Gia đình có thể rút lại hoặc thay đổi sự đồng ý bất cứ lúc nào: báo cho Đoàn "
                   "Thanh niên xã/phường hoặc Bộ Chỉ huy quân sự tỉnh, kèm mã phiếu. Khi rút lại, "
                   "tư liệu không được gửi đi thêm và cơ quan đã nhận sẽ được thông báo.")


@dataclass(frozen=True)
class ReceiptData:
    reference_code: str
    station_name: str
    place: str
    visit_date: str  # dd/mm/yyyy
    household_contact: str
    signer: str
    relationship: str
    evidence: str
    scopes: list[tuple[str, str]]  # (what, the family's answer), in plain Vietnamese
    embargo: str
    witness: str
    signed_at: str  # dd/mm/yyyy HH:MM, local time
    signature_png: bytes | None = None
    replaces: str = ""  # an amendment: the code of the consent it changes
    practice: bool = False  # printed at the practice station: marked as such


def scope_lines(scopes: consent.Scopes) -> list[tuple[str, str]]:
    media = {
        MediaUse.NAMED: "Đồng ý, có ghi tên gia đình",
        MediaUse.ANONYMOUS: "Đồng ý, nhưng không ghi tên gia đình",
        MediaUse.NONE: "Không đồng ý",
    }[MediaUse(scopes.media_use)]
    dna = "Không đồng ý"
    if scopes.dna_contact:
        dna = "Đồng ý" + (f", liên hệ qua: {scopes.dna_contact_details}"
                          if scopes.dna_contact_details else "")
    return [
        ("Lưu giữ trong kho tư liệu của chiến dịch và dùng để tìm kiếm, xác định danh tính "
         "liệt sĩ", "Đồng ý (bắt buộc)"),
        ("Chia sẻ với các cơ quan chức năng",
         "Đồng ý" if scopes.share_with_authorities else "Không đồng ý"),
        ("Sử dụng công khai trên báo chí, truyền thông", media),
        ("Liên hệ để lấy mẫu sinh phẩm ADN của thân nhân", dna),
    ]


def receipt_data(vault: UnlockedVault, consent_id: str) -> ReceiptData:
    """Everything the receipt says, read from the signed record (run it in a Task)."""
    view = consent.get(vault, consent_id)
    payload = view.payload
    info = station.info(vault)
    visit = visits.load_visit(vault, payload["visit"])
    scopes = view.scopes
    contact = visit.household.contact_name
    if visit.household.contact_phone:
        contact += f" — {visit.household.contact_phone}"
    evidence = payload.get("evidence") or {}
    if evidence.get("method") == "signature":
        how = "Chữ ký của người đại diện gia đình, ký trên màn hình"
    else:
        how = "Đồng ý bằng lời, ghi âm trong lời kể"
    created = datetime.fromisoformat(payload["created_at"]).astimezone()
    witness = payload["witness"]
    replaces = consent.get(vault, view.supersedes).reference_code if view.supersedes else ""
    return ReceiptData(
        reference_code=view.reference_code,
        station_name=info.name,
        place=f"{info.ward_name}, {info.province_name}",
        visit_date=day_month_year(visit.visit_date),
        household_contact=contact,
        signer=payload["signer"]["name"],
        relationship=payload["signer"].get("relationship", ""),
        evidence=how,
        scopes=scope_lines(scopes),
        embargo=(f"Chưa công bố trước ngày {day_month_year(scopes.embargo_until)}"
                 if scopes.embargo_until else "Không có"),
        witness=f"{witness['full_name']} (tình nguyện viên, tài khoản {witness['username']})",
        signed_at=created.strftime("%d/%m/%Y %H:%M"),
        signature_png=consent.evidence_png(vault, consent_id),
        replaces=replaces,
        practice=info.practice,
    )


def _setup(device: QPagedPaintDevice) -> None:
    device.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    device.setPageMargins(QMarginsF(18, 16, 18, 16), QPageLayout.Unit.Millimeter)


def save(path: Path, data: ReceiptData) -> Path:
    """Write the receipt to ``path`` (a file the user picked). Returns the path."""
    path = Path(path)
    writer = QPdfWriter(str(path))
    writer.setResolution(DPI)
    _setup(writer)
    writer.setTitle(f"{TITLE} {data.reference_code}")
    writer.setCreator("Số hóa ký ức")
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write {path}")
    try:
        draw(painter, writer.width(), writer.resolution(), data)
    finally:
        painter.end()
    return path


def print_on(printer: QPagedPaintDevice, data: ReceiptData) -> None:
    """Draw the receipt on a QPrinter the user chose in the print dialog."""
    _setup(printer)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("cannot print")
    try:
        draw(painter, printer.width(), printer.logicalDpiX(), data)
    finally:
        painter.end()


def draw(painter: QPainter, width: int, dpi: int, data: ReceiptData) -> None:
    y = 0.0
    wrap = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)
    ink = QColor("#1b2a3a")
    if data.practice:
        practice_mark.draw(painter, width, painter.device().height())
        y += dpi * 0.25
    painter.setPen(ink)

    def block(text: str, size: int, bold: bool = False, gap: float = 0.06, x: float = 0.0
              ) -> float:
        nonlocal y
        painter.setFont(ui_font(size, bold))
        rect = painter.boundingRect(QRectF(x, y, width - x, 10_000), wrap, text)
        painter.drawText(QRectF(x, y, width - x, rect.height()), wrap, text)
        y += rect.height() + gap * dpi
        return rect.height()

    def field(label: str, value: str) -> None:
        nonlocal y
        label_width = width * 0.30
        painter.setFont(ui_font(11, True))
        left = painter.boundingRect(QRectF(0, y, label_width - dpi * 0.1, 10_000), wrap, label)
        painter.drawText(QRectF(0, y, label_width - dpi * 0.1, left.height()), wrap, label)
        painter.setFont(ui_font(11))
        right = painter.boundingRect(QRectF(label_width, y, width - label_width, 10_000), wrap,
                                     value or "—")
        painter.drawText(QRectF(label_width, y, width - label_width, right.height()), wrap,
                         value or "—")
        y += max(left.height(), right.height()) + dpi * 0.04

    def rule() -> None:
        nonlocal y
        y += dpi * 0.04
        painter.setPen(QPen(QColor("#b8c4d0"), dpi / 150))
        painter.drawLine(0, int(y), width, int(y))
        painter.setPen(ink)
        y += dpi * 0.08

    block("Số hóa ký ức — Chiến dịch tìm kiếm, quy tập, xác định danh tính hài cốt liệt sĩ", 10,
          gap=0.03)
    block(TITLE, 22, bold=True, gap=0.08)
    if data.replaces:
        block(f"Phiếu này thay đổi phiếu {data.replaces}; phiếu cũ không còn hiệu lực, nhưng "
              "vẫn được lưu lại.", 11, bold=True, gap=0.06)
    field("Trạm", data.station_name)
    field("Địa bàn", data.place)
    field("Ngày thăm gia đình", data.visit_date)
    field("Người liên hệ của gia đình", data.household_contact)
    field("Người đồng ý", data.signer + (f" ({data.relationship})" if data.relationship else ""))
    field("Hình thức", data.evidence)
    rule()

    block("Gia đình đồng ý như sau", 13, bold=True, gap=0.05)
    for what, answer in data.scopes:
        field(what, answer)
    field("Thời hạn chưa công bố", data.embargo)
    rule()

    field("Người làm chứng", data.witness)
    field("Ngày giờ ký", data.signed_at)
    if data.signature_png:
        image = QImage.fromData(data.signature_png)
        if not image.isNull():
            label_width = width * 0.30
            painter.setFont(ui_font(11, True))
            painter.drawText(QRectF(0, y, label_width, dpi * 0.3), wrap, "Chữ ký")
            target_h = dpi * 0.7
            target_w = min(width - label_width, target_h * image.width() / image.height())
            painter.drawImage(QRectF(label_width, y, target_w, target_h), image)
            y += target_h + dpi * 0.06

    # The reference code: large, monospaced, in a ruled box, with what it is for.
    y += dpi * 0.06
    painter.setFont(ui_font(11, True))
    label = "Mã phiếu (đọc mã này khi muốn rút lại hoặc thay đổi sự đồng ý)"
    painter.drawText(QRectF(0, y, width, dpi * 0.25), int(Qt.AlignmentFlag.AlignCenter), label)
    y += dpi * 0.28
    painter.setFont(mono_font(30))
    line = painter.fontMetrics().height() * 1.35
    box = QRectF(width * 0.12, y, width * 0.76, line)
    painter.setPen(QPen(ink, dpi / 60))
    painter.drawRoundedRect(box, dpi / 12, dpi / 12)
    painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), data.reference_code)
    painter.setPen(ink)
    y = box.bottom() + dpi * 0.15

    block("Muốn rút lại sự đồng ý", 13, bold=True, gap=0.04)
    block(HOW_TO_WITHDRAW, 11, gap=0.1)
    block("Giấy này do trạm in cho gia đình giữ. Bản ghi phiếu đồng ý trong máy được ký số bằng "
          "khóa của trạm; không ai sửa được mà không bị phát hiện.", 9, gap=0.0)
