"""``sohoa-server`` as the command's staff run it: init, enrolment codes, ingest from USB."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sync.server.__main__ import main
from tests.sync.servers import usb_signature

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


def test_init_enrol_ingest_from_the_command_line(approved, tmp_path, capsys, database_url):
    import json
    from datetime import UTC, datetime

    import pytest

    from capture import station
    from sync import batch
    from sync.enrol_link import fingerprint
    from sync.server.keys import CommandKeys
    from sync.server.store import Station, Store

    data = tmp_path / "srv"
    db = ["--database", database_url]
    assert main(["init", "--data", str(data), *db]) == 0
    assert "age1" in capsys.readouterr().out
    assert main(["enrol-code", "--data", str(data), *db]) == 0
    code, grouped = capsys.readouterr().out.splitlines()
    keys = CommandKeys.load(data / "keys")
    assert grouped.split(": ")[1].replace(" ", "").lower() == fingerprint(
        keys.recipient, keys.signing_public)
    operator = approved[0]
    info = station.info(operator)
    Store(database_url).redeem(code, Station(info.id, info.name, 1, 4,
                                               info.signing_public_key,
                                               info.identity_public_key, True),
                                 datetime.now(UTC))
    out = tmp_path / "usb" / "batch.age"
    out.parent.mkdir()
    made = batch.build(operator, out, CommandKeys.load(data / "keys").recipient)
    assert main(["ingest", str(out), "--data", str(data), *db]) == 3  # no signature beside it
    assert "rejected (unsigned_batch)" in capsys.readouterr().err
    signature = usb_signature(out, station.signing_key(operator), info.id, made.batch_id)
    Path(f"{out}.minisig").write_text(signature)  # as the station's USB export writes it
    assert main(["ingest", str(out), "--data", str(data), *db]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["batch_id"] == made.batch_id and printed["replayed"] is False
    elsewhere = tmp_path / "sig.minisig"
    Path(f"{out}.minisig").rename(elsewhere)
    assert main(["ingest", str(out), "--signature", str(elsewhere), "--data", str(data),
                 *db]) == 0
    assert json.loads(capsys.readouterr().out)["replayed"] is True
    out.write_bytes(out.read_bytes()[:-10])
    assert main(["ingest", str(out), "--signature", str(elsewhere), "--data", str(data),
                 *db]) == 3
    assert "rejected (bad_signature)" in capsys.readouterr().err  # the file is not the signed one
    assert main(["batches", "--data", str(data), *db]) == 0
    assert made.batch_id in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["ingest"])
