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


_ATTEMPT = """
import sys, time
from pathlib import Path
from capture.errors import TooManyAttempts, WrongPassphrase
from capture.vault import Vault
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.005)
try:
    Vault(Path(sys.argv[1])).unlock("admin", "not the passphrase")
except WrongPassphrase:
    print("wrong")
except TooManyAttempts:
    print("wait")
"""


@pytest.mark.slow
def test_parallel_wrong_passphrases_take_turns_and_every_failure_counts(tmp_path):
    """Eight processes trying at once (a script on a stolen laptop): the throttle holds across
    processes, so only the free attempts are tried and each is counted."""
    import subprocess
    import sys

    from capture.keyslots import KdfParams, KeySlots
    from capture.roles import Role
    from capture.vault import NewUser, StationSetup

    # A passphrase try that takes ~0.1 s, as a real one takes longer: every process reads the
    # file before any writes it unless the attempts are serialised.
    kdf = KdfParams(memory_kib=32 * 1024, iterations=2, lanes=1)
    vault, _ = Vault.create(tmp_path / "vault", StationSetup("Trạm thử", 1, 4),
                            NewUser("admin", "Nguyễn Văn Hùng", "mật khẩu quản trị", Role.ADMIN),
                            kdf=kdf)
    vault.lock()
    go = tmp_path / "go"
    workers = [subprocess.Popen([sys.executable, "-c", _ATTEMPT, str(tmp_path / "vault"),
                                 str(go)], stdout=subprocess.PIPE, text=True)
               for _ in range(8)]
    import time
    time.sleep(3)  # all eight started and waiting (the machine is shared)
    go.touch()
    answers = sorted(worker.communicate(timeout=120)[0].strip() for worker in workers)
    assert answers == ["wait"] * 5 + ["wrong"] * 3
    slots = KeySlots.load(tmp_path / "vault")
    (entry,) = slots.throttle.values()
    assert entry.failures == 3 and entry.locked_until is not None
