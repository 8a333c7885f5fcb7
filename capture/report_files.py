"""A KPI report (``capture.kpis.report``) as files people hand on: XLSX with one sheet per table,
and a PDF in the layout of an official Vietnamese report (Decree 30/2020/NĐ-CP's shape: the
issuing body and the national motto side by side, number and date line, title, sections,
tables, a chart, the signature block), with the bundled Noto Sans embedded so every diacritic
survives. No Qt and no vault: the command's server renders the same files.

The PDF is the official paper, so it is in Vietnamese whatever the app's language; the XLSX
carries both languages side by side. Both are made from the report's data only, so the same
report gives the same cells, and (reportlab's invariant mode, a chart without timestamps) the
same PDF bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from capture.kpis import VIETNAM
from capture.paths import assets_dir

PRACTICE_MARK = "LUYỆN TẬP — PRACTICE"  # capture.practice.MARK; no vault import here
NOT_RECORDED = {"vi": "Chưa có số liệu", "en": "Not yet recorded"}
NO_RATE = {"vi": "—", "en": "—"}
# The figures a station has, in the order the chart and the breakdown show them.
CHART_KPIS = ("visits", "households_visited", "testimonies", "witnesses_heard", "leads_received")
BREAKDOWN_KPIS = ("visits", "households_visited", "pages_digitised", "testimonies",
                  "witnesses_heard", "leads_received")
_PLACE_PREFIXES = ("Phường ", "Xã ", "Đặc khu ", "Thị trấn ")


@dataclass(frozen=True)
class Letterhead:
    """What the paper says about who reports: the body above, the body itself, the place of the
    date line, the number, the date of issue and who signs."""

    superior: str
    body: str
    place: str
    issued_on: date
    number: str = "Số: ....../BC"
    signer_title: str = "NGƯỜI LẬP BÁO CÁO"
    signer_name: str = ""
    recipients: tuple[str, ...] = field(default=("Ban Chỉ đạo Chiến dịch cấp trên;",
                                                 "Bộ Chỉ huy quân sự tỉnh;", "Lưu: VT."))


def station_letterhead(data: dict[str, Any], issued_on: date, signer_name: str = ""
                       ) -> Letterhead:
    """A station's heading: its province above, its own name, its commune in the date line."""
    source = data["snapshot"]["source"]
    place = source.get("commune_name", "")
    for prefix in _PLACE_PREFIXES:
        place = place.removeprefix(prefix)
    return Letterhead(superior=source.get("province_name", "").upper(),
                      body=source.get("station_name", "").upper(), place=place,
                      issued_on=issued_on, signer_name=signer_name)


# --- numbers as people read them -----------------------------------------------------------------


def number_text(value: float | int | None, language: str = "vi") -> str:
    """1.234 and 12,5 in Vietnamese; 1,234 and 12.5 in English."""
    if value is None:
        return ""
    text = f"{value:,.1f}" if isinstance(value, float) else f"{value:,d}"
    if language == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def value_text(kpi_id: str, entry: dict[str, Any], language: str = "vi") -> str:
    if entry["status"] == "not_yet_recorded":
        return NOT_RECORDED[language]
    value = entry["value"]
    if value is None:
        return NO_RATE[language]
    text = number_text(value, language)
    if kpi_id == "testimony_seconds" and value:
        text += f" ({duration_text(int(value), language)})"
    return text


def duration_text(seconds: int, language: str = "vi") -> str:
    hours, minutes = seconds // 3600, seconds % 3600 // 60
    if language == "vi":
        return f"{hours} giờ {minutes:02d} phút"
    return f"{hours} h {minutes:02d} min"


def change_text(change: float | int | None, language: str = "vi") -> str:
    if change is None:
        return ""
    sign = "+" if change > 0 else ""
    return sign + number_text(change, language)


def cutoff_text(as_of: str, language: str = "vi") -> str:
    """A cut-off at midnight reads as "to the end of 24/11/2026"."""
    moment = datetime.fromisoformat(as_of).astimezone(VIETNAM)
    if (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0):
        day = date.fromordinal(moment.date().toordinal() - 1)
        return (f"hết ngày {day:%d/%m/%Y}" if language == "vi" else f"the end of {day:%d/%m/%Y}")
    return (f"{moment:%H:%M} ngày {moment:%d/%m/%Y}" if language == "vi"
            else f"{moment:%H:%M} on {moment:%d/%m/%Y}")


