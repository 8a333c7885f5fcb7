"""The command server under attack and fault, on loopback: what an attacker on the network (or
a broken station) sends is refused with a signed, coded refusal, costs the server bounded
memory, connections and disk, and leaves nothing unauthenticated behind."""

from __future__ import annotations

import base64
import json
import os
import resource
import shutil
import socket
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import select, update

from sync import httpsig, receipt
from sync.enrol_link import fingerprint
from sync.server.__main__ import main as server_main
from sync.server.app import Limits, ServerConfig, create_app
from sync.server.guard import ConnectionLimits
from sync.server.ingest import ingest
from sync.server.keys import CommandKeys
from sync.server.store import Store, uploads
from tests.sync.servers import (
    CommandServer,
    ServerProcess,
    creation_headers,
    enrol_station,
    random_batch,
    signed,
)


class Command:
    """The command's data folder, keys and database, and its server (started and restarted
    on them with a config of the test's choosing)."""

    def __init__(self, data: Path, database_url: str) -> None:
        self.data, self.database_url = data, database_url
        self.keys = CommandKeys.create(data / "keys")
        self.store = Store(database_url)
        self.server: CommandServer | None = None

    def start(self, connections: ConnectionLimits | None = None, **config: object
              ) -> CommandServer:
        self.stop()
        app = create_app(ServerConfig(self.data, database_url=self.database_url,
                                      **config))  # type: ignore[arg-type]
        self.server = CommandServer(app, limits=connections).start()
        return self.server

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def refusal(self, answer: httpx.Response) -> receipt.Refusal:
        """The answer's refusal, verified with the command's key (else the test fails)."""
        assert answer.headers["content-type"].startswith("application/json"), answer.text
        return receipt.verify_refusal(self.keys.signing_public, answer.content)

    def station_body(self, code: str, **changes: object) -> dict:  # type: ignore[type-arg]
        station = {"id": str(uuid.uuid4()), "name": "Trạm Đông Sơn", "province_code": 38,
                   "ward_code": 16000,
                   "signing_key": Ed25519PrivateKey.generate().public_key()
                   .public_bytes_raw().hex(),
                   "identity_key": X25519PrivateKey.generate().public_key()
                   .public_bytes_raw().hex()}
        station.update({k: v for k, v in changes.items() if k in station})
        body = {"code": code, "keys": fingerprint(self.keys.recipient,
                                                  self.keys.signing_public),
                "station": station}
        body.update({k: v for k, v in changes.items() if k in ("code", "keys")})
        return body


@pytest.fixture
def command(tmp_path, database_url):
    made = Command(tmp_path / "command", database_url)
    yield made
    made.stop()
    made.store.engine.dispose()


@pytest.fixture
def sqlite_command(tmp_path):
    folder = tmp_path / "db"
    folder.mkdir()
    made = Command(tmp_path / "command", f"sqlite:///{folder / 'server.db'}")
    yield made
    made.stop()
    made.store.engine.dispose()


def _raise_open_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < min(hard, 8192):
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))


# -- refusals --------------------------------------------------------------------------------

def test_a_refusal_is_signed_by_the_command_and_a_forged_one_is_not_believed():
    key = Ed25519PrivateKey.generate()
    text = receipt.sign_refusal(key, code="body_mismatch", detail="block 3", retryable=False,
                                station="s", upload="u", batch_id="b")
    refused = receipt.verify_refusal(key.public_key().public_bytes_raw(), text)
    assert (refused.code, refused.retryable, refused.upload) == ("body_mismatch", False, "u")
    forged = json.loads(text)
    forged["refusal"]["retryable"] = True  # an attacker turning a refusal into a retry …
    with pytest.raises(receipt.BadReceipt):
        receipt.verify_refusal(key.public_key().public_bytes_raw(), json.dumps(forged))
    with pytest.raises(receipt.BadReceipt):  # … or signing one with his own key
        receipt.verify_refusal(key.public_key().public_bytes_raw(), receipt.sign_refusal(
            Ed25519PrivateKey.generate(), code="damaged", detail="", retryable=False))
    with pytest.raises(receipt.BadReceipt):
        receipt.verify_refusal(key.public_key().public_bytes_raw(), "not a refusal\n")


