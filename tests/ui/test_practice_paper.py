"""Every sheet printed at the practice station says LUYỆN TẬP — PRACTICE; a real station's do
not: the consent receipt, the recovery sheet and the station's report."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from capture import practice, report_files, station_report
from capture.practice import Practice
from capture.roles import Role
from ui import viewmodels
from ui.documents import receipt_pdf, recovery_pdf


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


@pytest.fixture
def place(tmp_path, fast_kdf):
    made = Practice(tmp_path / "practice")
    practice.create(made, kdf=fast_kdf)
    return made


def _receipt(is_practice: bool) -> receipt_pdf.ReceiptData:
    return receipt_pdf.ReceiptData(
        reference_code="AB12-CD34", station_name="Trạm luyện tập", place="Ba Đình, Hà Nội",
        visit_date="01/12/2026", household_contact="Bà Nguyễn Thị Hòa", signer="Bà Hòa",
        relationship="mẹ", evidence="Chữ ký", scopes=[("Lưu trữ", "Đồng ý")], embargo="Không có",
        witness="Tình nguyện viên", signed_at="01/12/2026 09:00", practice=is_practice)


def test_the_consent_receipt_is_marked_only_at_the_practice_station(app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    marked = receipt_pdf.save(tmp_path / "practice.pdf", _receipt(True))
    plain = receipt_pdf.save(tmp_path / "real.pdf", _receipt(False))
    assert practice.MARK in _text(marked)
    assert "LUYỆN TẬP" not in _text(plain)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(marked),
                    str(tmp_path / "receipt")], check=True)


def test_the_recovery_sheet_of_the_practice_station_is_marked(app, place, tmp_path,  # type: ignore[no-untyped-def]
                                                              fast_kdf, make_vault) -> None:
    vault = practice.open_vault(place, Role.ADMIN, kdf=fast_kdf)
    try:
        sheet = viewmodels.recovery_sheet(vault, "ABCD-EFGH-IJKL", date(2026, 12, 1))
    finally:
        vault.lock()
    assert sheet.practice
    assert practice.MARK in _text(recovery_pdf.save(tmp_path / "sheet.pdf", sheet))
    real, _ = make_vault()
    assert not viewmodels.recovery_sheet(real, "ABCD-EFGH-IJKL", date(2026, 12, 1)).practice


def test_the_practice_stations_report_is_marked(place, tmp_path, fast_kdf) -> None:
    vault = practice.open_vault(place, Role.COORDINATOR, kdf=fast_kdf)
    try:
        report = station_report.build(vault, datetime.now(UTC) + timedelta(days=1),
                                      period="campaign")
    finally:
        vault.lock()
    letterhead = report_files.station_letterhead(report, date(2026, 12, 1))
    pdf = report_files.save(report, tmp_path / "report.pdf", "pdf", letterhead)
    assert practice.MARK in _text(pdf)