def date_line(letterhead: Letterhead) -> str:
    day = letterhead.issued_on
    return f"{letterhead.place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


# --- XLSX ----------------------------------------------------------------------------------------


def tables(data: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """The report's tables as rows of plain cell values (the XLSX's sheets, in order)."""
    period, snap = data["period"], data["snapshot"]
    about = [["Mục", "Item", "Giá trị / Value"],
             ["Kỳ báo cáo", "Period", period["title"]["vi"]],
             ["Từ ngày", "From", period["from"]],
             ["Đến ngày", "To", period["to"]],
             ["Quy tắc chốt số liệu", "Cut-off rule", period["cutoff_rule"]],
             ["", "", period["cutoff_rule_text"]["vi"]],
             ["", "", period["cutoff_rule_text"]["en"]],
             ["Số liệu tính đến", "Recorded before", snap["as_of"]],
             ["Nguồn", "Source", snap["source"].get("station_name")
              or snap["source"].get("name", "")],
             ["Số bản ghi", "Records", snap["facts"]],
             ["Mã kiểm tra (SHA-256)", "Digest (SHA-256)", snap["sha256"]]]
    figures = [["Mã", "Chỉ số", "Indicator", "Giá trị / Value", "Trạng thái / Status",
                "Định nghĩa", "Definition"]]
    for kpi_id, entry in data["kpis"].items():
        figures.append([kpi_id, entry["label_vi"], entry["label_en"], entry["value"],
                        entry["status"], entry["definition"]["vi"], entry["definition"]["en"]])
    sheets = {"Thông tin": about, "Chỉ số": figures}
    if data.get("previous"):
        before = data["previous"]
        rows = [["Mã", "Chỉ số", "Kỳ này / This period", "Kỳ trước / Previous",
                 "Tăng, giảm / Change"],
                ["", before["period"]["title"]["vi"], data["period"]["label"],
                 before["period"]["label"], ""]]
        for kpi_id, entry in data["kpis"].items():
            rows.append([kpi_id, entry["label_vi"], entry["value"],
                         before["kpis"][kpi_id]["value"], before["kpis"][kpi_id]["change"]])
        sheets["So với kỳ trước"] = rows
    trend = [["Mã", "Chỉ số", *[point["label"] for point in data["trend"]]]]
    for kpi_id, entry in data["kpis"].items():
        trend.append([kpi_id, entry["label_vi"],
                      *[point["values"][kpi_id] for point in data["trend"]]])
    sheets["Diễn biến"] = trend
    if data.get("by"):
        groups = data["by"]["groups"]
        rows = [["Mã", "Chỉ số", *[f"{g['label']} ({g['key']})" for g in groups]]]
        for kpi_id, entry in data["kpis"].items():
            rows.append([kpi_id, entry["label_vi"],
                         *[g["kpis"][kpi_id]["value"] for g in groups]])
        sheets[sheet_title(BY_SHEET.get(data["by"]["dimension"], data["by"]["dimension"]))] = rows
    return sheets


# The breakdown's sheet and section, by dimension (capture.kpis: commune, station; the command
# adds province).
BY_SHEET = {"commune": "Theo xã phường", "station": "Theo trạm", "province": "Theo tỉnh, thành phố"}
BY_SECTION = {"commune": "XÃ, PHƯỜNG", "station": "TRẠM", "province": "TỈNH, THÀNH PHỐ"}
_SHEET_FORBIDDEN = re.compile(r"[\\/?*\[\]:]")


def sheet_title(name: str) -> str:
    """A name Excel accepts for a sheet: none of \\ / ? * [ ] :, not blank, at most 31
    characters (openpyxl writes a longer or forbidden one, and Excel then refuses the file)."""
    cleaned = " ".join(_SHEET_FORBIDDEN.sub(" ", name).split()).strip("'")
    return (cleaned or "Sheet")[:31]


def write_xlsx(data: dict[str, Any], target: Path | BinaryIO) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    book.remove(book.active)
    # Fixed document dates (the cut-off), so the file does not change with the clock.
    stamp = datetime.fromisoformat(data["snapshot"]["as_of"]).astimezone(VIETNAM) \
        .replace(tzinfo=None)
    book.properties.created = book.properties.modified = stamp
    book.properties.creator = "Số hóa ký ức"
    book.properties.title = f"Báo cáo {data['period']['title']['vi']}"
    if data["snapshot"]["source"].get("practice"):
        book.properties.title = f"{PRACTICE_MARK} — {book.properties.title}"
    for name, rows in tables(data).items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        widths = {"Chỉ số": (22, 34, 30, 14, 18, 60, 60)}.get(name)
        for index, column in enumerate(sheet.columns):
            letter = column[0].column_letter
            sheet.column_dimensions[letter].width = widths[index] if widths and index < len(
                widths) else (34 if index < 3 else 16)
            if widths and index >= 5:
                for cell in column:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
    book.save(target)


# --- the chart -----------------------------------------------------------------------------------


def trend_chart_png(data: dict[str, Any], kpi_ids: Sequence[str] = CHART_KPIS,
                    language: str = "vi", size: tuple[float, float] = (7.0, 3.2),
                    dpi: int = 150) -> bytes:
    """Bars of recent periods for a few figures (matplotlib's Agg: no display, no pyplot state;
    the labels in the bundled font, so Vietnamese shows)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    font = FontProperties(fname=str(assets_dir() / "fonts" / "NotoSans-Regular.ttf"), size=8)
    shown = [k for k in kpi_ids if data["kpis"][k]["status"] == "recorded"]
    points = data["trend"]
    figure = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    width = 0.8 / max(len(shown), 1)
    colours = ("#1f5fa8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f")
    for index, kpi_id in enumerate(shown):
        values = [point["values"][kpi_id] or 0 for point in points]
        axes.bar([i + (index - (len(shown) - 1) / 2) * width for i in range(len(points))],
                 values, width * 0.95, color=colours[index % len(colours)],
                 label=data["kpis"][kpi_id][f"label_{language}"])
    axes.set_xticks(range(len(points)))
    axes.set_xticklabels([p["short"] for p in points], fontproperties=font)
    for label in axes.get_yticklabels():
        label.set_fontproperties(font)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    if shown:
        axes.legend(prop=font, frameon=False, ncols=min(len(shown), 3), loc="upper left",
                    bbox_to_anchor=(0, 1.18))
    figure.subplots_adjust(left=0.07, right=0.99, bottom=0.12, top=0.82)
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


# --- PDF -----------------------------------------------------------------------------------------


def pdf_fonts() -> tuple[str, str]:
    """The bundled Noto Sans registered with reportlab (once), regular and bold, embedded in
    every PDF that uses them so each Vietnamese diacritic survives."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold = "SohoaSans", "SohoaSans-Bold"
    if regular not in pdfmetrics.getRegisteredFontNames():
        folder = assets_dir() / "fonts"
        pdfmetrics.registerFont(TTFont(regular, str(folder / "NotoSans-Regular.ttf")))
        pdfmetrics.registerFont(TTFont(bold, str(folder / "NotoSans-Bold.ttf")))
        for italic in (0, 1):
            addMapping(regular, 0, italic, regular)
            addMapping(regular, 1, italic, bold)
    return regular, bold


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_pdf(data: dict[str, Any], target: Path | BinaryIO, letterhead: Letterhead) -> None:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        HRFlowable,
        Image,
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    regular, bold = pdf_fonts()

    def style(name: str, size: float = 11, font: str = regular, align: int = 0,
              leading: float | None = None, **extra: Any) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or size * 1.3,
                              alignment=align, **extra)

    centre = style("centre", 11, align=TA_CENTER)
    centre_bold = style("centreBold", 11, bold, TA_CENTER)
    motto = style("motto", 10.5, bold, TA_CENTER)
    body = style("body", 11, align=TA_JUSTIFY, spaceAfter=3)
    section = style("section", 11.5, bold, spaceBefore=8, spaceAfter=4)
    cell = style("cell", 9.5)
    cell_bold = style("cellBold", 9.5, bold)
    small = style("small", 8.5, leading=10.5, align=TA_JUSTIFY, spaceAfter=2)
    page_width = A4[0] - 45 * mm  # the decree's margins: 30 mm left, 15 mm right

    def rule(width: str) -> HRFlowable:
        return HRFlowable(width=width, thickness=0.7, color=colors.black, spaceBefore=3,
                          spaceAfter=3, hAlign="CENTER")

    period, snap, figures = data["period"], data["snapshot"], data["kpis"]
    story: list[Any] = []
    practice = bool(snap["source"].get("practice"))
    if practice:  # a training station's report must never pass for a real one
        story += [Paragraph(PRACTICE_MARK, style("practice", 13, bold, TA_CENTER,
                                                 textColor=colors.HexColor("#b3261e"),
                                                 spaceAfter=4))]
    heading = Table([[
        [Paragraph(_escape(letterhead.superior), centre),
         Paragraph(_escape(letterhead.body), style("bodyName", 10.5, bold, TA_CENTER)),
         rule("35%"),
         Paragraph(_escape(letterhead.number), centre)],
        [Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", motto),
         Paragraph("Độc lập - Tự do - Hạnh phúc", centre_bold), rule("55%"),
         Paragraph(_escape(date_line(letterhead)), style("date", 11, align=TA_CENTER))],
    ]], colWidths=[page_width * 0.46, page_width * 0.54])
    heading.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                 ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                 ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story += [heading, Spacer(1, 8 * mm),
              Paragraph("BÁO CÁO", style("title", 14, bold, TA_CENTER, spaceAfter=2)),
              Paragraph("Kết quả thực hiện chương trình “Số hóa ký ức” trong Chiến dịch 500 ngày "
                        "đêm tìm kiếm, quy tập và xác định danh tính hài cốt liệt sĩ",
                        style("subtitle", 11.5, bold, TA_CENTER, spaceAfter=2)),
              Paragraph(_escape(period["title"]["vi"]), centre_bold), rule("20%"),
              Spacer(1, 3 * mm)]

    source = snap["source"]
    where = ", ".join(filter(None, (source.get("station_name"), source.get("commune_name"))))
    story += [Paragraph("I. PHẠM VI VÀ THỜI GIAN CHỐT SỐ LIỆU", section),
              Paragraph(f"- Kỳ báo cáo: {_escape(period['title']['vi'])}.", body),
              Paragraph(f"- Quy tắc chốt số liệu: {_escape(period['cutoff_rule_text']['vi'])}",
                        body),
              Paragraph(f"- Số liệu tính đến {cutoff_text(snap['as_of'])}: gồm những gì đã ghi "
                        "vào hệ thống trước thời điểm này; bản ghi đến sau được tính ở lần báo "
                        "cáo sau.", body),
              Paragraph(f"- Nguồn số liệu: {_escape(where)}"
                        f"; {number_text(snap['facts'])} bản ghi; mã kiểm tra "
                        f"{snap['sha256'][:16]}.", body)]

    story.append(Paragraph("II. KẾT QUẢ TRONG KỲ", section))
    before = data.get("previous")
    header = ["TT", "Chỉ số", "Kỳ này"] + (["Kỳ trước", "Tăng, giảm"] if before else [])
    rows: list[list[Any]] = [[Paragraph(h, cell_bold) for h in header]]
    for number, (kpi_id, entry) in enumerate(figures.items(), 1):
        row = [str(number), Paragraph(_escape(entry["label_vi"]), cell),
               Paragraph(_escape(value_text(kpi_id, entry)), cell)]
        if before:
            prior = before["kpis"][kpi_id]
            row += [Paragraph(_escape(value_text(kpi_id, {**entry, "value": prior["value"]})),
                              cell), Paragraph(change_text(prior["change"]), cell)]
        rows.append(row)
    widths = ([10 * mm, 60 * mm, 40 * mm, 31 * mm, 24 * mm] if before
              else [10 * mm, 85 * mm, 70 * mm])
    story.append(_grid(Table(rows, colWidths=widths, repeatRows=1), regular))
    if before:
        story.append(Paragraph(f"Kỳ trước: {_escape(before['period']['title']['vi'])}.", small))

    story.append(Paragraph("III. DIỄN BIẾN CÁC KỲ GẦN ĐÂY", section))
    png = trend_chart_png(data)
    story.append(Image(io.BytesIO(png), width=page_width, height=page_width * 3.2 / 7.0))
    trend_rows = [[Paragraph("Chỉ số", cell_bold),
                   *[Paragraph(p["short"], cell_bold) for p in data["trend"]]]]
    for kpi_id in CHART_KPIS:
        trend_rows.append([Paragraph(_escape(figures[kpi_id]["label_vi"]), cell),
                           *[number_text(p["values"][kpi_id]) for p in data["trend"]]])
    first = 55 * mm
    rest = (page_width - first) / max(len(data["trend"]), 1)
    story.append(_grid(Table(trend_rows, colWidths=[first] + [rest] * len(data["trend"])),
                       regular))

    next_section = "IV"
    if data.get("by"):
        by = data["by"]
        story.append(Paragraph("IV. SỐ LIỆU THEO "
                               f"{_escape(BY_SECTION.get(by['dimension'], by['dimension']))}",
                               section))
        head = style("head", 8.5, bold)
        by_rows = [[Paragraph("Đơn vị", head),
                    *[Paragraph(_escape(figures[k]["label_vi"]), head)
                      for k in BREAKDOWN_KPIS]]]
        for group in by["groups"]:
            by_rows.append([Paragraph(_escape(group["label"]), cell),
                            *[number_text(group["kpis"][k]["value"]) for k in BREAKDOWN_KPIS]])
        first = 45 * mm
        rest = (page_width - first) / len(BREAKDOWN_KPIS)
        story.append(_grid(Table(by_rows, colWidths=[first] + [rest] * len(BREAKDOWN_KPIS),
                                 repeatRows=1), regular))
        next_section = "V"

    story.append(Paragraph(f"{next_section}. ĐỊNH NGHĨA CÁC CHỈ SỐ", section))
    for number, (_kpi_id, entry) in enumerate(figures.items(), 1):
        story.append(Paragraph(f"{number}. <b>{_escape(entry['label_vi'])}</b>: "
                               f"{_escape(entry['definition']['vi'])}", small))

    recipients = [Paragraph("<b>Nơi nhận:</b>", style("to", 10, leading=12))] + [
        Paragraph(f"- {_escape(r)}", style("toLine", 9, leading=11))
        for r in letterhead.recipients]
    signer = [Paragraph(_escape(letterhead.signer_title), centre_bold),
              Paragraph("(Ký, ghi rõ họ tên)", centre), Spacer(1, 22 * mm),
              Paragraph(_escape(letterhead.signer_name), centre_bold)]
    signature = Table([[recipients, signer]], colWidths=[page_width * 0.5, page_width * 0.5])
    signature.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story += [Spacer(1, 6 * mm), KeepTogether([signature])]

    def practice_mark(canvas: Any, _document: Any) -> None:
        if practice:
            canvas.saveState()
            canvas.setFont(bold, 44)
            canvas.setFillColor(colors.Color(0.7, 0.15, 0.12, alpha=0.16))
            canvas.translate(A4[0] / 2, A4[1] / 2)
            canvas.rotate(35)
            canvas.drawCentredString(0, 0, PRACTICE_MARK)
            canvas.restoreState()

    def page_number(canvas: Any, document: Any) -> None:
        practice_mark(canvas, document)
        if document.page > 1:  # official papers number from the second page, at the top
            canvas.setFont(regular, 10)
            canvas.drawCentredString(A4[0] / 2, A4[1] - 12 * mm, str(document.page))

    document = SimpleDocTemplate(
        target if isinstance(target, io.IOBase) else str(target), pagesize=A4,
        leftMargin=30 * mm, rightMargin=15 * mm, topMargin=20 * mm, bottomMargin=20 * mm,
        title=f"Báo cáo {period['title']['vi']}", author=letterhead.body,
        creator="Số hóa ký ức", invariant=1)
    document.build(story, onFirstPage=practice_mark, onLaterPages=page_number)


def _grid(table: Any, font: str) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import TableStyle

    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 9.5),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("ALIGN", (1, 1), (-1, -1), "LEFT"),
    ]))
    return table



FORMATS = ("json", "xlsx", "pdf")


def write_atomically(path: Path, write: Callable[[BinaryIO], None], prefix: str) -> Path:
    """Write a file beside ``path`` with ``write(out)``, flush it to the disk and move it into
    place: a failure (full disk, a drive pulled out) never leaves half a file under the chosen
    name, and an older file of that name stays as it was."""
    import os
    import tempfile

    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=prefix, suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def save(data: dict[str, Any], path: Path, file_format: str, letterhead: Letterhead) -> Path:
    """The report as ``file_format`` at ``path``, written atomically."""
    from capture.kpis import report_json

    if file_format not in FORMATS:
        raise ValueError(file_format)

    def write(out: BinaryIO) -> None:
        if file_format == "json":
            out.write(report_json(data))
        elif file_format == "xlsx":
            write_xlsx(data, out)
        else:
            write_pdf(data, out, letterhead)

    return write_atomically(path, write, ".sohoa-report-")
