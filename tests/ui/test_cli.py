"""`sohoa vault check` and `sohoa vault info` as an operator runs them, in Vietnamese."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from capture import accounts
from capture.crypto import HEADER_SIZE
from capture.roles import Role
from capture.vault import NewUser, Vault


def _sohoa(*args: str, stdin: str = "", lang: str = "vi") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ui", "--lang", lang, *args], input=stdin,
                          capture_output=True, text=True, env=os.environ.copy(), check=False,
                          timeout=120)


def test_vault_check_passes_then_names_a_damaged_file(made_vault) -> None:  # type: ignore[no-untyped-def]
    path, _ = made_vault
    admin = Vault(path).unlock("lan", "một câu thật dài để nhớ")
    accounts.create_user(admin, NewUser("hoa", "Hoa", "tạm thời 12345", Role.VOLUNTEER))
    admin.lock()
    volunteer = Vault(path).unlock("hoa", "tạm thời 12345")
    volunteer.set_new_passphrase("mật khẩu của Hoa")
    stored = volunteer.store_bytes(os.urandom(5000), label="thư gửi mẹ")
    volunteer.lock()

    args = ("vault", "check", "--vault", str(path), "--user", "lan", "--passphrase-stdin")
    ok = _sohoa(*args, stdin="một câu thật dài để nhớ\n")
    assert ok.returncode == 0, ok.stderr
    assert "Không có gì bị hư hỏng." in ok.stdout
    assert "1 tệp đã lưu" in ok.stdout

    object_file = Path(path) / "objects" / stored.name[:2] / stored.name[2:]
    data = bytearray(object_file.read_bytes())
    data[HEADER_SIZE + 100] ^= 1
    object_file.write_bytes(bytes(data))
    damaged = _sohoa(*args, stdin="một câu thật dài để nhớ\n")
    assert damaged.returncode == 1
    assert "Tìm thấy 1 vấn đề" in damaged.stdout
    assert "thư gửi mẹ" in damaged.stdout

    wrong = _sohoa(*args, stdin="không đúng đâu\n")
    assert wrong.returncode == 2
    assert wrong.stderr.strip().startswith("Tên đăng nhập hoặc mật khẩu không đúng")
    english = _sohoa(*args, stdin="not right at all\n", lang="en")
    assert english.stderr.strip().startswith("The user name or passphrase is wrong")


def test_vault_info_without_a_vault_says_so(tmp_path: Path) -> None:
    result = _sohoa("vault", "info", "--vault", str(tmp_path / "none"))
    assert result.returncode == 2
    assert "Không tìm thấy kho dữ liệu" in result.stderr or "none" in result.stderr
