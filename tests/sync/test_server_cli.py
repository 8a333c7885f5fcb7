"""``sohoa-server`` is a placeholder until the sync work: it says so and starts nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sync.server.__main__ import main

SERVER = Path(sys.executable).parent / "sohoa-server"


def test_the_installed_command_answers_help():
    result = subprocess.run([str(SERVER), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "usage: sohoa-server" in result.stdout


def test_version_exits_zero(capsys):
    try:
        main(["--version"])
    except SystemExit as done:
        assert done.code == 0
    assert "sohoa-server" in capsys.readouterr().out


def test_without_arguments_it_says_it_is_not_built_and_fails(capsys):
    assert main([]) != 0
    assert "not built yet" in capsys.readouterr().err