def test_every_answer_that_is_not_a_success_is_a_signed_refusal(sqlite_command):
    server = sqlite_command.start()
    for answer, code, status in (
            (httpx.get(server.url + "/nothing-here"), "bad_request", 404),
            (httpx.put(server.url + "/files"), "bad_request", 405),
            (httpx.request("GET", server.url + "/api/enrol/keys", content=b"x" * 100),
             "too_large", 413),
            (httpx.post(server.url + "/files"), "unsigned", 401)):
        assert answer.status_code == status
        assert sqlite_command.refusal(answer).code == code


# -- enrolment --------------------------------------------------------------------------------

def _not_a_point() -> str:
    """32 bytes that are no Ed25519 point (about half of all 32-byte strings)."""
    from sync.server.validate import is_ed25519_point

    for n in range(1000):
        candidate = n.to_bytes(32, "little")
        if not is_ed25519_point(candidate):
            return candidate.hex()
    raise AssertionError


def test_a_malformed_enrolment_is_refused_and_does_not_spend_the_code(command):
    server = command.start()
    code = command.store.new_enrolment_code(datetime.now(UTC))
    good = command.station_body(code)
    bad_bodies = [
        command.station_body(code, signing_key="ab"),  # a 1-byte signing key
        command.station_body(code, identity_key=""),
        command.station_body(code, id="station-1"),  # not a UUID
        command.station_body(code, signing_key=_not_a_point()),
        command.station_body(code, province_code=True),
        command.station_body(code, province_code=0),
        command.station_body(code, ward_code=100000),
        command.station_body(code, name=""),
        command.station_body(code, name="x" * 201),
        command.station_body(code, name="Trạm\u0000"),
        {**good, "code": ["nested", {"deeper": []}]},
        {**good, "extra": 1},
        {k: v for k, v in good.items() if k != "keys"},
        {**good, "station": {**good["station"], "role": "admin"}},
    ]
    for body in bad_bodies:
        answer = httpx.post(server.url + "/api/enrol", json=body)
        assert answer.status_code == 400, body
        assert command.refusal(answer).code == "malformed"
    raw = [b"{" * 5000, b"not json", b'{"code": "a", "code": "b"}', "é".encode("latin-1")]
    for text in raw:
        answer = httpx.post(server.url + "/api/enrol", content=text)
        assert answer.status_code == 400 and command.refusal(answer).code == "malformed"
    mismatch = httpx.post(server.url + "/api/enrol", json={**good, "keys": "0" * 32})
    assert mismatch.status_code == 409 and command.refusal(mismatch).code == "keys_mismatch"

    enrolled = httpx.post(server.url + "/api/enrol", json=good)  # the code still works
    assert enrolled.status_code == 200, enrolled.text
    assert enrolled.json()["station"] == good["station"]["id"]
    assert [s["id"] for s in command.store.stations()] == [good["station"]["id"]]


def test_the_keys_endpoint_says_what_a_station_checks_its_fingerprint_against(sqlite_command):
    server = sqlite_command.start()
    keys = httpx.get(server.url + "/api/enrol/keys").json()
    assert keys == {"recipient": sqlite_command.keys.recipient,
                    "receipt_key": sqlite_command.keys.signing_public.hex(),
                    "fingerprint": fingerprint(sqlite_command.keys.recipient,
                                               sqlite_command.keys.signing_public),
                    "tls_certificate_sha256": None}
    # Not a free oracle either: 30 a minute per address, then a signed rate_limited.
    with httpx.Client(base_url=server.url) as client:
        statuses = [client.get("/api/enrol/keys").status_code for _ in range(40)]
        late = client.get("/api/enrol/keys")
    assert statuses.count(200) <= 31 and late.status_code == 429
    assert sqlite_command.refusal(late).code == "rate_limited"


