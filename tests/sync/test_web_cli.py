"""``sohoa-server account`` and ``sohoa-server token`` as an administrator runs them."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sync.server import accounts
from sync.server.__main__ import main
from sync.server.store import Store

SERVER = Path(sys.executable).parent / "sohoa-server"


def _run(monkeypatch, capsys, *argv: str, stdin: str = "") -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_accounts_and_tokens_from_the_command_line(tmp_path, monkeypatch, capsys):
    data = ["--data", str(tmp_path / "srv")]
    # The installed command, a password on standard input as a script would give it.
    made = subprocess.run([str(SERVER), "account", "add", "hanh", "--role", "analyst",
                           "--password-stdin", *data], input="mật khẩu của Hạnh 2026\n",
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    assert "hanh (analyst)" in made.stdout
    code, _, err = _run(monkeypatch, capsys, "account", "add", "hanh", "--role", "reader",
                        "--password-stdin", *data, stdin="một mật khẩu khác\n")
    assert code == 2 and "already exists" in err
    code, _, err = _run(monkeypatch, capsys, "account", "add", "son", "--role", "reader",
                        "--password-stdin", *data, stdin="ngắn\n")
    assert code == 2 and "at least 10 characters" in err
    _run(monkeypatch, capsys, "account", "add", "son", "--role", "reader", "--password-stdin",
         *data, stdin="mật khẩu của Sơn 2026\n")
    code, out, _ = _run(monkeypatch, capsys, "account", "list", *data)
    assert [line.split("\t")[:3] for line in out.splitlines()] == [
        ["hanh", "analyst", "active"], ["son", "reader", "active"]]

    store = Store.in_folder(tmp_path / "srv")
    now = datetime.now(UTC)
    accounts.sign_in(store, "hanh", "mật khẩu của Hạnh 2026", "10.0.0.1", now)
    code, out, _ = _run(monkeypatch, capsys, "account", "passwd", "hanh", "--password-stdin",
                        *data, stdin="mật khẩu mới của Hạnh\n")
    assert code == 0 and "sessions are closed" in out
    accounts.sign_in(store, "hanh", "mật khẩu mới của Hạnh", "10.0.0.1", now)

    code, token, err = _run(monkeypatch, capsys, "token", "create", "hanh", "--label",
                            "báo cáo tháng", *data)
    token = token.strip()
    assert code == 0 and token.startswith("sohoa_") and "shown once" in err
    with store.begin() as conn:
        assert accounts.token_actor(conn, token, now).username == "hanh"
    code, out, _ = _run(monkeypatch, capsys, "token", "list", *data)
    token_id, owner, state, label = out.strip().split("\t")
    assert (owner, state, label) == ("hanh", "live", "báo cáo tháng") and token not in out
    _run(monkeypatch, capsys, "token", "revoke", token_id, *data)
    with store.begin() as conn:
        assert accounts.token_actor(conn, token, now) is None

    code, out, _ = _run(monkeypatch, capsys, "account", "disable", "son", *data)
    assert code == 0 and "son disabled" in out
    code, out, _ = _run(monkeypatch, capsys, "account", "list", *data)
    assert "son\treader\tdisabled" in out
    code, _, err = _run(monkeypatch, capsys, "token", "create", "son", *data)
    assert code == 2 and "disabled" in err
    store.engine.dispose()


def test_serve_runs_the_station_api_and_the_workbench_on_two_ports(tmp_path):
    import signal
    import time

    import httpx

    from tests.sync.servers import free_port

    data = ["--data", str(tmp_path / "srv")]
    assert subprocess.run([str(SERVER), "init", *data], capture_output=True,
                          timeout=60).returncode == 0
    station, web = free_port(), free_port()
    server = subprocess.Popen([str(SERVER), "serve", *data, "--port", str(station),
                               "--web-port", str(web)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                signin = httpx.get(f"http://127.0.0.1:{web}/signin", timeout=2)
                tus = httpx.options(f"http://127.0.0.1:{station}/files", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "serve did not answer on both ports"
                time.sleep(0.1)
        assert signin.status_code == 200 and "Đăng nhập" in signin.text
        assert tus.status_code == 204 and tus.headers["tus-resumable"] == "1.0.0"
        # Each port serves its own app only: no workbench on the open port, no uploads on
        # the office one.
        assert httpx.get(f"http://127.0.0.1:{station}/signin", timeout=5).status_code == 404
        assert httpx.options(f"http://127.0.0.1:{web}/files", timeout=5).status_code in (404,
                                                                                        405)
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) in (0, 1, -signal.SIGINT)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    for port in (station, web):  # both stopped
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
        except httpx.TransportError:
            continue
        raise AssertionError(f"port {port} still answers after the stop")
