"""`sohoa sync` as the station admin and the operator run it, in Vietnamese, against the real
command server on loopback: enrol (once per code), build parts under a size cap, one part on a
USB stick with the command's receipt loaded back, the others uploaded (one resuming an upload a
previous process stopped), status table, nothing left to send."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sync import enrol_link, outbox
from sync import upload as tus
from sync.server.store import uploads
from tests.conftest import ADMIN_PASSPHRASE
from tests.sync import conftest as sync_fixtures
from tests.sync import test_outbox
from tests.sync.test_outbox import OPERATOR, add_approved_visit, signed_in
from tests.ui.test_cli import _sohoa

# The sync tests' fixtures: an approved, consented visit and the command server on loopback.
approved = sync_fixtures.approved
command = test_outbox.command


def _as(path: Path, who: tuple[str, str], *args: str, lang: str = "vi"
        ) -> subprocess.CompletedProcess[str]:
    return _sohoa("sync", *args, "--vault", str(path), "--user", who[0], "--passphrase-stdin",
                  stdin=who[1] + "\n", lang=lang)


@pytest.mark.slow  # a dozen runs of the real `sohoa` entry point, ~3 s each on a busy machine
def test_sohoa_sync_from_enrolment_to_delivered(approved, command, tmp_path) -> None:  # type: ignore[no-untyped-def]
    operator, first_visit, _, _ = approved
    path = operator.path
    operator.lock()
    server, _, store, data = command
    admin = ("admin", ADMIN_PASSPHRASE)

    before = _as(path, OPERATOR, "status")
    assert before.returncode == 0, before.stderr
    assert "Chưa đăng ký với Bộ Chỉ huy" in before.stdout and "Chưa có đợt gửi nào" in before.stdout
    code = store.new_enrolment_code(datetime.now(UTC))
    sheet = enrol_link.grouped(test_outbox.keys_of(data))  # as the printed sheet shows it
    missing = _as(path, admin, "enrol", server.url, code)
    assert missing.returncode == 2 and "--keys" in missing.stderr  # the fingerprint is required
    wrong = _as(path, admin, "enrol", server.url, code, "--keys", "0" * 32)
    assert wrong.returncode == 2 and "0000 0000" in wrong.stderr and sheet in wrong.stderr
    enrolled = _as(path, admin, "enrol", server.url, code, "--keys", sheet)
    assert enrolled.returncode == 0, enrolled.stderr
    assert f"Đã đăng ký với Bộ Chỉ huy tại {server.url}" in enrolled.stdout
    again = _as(path, admin, "enrol", server.url, code, "--keys", sheet)  # a refusal exits 2
    assert again.returncode == 2 and "Mã đăng ký này đã được dùng" in again.stderr

    visits = [first_visit]
    for name, sizes in (("Lê Văn Tám", [600_000]), ("Phạm Văn Đồng", [600_000]),
                        ("Võ Thị Sáu", [1_300_000])):
        visits.append(add_approved_visit(path, name, sizes)[0])
    built = _as(path, OPERATOR, "build", "--size-cap", "1M")
    assert built.returncode == 0, built.stderr
    lines = [line for line in built.stdout.splitlines() if line.startswith("Đợt ")]
    assert [line.split(",")[1].strip().split(":")[0] for line in lines] == [
        "phần 1/3", "phần 2/3", "phần 3/3"]

    with signed_in(path, OPERATOR) as vault:
        parts = sorted(outbox.status(vault), key=lambda b: b.part)
        assert [p.part for p in parts] == [1, 2, 3]
        assert parts[2].size > tus.CHUNK > 1024**2 - 1 and parts[2].visits == [visits[3]]
        stop = threading.Event()  # a previous run stopped after its first chunk
        with pytest.raises(outbox.UploadStopped):
            outbox.upload(vault, parts[2].id, progress=lambda step: stop.set(), cancel=stop)

    stick = tmp_path / "USB"
    stick.mkdir()
    written = _as(path, OPERATOR, "usb", parts[0].id[:8], str(stick))
    assert written.returncode == 0, written.stderr
    assert "đọc lại: khớp" in written.stdout
    (copy,) = (p for p in stick.iterdir() if p.suffix == ".age")
    assert outbox.signature_path(copy).is_file()
    receipt_file = tmp_path / "receipt.json"
    ingested = subprocess.run([str(Path(sys.executable).with_name("sohoa-server")), "ingest",
                               str(copy), "--data", str(data), "--receipt", str(receipt_file)],
                              capture_output=True, text=True, check=False, timeout=120)
    assert ingested.returncode == 0, ingested.stderr
    loaded = _as(path, OPERATOR, "receipt", str(receipt_file))
    assert loaded.returncode == 0, loaded.stderr
    assert f"Đợt {parts[0].id[:8]}, phần 1/3: đã giao" in loaded.stdout

    table = _as(path, OPERATOR, "status").stdout.splitlines()
    assert table[1].split() == ["Đợt", "Phần", "Cỡ", "Trạng", "thái", "Đã", "giao"]
    states = {row.split()[0]: row for row in table[2:]}
    assert "đã giao" in states[parts[0].id[:8]]
    assert "sẵn sàng gửi" in states[parts[1].id[:8]]
    assert "đang gửi dở" in states[parts[2].id[:8]]

    sent = _as(path, OPERATOR, "upload", "--all", "--limit", "50M")
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.count(": đã giao; đã kiểm chữ ký biên nhận của Bộ Chỉ huy.") == 2
    assert "[3/3] 1.3 MB / 1.3 MB" in sent.stdout
    with store.engine.connect() as conn:
        # One tus upload per uploaded part: the stopped one was resumed, not started again.
        assert conn.execute(select(func.count()).select_from(uploads)).scalar() == 2
    print(built.stdout, written.stdout, "\n".join(table), sent.stdout, sep="\n")
    nothing = _as(path, OPERATOR, "build", lang="en")
    assert nothing.returncode == 0 and nothing.stdout.startswith("Nothing is waiting to be sent")
    with signed_in(path, OPERATOR) as vault:
        assert outbox.delivered_visits(vault) == set(visits)


@pytest.mark.slow  # four runs of the real `sohoa` entry point
def test_upload_all_goes_on_past_a_part_that_fails(approved, command) -> None:  # type: ignore[no-untyped-def]
    """One part's file is damaged on the laptop: the command refuses it (signed, coded); `sohoa
    sync upload --all` says so for that part, delivers the others and exits 1."""
    operator, _, _, _ = approved
    path = operator.path
    operator.lock()
    server, _, store, data = command
    test_outbox.enrol(path, server, store, data)
    for name in ("Lê Văn Tám", "Phạm Văn Đồng"):
        add_approved_visit(path, name, [600_000])
    built = _as(path, OPERATOR, "build", "--size-cap", "700k")
    assert built.returncode == 0, built.stderr
    with signed_in(path, OPERATOR) as vault:
        parts = sorted(outbox.status(vault), key=lambda b: b.part)
    assert len(parts) >= 2
    damaged = bytearray(parts[0].path.read_bytes())
    damaged[len(damaged) // 2] ^= 1
    parts[0].path.write_bytes(bytes(damaged))
    sent = _as(path, OPERATOR, "upload", "--all")
    assert sent.returncode == 1
    refused = f"Đợt {parts[0].id[:8]}, phần 1/{len(parts)}: Bộ Chỉ huy từ chối đợt gửi này"
    assert f"{refused} (damaged)" in sent.stderr
    assert sent.stdout.count(": đã giao; đã kiểm chữ ký biên nhận của Bộ Chỉ huy.") == \
        len(parts) - 1
    assert sent.stderr.splitlines()[-1].startswith(f"1 trên {len(parts)} phần chưa được giao")
    with signed_in(path, OPERATOR) as vault:
        states = [b.state for b in sorted(outbox.status(vault), key=lambda b: b.part)]
    assert states == ["refused"] + ["delivered"] * (len(parts) - 1)
