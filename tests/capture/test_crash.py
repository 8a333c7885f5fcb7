"""Kill a writing process with SIGKILL at random moments: every write it reported as committed
is there afterwards, and the vault check passes every time."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from capture import accounts
from capture.check import check_vault
from capture.roles import Role
from capture.vault import NewUser, Vault
from tests.capture.crash_writer import content

TRIALS = 50
WRITER = Path(__file__).with_name("crash_writer.py")


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_sigkill_never_loses_a_committed_write(make_vault):
    admin, _ = make_vault()
    accounts.create_user(admin, NewUser("lan", "Lan", "tạm thời 12345", Role.VOLUNTEER))
    path = admin.path
    admin.lock()
    first = Vault(path).unlock("lan", "tạm thời 12345")
    first.set_new_passphrase("mật khẩu của Lan")
    first.lock()

    rng = random.Random(20261122)
    committed: dict[str, bytes] = {}
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    killed_mid_write = 0
    for trial in range(TRIALS):
        child = subprocess.Popen([sys.executable, str(WRITER), str(path), str(trial)],
                                 stdout=subprocess.PIPE, env=env, text=True)
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.4))
        child.send_signal(signal.SIGKILL)
        output, _ = child.communicate()
        lines = output.split("\n")
        complete = lines[:-1]  # the last piece may be a half-printed line
        for line in complete:
            t, i, name = line.split()
            committed[name] = content(int(t), int(i))
        incoming = list((path / "objects" / ".incoming").iterdir())
        killed_mid_write += bool(incoming)

        admin = Vault(path).unlock("admin", "mật khẩu quản trị")
        try:
            report = check_vault(admin)
            assert report.ok, report.problems
            for name, data in committed.items():
                assert b"".join(admin.read_object(name)) == data
            assert not list((path / "objects" / ".incoming").iterdir())
        finally:
            admin.lock()
    assert len(committed) > TRIALS  # the writer really wrote between kills
    assert killed_mid_write > 0  # and some kills landed in the middle of an object