def test_500_wrong_codes_from_one_client_are_blocked_and_others_still_enrol(sqlite_command):
    server = sqlite_command.start()
    code = sqlite_command.store.new_enrolment_code(datetime.now(UTC))
    answers: dict[str, int] = {}
    started = time.monotonic()
    with httpx.Client(base_url=server.url) as client:
        for n in range(500):
            body = sqlite_command.station_body(f"GUESS-{n:04d}")
            refused = sqlite_command.refusal(client.post("/api/enrol", json=body))
            answers[refused.code] = answers.get(refused.code, 0) + 1
        last = client.post("/api/enrol", json=sqlite_command.station_body(code))
    # Five guesses were heard; everything after was turned away unheard, the right code too.
    assert answers == {"code_unknown": 5, "rate_limited": 495}, answers
    assert last.status_code == 429 and int(last.headers["retry-after"]) >= 30
    blocked = sqlite_command.refusal(last)
    assert blocked.retryable and blocked.retry_after >= 30
    print(f"\n500 guesses answered in {time.monotonic() - started:.1f} s, 5 of them heard")
    # Another station, from another address, enrols with its code meanwhile.
    other = httpx.Client(base_url=server.url,
                         transport=httpx.HTTPTransport(local_address="127.0.0.2"))
    with other:
        assert other.post("/api/enrol", json=sqlite_command.station_body(code)).status_code \
            == 200


@pytest.mark.slow
def test_a_200_mb_enrolment_body_is_refused_and_the_server_stays_small(sqlite_command):
    server = ServerProcess(sqlite_command.data).start()
    try:
        for _ in range(3):  # warm up: the code paths an enrolment takes are loaded
            httpx.post(server.url + "/api/enrol", json={"code": "x"})
        before = server.rss()
        peak = [before]
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.is_set():
                peak.append(server.rss())
                time.sleep(0.01)

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            declared = _raw_post(server.port, 200_000_000, chunked=False)
            streamed = _raw_post(server.port, 200_000_000, chunked=True)
        finally:
            sampling.set()
            sampler.join()
        grew = max(peak) - before
        print(f"\nserver RSS {before / 2**20:.0f} MiB, grew {grew / 2**20:.1f} MiB; "
              f"sent {streamed[1] / 1e6:.1f} MB of the streamed 200 MB before it was cut off")
        for head, _ in (declared, streamed):
            assert head.startswith(b"HTTP/1.1 413"), head[:200]
            body = head.split(b"\r\n\r\n", 1)[1]
            assert sqlite_command.refusal(httpx.Response(
                413, headers={"content-type": "application/json"}, content=body)).code \
                == "too_large"
        assert grew < 20 * 2**20
        assert streamed[1] < 100_000_000  # the server hung up long before the end
    finally:
        server.stop()


