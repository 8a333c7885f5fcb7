"""Recovery keys, rate limiting and the key file's spare copy."""

import json
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest

from capture.errors import MistypedRecoveryKey, TooManyAttempts, WrongPassphrase
from capture.keyslots import FILE_NAMES, format_recovery_key, new_recovery_key, parse_recovery_key
from capture.vault import Vault


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def test_recovery_key_survives_how_people_type_it():
    raw, text = new_recovery_key()
    assert len(text.split("-")) == 9 and all(len(g) == 4 for g in text.split("-"))
    assert parse_recovery_key(text) == raw
    sloppy = text.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert parse_recovery_key(sloppy) == raw


def test_a_mistyped_character_is_caught_before_touching_the_vault():
    raw, text = new_recovery_key()
    groups = text.split("-")
    first = groups[0]
    groups[0] = ("A" if first[0] != "A" else "B") + first[1:]
    with pytest.raises(MistypedRecoveryKey):
        parse_recovery_key("-".join(groups))
    with pytest.raises(MistypedRecoveryKey):
        parse_recovery_key(text[:-5])
    assert format_recovery_key(raw) == text


def test_wrong_passphrases_are_rate_limited_and_the_wait_survives_a_restart(make_vault):
    vault, _ = make_vault()
    path = vault.path
    vault.lock()
    clock = FakeClock()
    for _ in range(3):
        with pytest.raises(WrongPassphrase):
            Vault(path, clock).unlock("admin", "not the passphrase")
    # The third failure starts a 30 s wait; the right passphrase is refused during it.
    with pytest.raises(TooManyAttempts) as waiting:
        Vault(path, clock).unlock("admin", "mật khẩu quản trị")
    assert waiting.value.details["seconds"] == 30
    assert "30" in str(waiting.value)
    assert Vault(path, clock).seconds_to_wait("admin") == 30
    clock.advance(seconds=31)
    with pytest.raises(WrongPassphrase):
        Vault(path, clock).unlock("admin", "still wrong")
    with pytest.raises(TooManyAttempts) as longer:
        Vault(path, clock).unlock("admin", "mật khẩu quản trị")
    assert longer.value.details["seconds"] == 60
    clock.advance(seconds=61)
    Vault(path, clock).unlock("admin", "mật khẩu quản trị").lock()
    assert Vault(path, clock).seconds_to_wait("admin") == 0


def test_a_damaged_key_file_falls_back_to_its_copy(make_vault):
    vault, _ = make_vault()
    path = vault.path
    vault.lock()
    (path / FILE_NAMES[0]).write_bytes(b'{"format": "sohoa-keys')
    Vault(path).unlock("admin", "mật khẩu quản trị").lock()


def test_key_file_names_nobody(make_vault):
    vault, _ = make_vault()
    text = (vault.path / FILE_NAMES[0]).read_text()
    assert "admin" not in text
    doc = json.loads(text)
    assert {slot["kind"] for slot in doc["slots"]} == {"passphrase", "recovery"}


def test_passphrase_typed_with_combining_diacritics_still_opens(make_vault):
    vault, _ = make_vault()
    path = vault.path
    vault.lock()
    decomposed = unicodedata.normalize("NFD", "mật khẩu quản trị")
    assert decomposed != "mật khẩu quản trị"
    Vault(path).unlock("ADMIN ", decomposed).lock()
