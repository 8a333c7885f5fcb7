"""The enrolment link and its QR code, read back by a stock decoder (zbarimg)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from sync.enrol_link import BadEnrolLink, EnrolLink, KeysMismatch, fingerprint, parse
from sync.server.__main__ import main as server_main
from sync.server.keys import CommandKeys

RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
RECEIPT_KEY = bytes(range(32))


def test_link_round_trip_and_forgiving_reading() -> None:
    link = EnrolLink("https://cmd.example.vn:8470", "1A2B-3C4D-5E6F-7A8B",
                     fingerprint(RECIPIENT, RECEIPT_KEY))
    assert parse(link.text()) == link
    pasted = "  " + link.text().replace("sohoa-enrol", "SOHOA-ENROL").replace(
        "1A2B-3C4D", "1a2b-3c4d") + "\n"
    assert parse(pasted) == link
    assert parse("sohoa-enrol:?server=http://10.0.0.5:8470/&code=AB") == EnrolLink(
        "http://10.0.0.5:8470", "AB", None)


@pytest.mark.parametrize("text", [
    "", "1A2B-3C4D-5E6F-7A8B", "https://cmd.example.vn/?code=1A2B",
    "sohoa-enrol:?code=1A2B", "sohoa-enrol:?server=cmd.example.vn&code=1A2B",
    "sohoa-enrol:?server=https://cmd.example.vn&code=1A2B&keys=xyz",
])
def test_what_is_not_a_link_is_refused(text: str) -> None:
    with pytest.raises(BadEnrolLink):
        parse(text)


def test_keys_are_checked_against_the_fingerprint() -> None:
    link = EnrolLink("https://cmd", "C", fingerprint(RECIPIENT, RECEIPT_KEY))
    link.check_keys(RECIPIENT, RECEIPT_KEY)
    link.check_keys(RECIPIENT + "\n", RECEIPT_KEY)
    with pytest.raises(KeysMismatch):
        link.check_keys(RECIPIENT, bytes(32))
    with pytest.raises(KeysMismatch):
        link.check_keys(RECIPIENT.replace("q", "p", 1), RECEIPT_KEY)
    # a link without a fingerprint has nothing to check against
    EnrolLink("https://cmd", "C").check_keys(RECIPIENT, bytes(32))


@pytest.mark.skipif(shutil.which("zbarimg") is None,
                    reason="zbar-tools missing: packaging/dev/setup.sh installs it")
def test_server_writes_a_qr_code_a_stock_reader_decodes(tmp_path, capsys) -> None:
    data = tmp_path / "server"
    assert server_main(["init", "--data", str(data)]) == 0
    capsys.readouterr()
    qr = tmp_path / "enrol.png"
    assert server_main(["enrol-code", "--data", str(data), "--url", "http://10.1.2.3:8470/",
                        "--qr", str(qr)]) == 0
    code, _, link_text, _ = capsys.readouterr().out.splitlines()
    link = parse(link_text)
    keys = CommandKeys.load(data / "keys")
    assert link.server_url == "http://10.1.2.3:8470" and link.code == code
    link.check_keys(keys.recipient, keys.signing_public)
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(qr)], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert decoded == link_text


def test_qr_without_an_address_is_refused(tmp_path, capsys) -> None:
    data = tmp_path / "server"
    server_main(["init", "--data", str(data)])
    assert server_main(["enrol-code", "--data", str(data), "--qr", str(tmp_path / "q.png")]) == 2
    assert "--url" in capsys.readouterr().err
    assert not (tmp_path / "q.png").exists()