def _raw_post(port: int, size: int, chunked: bool) -> tuple[bytes, int]:
    """POST /api/enrol with ``size`` bytes of body (declared, or streamed in chunks without a
    length); the server's answer as read while sending, and how much was sent."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    head = "POST /api/enrol HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    head += "Transfer-Encoding: chunked\r\n\r\n" if chunked else f"Content-Length: {size}\r\n\r\n"
    answer = bytearray()
    done = threading.Event()

    def read() -> None:
        try:
            while piece := sock.recv(65536):
                answer.extend(piece)
                if b"\r\n\r\n" in answer and answer.rstrip().endswith(b"}"):
                    break
        except OSError:
            pass
        done.set()

    reader = threading.Thread(target=read)
    reader.start()
    sent = 0
    piece = b"[" * (1 << 20)
    frame = f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece
    try:
        sock.sendall(head.encode())
        while sent < size and not done.is_set():
            sock.sendall(frame)
            sent += len(piece)
    except OSError:
        pass  # the server closed the connection: what it is meant to do
    reader.join(timeout=20)
    sock.close()
    return bytes(answer), sent


# -- connections -----------------------------------------------------------------------------

@pytest.mark.slow
def test_1500_half_open_connections_do_not_stop_another_client(sqlite_command):
    _raise_open_files()
    # Started with 1024 open files allowed (a common default): the server raises its own limit.
    server = ServerProcess(sqlite_command.data, limit_files=1024).start()
    held: list[socket.socket] = []
    try:
        for _ in range(1500):
            sock = socket.socket()
            sock.settimeout(5)
            try:
                sock.connect(("127.0.0.1", server.port))
                sock.sendall(b"PATCH /files/x HTTP/1.1\r\nHost: x\r\n")  # and never more
            except OSError:
                pass
            held.append(sock)
        started = time.monotonic()
        other = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"),
                             timeout=5)
        with other:
            answer = other.options(server.url + "/files")
        took = time.monotonic() - started
        print(f"\nOPTIONS answered in {took * 1000:.0f} ms beside 1500 half-open connections")
        assert answer.status_code == 204 and took < 5
    finally:
        for sock in held:
            sock.close()
        server.stop()


def test_a_client_that_never_finishes_its_headers_is_cut_off(sqlite_command):
    server = sqlite_command.start(ConnectionLimits(header_timeout=1.0, per_client=3))
    slow = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    slow.sendall(b"OPTIONS /files HTTP/1.1\r\nHost: x\r\n")
    started = time.monotonic()
    assert slow.recv(100) == b""  # the server hung up
    assert 0.5 < time.monotonic() - started < 5
    slow.close()
    # More connections than a client may hold at once: the extra ones are closed at once.
    crowd = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(6)]
    try:
        closed = 0
        for sock in crowd[3:]:
            try:
                closed += sock.recv(100) == b""
            except ConnectionResetError:
                closed += 1
        assert closed == 3
    finally:
        for sock in crowd:
            sock.close()


def test_requests_beyond_the_cap_are_told_the_command_is_busy(sqlite_command):
    server = sqlite_command.start(limits=Limits(max_requests=1))
    key = Ed25519PrivateKey.generate()
    station_id = enrol_station(sqlite_command.store, key)
    data = os.urandom(200_000)
    headers, manifest = creation_headers(data)
    created = httpx.post(server.url + "/files", content=manifest,
                         headers=signed(key, station_id, "POST", "/files", headers))
    location = httpx.URL(created.headers["location"]).path
    patch = signed(key, station_id, "PATCH", location, {
        "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
    hung = socket.create_connection(("127.0.0.1", server.port))
    hung.sendall((f"PATCH {location} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(data)}\r\n"
                  + "".join(f"{k}: {v}\r\n" for k, v in patch.items()) + "\r\n").encode()
                 + data[:1000])
    try:
        time.sleep(0.3)
        other = httpx.post(server.url + "/files", content=manifest,
                           headers=signed(key, station_id, "POST", "/files", headers))
        assert other.status_code == 503
        busy = sqlite_command.refusal(other)
        assert busy.code == "busy" and busy.retryable and int(other.headers["retry-after"]) > 0
        assert httpx.options(server.url + "/files").status_code == 204
    finally:
        hung.close()


# -- uploads ---------------------------------------------------------------------------------

def _create(command: Command, key, station_id: str, data: bytes,  # type: ignore[no-untyped-def]
            batch_id: str | None = None) -> httpx.Response:
    assert command.server is not None
    headers, manifest = creation_headers(data, batch_id)
    return httpx.post(command.server.url + "/files", content=manifest,
                      headers=signed(key, station_id, "POST", "/files", headers))


def _patch(command: Command, key, station_id: str, location: str,  # type: ignore[no-untyped-def]
           offset: int, body: bytes, extra: dict[str, str] | None = None) -> httpx.Response:
    assert command.server is not None
    return httpx.patch(command.server.url + location, content=body, headers=signed(
        key, station_id, "PATCH", location,
        {"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream",
         **(extra or {})}))


def _head(command: Command, key, station_id: str, location: str  # type: ignore[no-untyped-def]
          ) -> httpx.Response:
    assert command.server is not None
    return httpx.head(command.server.url + location,
                      headers=signed(key, station_id, "HEAD", location))


def test_a_patch_with_another_body_is_refused_and_none_of_it_kept(sqlite_command):
    sqlite_command.start()
    key = Ed25519PrivateKey.generate()
    station_id = enrol_station(sqlite_command.store, key)
    data = os.urandom(300_000)
    batch_id = str(uuid.uuid4())
    created = _create(sqlite_command, key, station_id, data, batch_id)
    assert created.status_code == 201, created.text
    location = httpx.URL(created.headers["location"]).path
    upload_id = location.rsplit("/", 1)[1]
    part = sqlite_command.data / "uploads" / f"{upload_id}.part"
    # Valid signed headers, someone else's body.
    other = _patch(sqlite_command, key, station_id, location, 0, os.urandom(len(data)))
    assert other.status_code == 460
    refused = sqlite_command.refusal(other)
    assert (refused.code, refused.upload, refused.batch_id) == ("body_mismatch", upload_id,
                                                                batch_id)
    assert part.stat().st_size == 0 and _head(sqlite_command, key, station_id, location) \
        .headers["upload-offset"] == "0"
    # Two good blocks, then a changed byte in the third: the good ones are kept, no more.
    changed = bytearray(data)
    changed[150_000] ^= 1
    assert _patch(sqlite_command, key, station_id, location, 0, bytes(changed)) \
        .status_code == 460
    assert part.stat().st_size == 2 * 65536
    done = _patch(sqlite_command, key, station_id, location, 2 * 65536, data[2 * 65536:])
    assert done.status_code == 204 and done.headers["upload-offset"] == str(len(data))
    with sqlite_command.store.engine.connect() as conn:
        row = conn.execute(select(uploads).where(uploads.c.id == upload_id)).one()
    assert row.batch_id == batch_id


def test_what_an_upload_is_created_with_is_checked(sqlite_command):
    server = sqlite_command.start()
    key = Ed25519PrivateKey.generate()
    station_id = enrol_station(sqlite_command.store, key)
    data = os.urandom(100_000)
    headers, manifest = creation_headers(data)

    def create(extra: dict[str, str], body: bytes) -> receipt.Refusal:
        sent = {**headers, **extra}
        return sqlite_command.refusal(httpx.post(
            server.url + "/files", content=body,
            headers=signed(key, station_id, "POST", "/files", sent)))

    assert create({}, manifest[:-1]).code == "bad_request"  # the wrong length
    assert create({}, bytes(len(manifest))).code == "body_mismatch"  # not its digest
    assert create({"Sohoa-Block-Size": "1024"}, manifest).code == "bad_request"
    for bad_id in (b"../../etc", b"x" * 37, b"-x", "lô".encode()):
        metadata = "batch_id " + base64.b64encode(bad_id).decode()
        assert create({"Upload-Metadata": metadata}, manifest).code == "bad_request"
    # No manifest (a stock tus client): each PATCH must carry a signed Upload-Checksum.
    bare = {"Upload-Length": str(len(data)), "Tus-Resumable": "1.0.0"}
    created = httpx.post(server.url + "/files",
                         headers=signed(key, station_id, "POST", "/files", bare))
    location = httpx.URL(created.headers["location"]).path
    unsigned = _patch(sqlite_command, key, station_id, location, 0, data)
    assert unsigned.status_code == 400
    assert sqlite_command.refusal(unsigned).code == "body_unsigned"
    assert not (sqlite_command.data / "uploads" / f"{location.rsplit('/', 1)[1]}.part") \
        .stat().st_size


def test_an_expired_upload_is_refused_and_swept_while_running_and_at_start(command):
    command.start(sweep_every=0.3)
    key = Ed25519PrivateKey.generate()
    station_id = enrol_station(command.store, key)
    data = os.urandom(200_000)
    location = httpx.URL(_create(command, key, station_id, data).headers["location"]).path
    upload_id = location.rsplit("/", 1)[1]
    assert _patch(command, key, station_id, location, 0, data[:65536]).status_code == 204
    files = [command.data / "uploads" / f"{upload_id}{ext}" for ext in (".part", ".blocks")]
    assert all(f.exists() for f in files)
    command.stop()
    command.start(sweep_every=0.3)
    with command.store.begin() as conn:  # a week later
        conn.execute(update(uploads).where(uploads.c.id == upload_id).values(
            expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    head = _head(command, key, station_id, location)
    assert head.status_code in (410, 404)  # expired, or already swept
    refused = command.refusal(_patch(command, key, station_id, location, 65536, data[65536:]))
    assert refused.code in ("expired", "no_such_upload") and not refused.retryable
    deadline = time.monotonic() + 10
    while any(f.exists() for f in files) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(f.exists() for f in files)
    with command.store.engine.connect() as conn:
        assert conn.execute(select(uploads).where(uploads.c.id == upload_id)).first() is None

    # One that expired while the server was stopped is gone as soon as it starts again.
    command.start()  # the next periodic sweep is 10 minutes away
    location = httpx.URL(_create(command, key, station_id, data).headers["location"]).path
    upload_id = location.rsplit("/", 1)[1]
    command.stop()
    with command.store.begin() as conn:
        conn.execute(update(uploads).where(uploads.c.id == upload_id).values(
            expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    command.start()
    assert not (command.data / "uploads" / f"{upload_id}.part").exists()
    assert _head(command, key, station_id, location).status_code == 404
    result = location + "/result"
    assert command.refusal(httpx.get(command.server.url + result, headers=signed(
        key, station_id, "GET", result))).code == "no_such_upload"


def test_a_station_cannot_hold_more_than_its_quota_nor_fill_the_disk(command):
    command.start(station_quota=500_000)
    key = Ed25519PrivateKey.generate()
    station_id = enrol_station(command.store, key)
    assert _create(command, key, station_id, os.urandom(300_000)).status_code == 201
    over = _create(command, key, station_id, os.urandom(300_000))
    assert over.status_code == 507
    refused = command.refusal(over)
    assert refused.code == "quota_exceeded" and refused.retryable and over.headers["retry-after"]
    other_key = Ed25519PrivateKey.generate()
    other = enrol_station(command.store, other_key)
    assert _create(command, other_key, other, os.urandom(300_000)).status_code == 201

    # A reserve as large as the whole disk: as if it were all but full (other programs on this
    # machine free and take space meanwhile, so its free space itself is no fixed mark).
    command.start(free_space_reserve=shutil.disk_usage(command.data / "uploads").total)
    full = _create(command, other_key, other, os.urandom(1000))
    assert full.status_code == 507
    assert command.refusal(full).code == "no_space" and command.refusal(full).retryable


def test_an_upload_larger_than_the_server_takes_is_refused(sqlite_command):
    sqlite_command.start(max_size=100_000)
    key = Ed25519PrivateKey.generate()
    station_id = enrol_station(sqlite_command.store, key)
    answer = _create(sqlite_command, key, station_id, os.urandom(100_001))
    assert answer.status_code == 413 and sqlite_command.refusal(answer).code == "too_large"


# -- signatures ------------------------------------------------------------------------------

def test_a_request_replayed_after_a_restart_is_refused(command):
    command.start()
    key = Ed25519PrivateKey.generate()
    station_id = enrol_station(command.store, key)
    headers, manifest = creation_headers(os.urandom(1000))
    once = signed(key, station_id, "POST", "/files", headers)
    assert command.server is not None
    assert httpx.post(command.server.url + "/files", content=manifest,
                      headers=once).status_code == 201
    command.stop()
    server = command.start()  # a new process would know no more than this: the database
    replay = httpx.post(server.url + "/files", content=manifest, headers=once)
    assert replay.status_code == 401 and command.refusal(replay).code == "replayed"
    # Nonces older than the signature window are swept (a signature that old is refused).
    later = datetime.now(UTC) + timedelta(seconds=2 * httpsig.MAX_SKEW + 1)
    assert command.store.sweep_nonces(later, timedelta(seconds=2 * httpsig.MAX_SKEW)) >= 1


def test_failed_signatures_from_one_client_are_rate_limited(sqlite_command):
    server = sqlite_command.start(limits=Limits(signature_failures=10))
    key = Ed25519PrivateKey.generate()
    station_id = enrol_station(sqlite_command.store, key)
    stranger = Ed25519PrivateKey.generate()
    codes = [sqlite_command.refusal(httpx.post(
        server.url + "/files", headers=signed(stranger, station_id, "POST", "/files",
                                              {"Upload-Length": "10"}))).code
             for _ in range(15)]
    assert codes == ["bad_signature"] * 10 + ["rate_limited"] * 5
    good = signed(key, station_id, "POST", "/files", {"Upload-Length": "10"})
    assert httpx.post(server.url + "/files", headers=good).status_code == 429
    other = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"))
    with other:
        again = signed(key, station_id, "POST", "/files", {"Upload-Length": "10"})
        assert other.post(server.url + "/files", headers=again).status_code == 201


# -- stations --------------------------------------------------------------------------------

def test_a_disabled_station_is_refused_until_enabled_and_a_rotated_key_replaces_the_old(
        command, capsys):
    server = command.start()
    key = Ed25519PrivateKey.generate()
    station_id = enrol_station(command.store, key)
    cli = ["--data", str(command.data), "--database", command.database_url]
    assert _create(command, key, station_id, os.urandom(1000)).status_code == 201
    assert server_main(["stations", "disable", station_id, "--reason", "máy bị mất",
                        *cli]) == 0
    refused = _create(command, key, station_id, os.urandom(1000))
    assert refused.status_code == 403
    assert (command.refusal(refused).code, command.refusal(refused).station) == \
        ("station_disabled", station_id)
    assert server_main(["stations", "list", *cli]) == 0
    listed = capsys.readouterr().out
    assert station_id in listed and "DISABLED" in listed and "máy bị mất" in listed
    assert server_main(["stations", "enable", station_id, *cli]) == 0
    assert _create(command, key, station_id, os.urandom(1000)).status_code == 201

    new_key = Ed25519PrivateKey.generate()
    assert server_main(["stations", "rotate-key", station_id, "--signing-key",
                        new_key.public_key().public_bytes_raw().hex(), "--identity-key",
                        os.urandom(32).hex(), *cli]) == 0
    old = _create(command, key, station_id, os.urandom(1000))
    assert old.status_code == 401 and command.refusal(old).code == "bad_signature"
    assert _create(command, new_key, station_id, os.urandom(1000)).status_code == 201
    assert server_main(["stations", "rotate-key", station_id, "--signing-key", "ab",
                        "--identity-key", "cd", *cli]) == 2
    assert server_main(["stations", "disable", str(uuid.uuid4()), *cli]) == 2
    assert server.url


# -- what an anonymous visitor sees ------------------------------------------------------------

def test_the_old_status_page_and_batch_list_show_nothing_anonymously(sqlite_command, tmp_path):
    key = Ed25519PrivateKey.generate()
    station_id = enrol_station(sqlite_command.store, key)
    batch = tmp_path / "batch.age"
    random_batch(batch, 20_000, sqlite_command.keys.recipient, key, station_id, files=1)
    made = ingest(batch, sqlite_command.store, sqlite_command.keys,
                  sqlite_command.data / "archive", station_id=station_id)
    server = sqlite_command.start()
    for path in ("/", "/api/batches"):
        answer = httpx.get(server.url + path)
        assert answer.status_code == 404
        assert made.receipt.batch_id not in answer.text and station_id not in answer.text
        assert sqlite_command.refusal(answer).code == "bad_request"
