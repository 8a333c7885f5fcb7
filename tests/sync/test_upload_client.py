"""The upload client on its own: the block manifest it sends, and Cancel on a dead link (a
server that accepts the connection and never answers) ending at once."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import threading
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync import upload as tus


class DeadLink:
    """Accepts connections and never reads or answers: a link that hangs with no bytes."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()


@pytest.mark.parametrize("event", [tus.Stop, threading.Event], ids=["stop", "plain-event"])
def test_cancel_on_a_dead_link_ends_within_two_seconds(tmp_path, event):
    """The operator presses Cancel while the command's answer never comes: the upload stops
    at once (it used to wait for the 30 s read timeout), and what was kept stays."""
    link = DeadLink()
    batch = tmp_path / "batch.age"
    batch.write_bytes(os.urandom(300_000))
    cancel = event()
    client = tus.Uploader(link.url, "station", Ed25519PrivateKey.generate(), batch,
                          bytes(32), batch_id="b", cancelled=cancel, timeout=30.0)
    outcome: list[BaseException] = []
    ended = threading.Event()

    def run() -> None:
        try:
            client.run()
        except BaseException as error:
            outcome.append(error)
        ended.set()

    threading.Thread(target=run, daemon=True).start()
    deadline = time.monotonic() + 20
    while not link.accepted and time.monotonic() < deadline:
        time.sleep(0.02)
    assert link.accepted, "the client never connected"
    time.sleep(0.5)  # the request is out; the answer never comes
    pressed = time.monotonic()
    cancel.set()
    assert ended.wait(10), "the upload was still waiting 10 s after Cancel"
    took = time.monotonic() - pressed
    client.close()
    link.close()
    assert took < 2.0, f"Cancel took {took:.1f} s"
    assert len(outcome) == 1 and isinstance(outcome[0], tus.Cancelled)
    # The manifest stays cached beside the file for the next try.
    assert "manifest" in json.loads(client.state_file.read_text())


def test_the_block_manifest_follows_the_contract(tmp_path):
    assert tus.block_size(0) == 65536
    assert tus.block_size(65536 * 32768) == 65536
    assert tus.block_size(65536 * 32768 + 1) == 131072
    assert tus.block_size(20 * 1024**3) == 1024 * 1024  # 20 GB: 20,480 blocks of 1 MiB
    data = os.urandom(3 * 65536 + 100)
    path = tmp_path / "f"
    path.write_bytes(data)
    made = tus.manifest(path, 65536)
    assert made == b"".join(hashlib.sha256(data[i:i + 65536]).digest()
                            for i in range(0, len(data), 65536))
    assert len(made) == 4 * 32  # the last block is short
    digest = tus.content_digest(made)
    assert digest == "sha-256=:" + base64.b64encode(hashlib.sha256(made).digest()).decode() + ":"
