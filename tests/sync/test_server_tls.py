"""The command over TLS as its staff set it up: ``tls-cert`` makes a self-signed certificate,
``serve`` uses it, ``enrol-code`` prints what stations pin, and a station pinning that
certificate talks to the server (one that pins another does not)."""

from __future__ import annotations

import re
import ssl
import stat
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from sync.enrol_link import fingerprint
from sync.server.__main__ import main
from sync.server.keys import CommandKeys
from sync.server.tls import TlsFiles, make_self_signed
from tests.sync.servers import ServerProcess


def _pinned(pem: str) -> ssl.SSLContext:
    context = ssl.create_default_context(cadata=pem)
    context.check_hostname = False  # the pin is the certificate itself, not its name
    return context


@pytest.mark.slow
def test_tls_certificate_serve_and_enrolment_sheet(tmp_path, capsys):
    data = tmp_path / "command"
    assert main(["init", "--data", str(data)]) == 0
    assert main(["tls-cert", "--data", str(data), "--host", "chqs.local",
                 "--ip", "127.0.0.1"]) == 0
    printed = capsys.readouterr().out
    digest = re.search(r"SHA-256: ([0-9a-f]{64})", printed).group(1)  # type: ignore[union-attr]
    files = TlsFiles.in_data(data)
    assert stat.S_IMODE(files.key.stat().st_mode) == 0o600
    assert main(["tls-cert", "--data", str(data), "--host", "x"]) == 2  # never replaced

    keys = CommandKeys.load(data / "keys")
    assert main(["enrol-code", "--data", str(data), "--url", "https://chqs.local:8470"]) == 0
    code, grouped, tls_line, link = capsys.readouterr().out.splitlines()
    groups = grouped.split(": ")[1].split(" ")
    assert len(groups) == 8 and all(len(g) == 4 for g in groups)
    assert "".join(groups).lower() == fingerprint(keys.recipient, keys.signing_public)
    assert tls_line.endswith(digest)
    query = parse_qs(urlsplit(link).query)
    assert query["tls"] == [digest] and query["code"] == [code]

    server = ServerProcess(data)  # DATA/tls/ has a certificate: served over TLS
    pem = files.cert.read_text()
    try:
        server.start("https", verify=_pinned(pem))
        url = f"https://127.0.0.1:{server.port}"
        keys_answer = httpx.get(url + "/api/enrol/keys", verify=_pinned(pem)).json()
        assert keys_answer["tls_certificate_sha256"] == digest
        with pytest.raises(httpx.TransportError):  # plain HTTP gets nothing
            httpx.get(f"http://127.0.0.1:{server.port}/api/enrol/keys", timeout=5)
        other = TlsFiles(tmp_path / "other" / "cert.pem", tmp_path / "other" / "key.pem")
        from datetime import UTC, datetime

        make_self_signed(other, "chqs.local", ["127.0.0.1"], datetime.now(UTC))
        with pytest.raises(httpx.ConnectError):  # a station pinning another certificate
            httpx.get(url + "/api/enrol/keys", verify=_pinned(other.cert.read_text()))
    finally:
        server.stop()
