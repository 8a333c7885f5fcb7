"""The station against a hostile network, with the real command server on loopback: a relay that
swaps the command's keys at enrolment is refused before the code is sent; the TLS certificate
taken at enrolment is the only one accepted later; the station acts on a refusal only when the
command signed it (an unsigned or forged one is retried, a signed transient one is waited out
until the receipt); an expired upload starts again."""

from __future__ import annotations

import datetime as dt
import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import func, select

from capture import outbox as records
from sync import enrol_link, outbox, receipt
from sync import upload as tus
from sync.enrol_link import fingerprint
from sync.server.app import ServerConfig, create_app
from sync.server.keys import CommandKeys
from sync.server.store import Store, uploads
from tests.sync import servers
from tests.sync.relay import Relay
from tests.sync.servers import CommandServer
from tests.sync.test_outbox import ADMIN, OPERATOR, add_approved_visit, keys_of, signed_in
from tests.sync.test_outbox import command as command  # the fixture

# --- enrolment ------------------------------------------------------------------------------


def _swap_keys(attacker: CommandKeys, paths: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """A relay's rewrite: the command's recipient and receipt key replaced by the attacker's
    in the answers to ``paths``."""
    def rewrite(method, path, status, headers, body):  # type: ignore[no-untyped-def]
        if path.split("?")[0] not in paths or status != 200:
            return None
        doc = json.loads(body)
        doc["recipient"] = attacker.recipient
        doc["receipt_key"] = attacker.signing_public.hex()
        if "fingerprint" in doc:
            doc["fingerprint"] = fingerprint(attacker.recipient, attacker.signing_public)
        return status, headers, json.dumps(doc).encode()
    return rewrite


def test_a_relay_that_swaps_the_commands_keys_is_refused_before_the_code_is_sent(
        approved, command, tmp_path):  # type: ignore[no-untyped-def]
    operator, _, _, _ = approved
    path = operator.path
    operator.lock()
    server, keys, store, data = command
    attacker = CommandKeys.create(tmp_path / "attacker")
    sheet = keys_of(data)  # what the command printed with the code
    code = store.new_enrolment_code(datetime.now(UTC))
    relay = Relay(server.port, _swap_keys(attacker, ("/api/enrol/keys", "/api/enrol"))).start()
    try:
        with signed_in(path, ADMIN) as admin:
            with pytest.raises(enrol_link.KeysMismatch) as mismatch:
                outbox.enrol(admin, relay.url, code, sheet)
            assert mismatch.value.expected == sheet
            assert mismatch.value.answered == fingerprint(attacker.recipient,
                                                          attacker.signing_public)
            # The code never went through the relay, nothing was kept.
            assert ("POST", "/api/enrol") not in relay.requests
            assert outbox.enrolment(admin) is None
    finally:
        relay.stop()
    # The code was not spent: the same code, straight to the command, enrols the station
    # with the command's own keys.
    with signed_in(path, ADMIN) as admin:
        enrolled = outbox.enrol(admin, server.url, code, enrol_link.grouped(sheet))
        assert enrolled.command_recipient == keys.recipient != attacker.recipient
        assert enrolled.receipt_public_key == keys.signing_public


def test_a_relay_that_swaps_only_the_enrolments_answer_is_caught_too(approved, command,
                                                                     tmp_path):  # type: ignore[no-untyped-def]
    operator, _, _, _ = approved
    path = operator.path
    operator.lock()
    server, _, store, data = command
    attacker = CommandKeys.create(tmp_path / "attacker")
    relay = Relay(server.port, _swap_keys(attacker, ("/api/enrol",))).start()
    try:
        with signed_in(path, ADMIN) as admin:
            with pytest.raises(enrol_link.KeysMismatch):
                outbox.enrol(admin, relay.url, store.new_enrolment_code(datetime.now(UTC)),
                             keys_of(data))
            assert ("POST", "/api/enrol") in relay.requests
            assert outbox.enrolment(admin) is None  # nothing encrypts to the attacker's key
            # The command did register the station: trying again says to ask the command
            # (which re-keys or removes it), rather than anything going to the relay.
            with pytest.raises(outbox.AlreadyEnrolled):
                outbox.enrol(admin, server.url, store.new_enrolment_code(datetime.now(UTC)),
                             keys_of(data))
    finally:
        relay.stop()


# --- TLS --------------------------------------------------------------------------------------


def _certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (what `sohoa-server tls-cert` makes)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(
                __import__("ipaddress").ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / f"{name}.pem", folder / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def _tls_server(data: Path, cert: tuple[Path, Path]) -> CommandServer:
    return CommandServer(create_app(ServerConfig(data, tls_certificate=cert[0])),
                         tls_cert=str(cert[0]), tls_key=str(cert[1])).start()


def test_the_certificate_taken_at_enrolment_is_the_only_one_accepted(
        approved, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    operator, visit_id, _, _ = approved
    path = operator.path
    operator.lock()
    data = tmp_path / "command"
    keys = CommandKeys.create(data / "keys")
    store = Store.in_folder(data)
    first, other = _certificate(tmp_path, "first"), _certificate(tmp_path, "other")
    server = _tls_server(data, first)
    url = f"https://127.0.0.1:{server.port}"
    sheet = fingerprint(keys.recipient, keys.signing_public)
    first_sha = tus.certificate_sha256(first[0].read_text())
    try:
        with signed_in(path, ADMIN) as admin:
            # The link's tls= names another certificate: refused before anything is sent.
            code = store.new_enrolment_code(datetime.now(UTC))
            with pytest.raises(outbox.CertificateMismatch):
                outbox.enrol(admin, url, code, sheet,
                             tls=tus.certificate_sha256(other[0].read_text()))
            assert outbox.enrolment(admin) is None
            enrolled = outbox.enrol(admin, url, code, sheet, tls=first_sha)
            assert tus.certificate_sha256(enrolled.tls_certificate) == first_sha
        with signed_in(path, OPERATOR) as vault:
            (made,) = outbox.build(vault)
        # The command's address now answers with another certificate (someone in between,
        # or a new certificate nobody told the station about): nothing is sent.
        server.stop()
        monkeypatch.setattr(servers, "free_port", lambda: server.port)
        server = _tls_server(data, other)
        reasons: list[str] = []
        stop = tus.Stop()

        def retrying(attempt: int, seconds: float, reason: str) -> None:
            reasons.append(reason)
            if attempt == 2:
                stop.set()

        with signed_in(path, OPERATOR) as vault:
            with pytest.raises(outbox.UploadStopped):
                outbox.upload(vault, made.id, cancel=stop, retrying=retrying)
            assert outbox.status(vault)[0].state == "uploading"
        assert reasons == ["certificate", "certificate"]
        with store.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(uploads)).scalar() == 0
        # The command's own certificate again: delivered.
        server.stop()
        server = _tls_server(data, first)
        with signed_in(path, OPERATOR) as vault:
            assert outbox.upload(vault, made.id).state == "delivered"
            assert outbox.delivered_visits(vault) == {visit_id}
    finally:
        server.stop()


# --- refusals -------------------------------------------------------------------------------


def _via(path: Path, relay: Relay) -> None:
    """Send this station's uploads through the relay (the enrolment stays the command's)."""
    with signed_in(path, ADMIN) as admin, admin.writing() as session:
        session.get(records.EnrolmentRow, 1).server_url = relay.url


@pytest.fixture
def enrolled(approved, command):  # type: ignore[no-untyped-def]
    operator, visit_id, _, _ = approved
    path = operator.path
    operator.lock()
    server, _, store, data = command
    with signed_in(path, ADMIN) as admin:
        outbox.enrol(admin, server.url, store.new_enrolment_code(datetime.now(UTC)),
                     keys_of(data))
    return path, visit_id


def test_unsigned_and_forged_refusals_are_retried_never_trusted(enrolled, command, tmp_path
                                                                ):  # type: ignore[no-untyped-def]
    path, visit_id = enrolled
    server = command[0]
    forger = CommandKeys.create(tmp_path / "forger")
    answers = [
        # what an interceptor might say, unsigned, in the old format
        (422, {"Content-Type": "application/json"},
         json.dumps({"reason": "damaged", "detail": "the batch is damaged"}).encode()),
        # a refusal in the command's format, signed by a key that is not the command's
        (422, {"Content-Type": "application/json"}, receipt.sign_refusal(
            forger.signing, code="not_a_batch", detail="not a batch",
            retryable=False).encode()),
    ]

    def rewrite(method, path_, status, headers, body):  # type: ignore[no-untyped-def]
        if method == "GET" and path_.endswith("/result") and answers:
            return answers.pop(0)
        return None

    relay = Relay(server.port, rewrite).start()
    try:
        _via(path, relay)
        reasons: list[str] = []
        with signed_in(path, OPERATOR) as vault:
            (made,) = outbox.build(vault)
            done = outbox.upload(vault, made.id, retrying=lambda a, s, r: reasons.append(r))
            assert done.state == "delivered" and done.refusal_reason is None
            assert outbox.delivered_visits(vault) == {visit_id}
        assert reasons == ["unsigned_answer", "unsigned_answer"]
    finally:
        relay.stop()


def test_a_signed_transient_refusal_at_the_command_is_waited_out_until_the_receipt(
        enrolled, command):  # type: ignore[no-untyped-def]
    """The command's disk was full at ingest: it keeps the bytes, answers 503 retryable (signed)
    and retries itself; the station keeps asking and ends with the receipt."""
    path, _ = enrolled
    server, keys, _, _ = command
    transient = 2

    def rewrite(method, path_, status, headers, body):  # type: ignore[no-untyped-def]
        nonlocal transient
        if method == "GET" and path_.endswith("/result") and transient:
            transient -= 1
            return 503, {"Content-Type": "application/json", "Retry-After": "1"}, \
                receipt.sign_refusal(keys.signing, code="no_space",
                                     detail="the command's disk is full", retryable=True,
                                     retry_after=1).encode()
        return None

    relay = Relay(server.port, rewrite).start()
    try:
        _via(path, relay)
        told: list[tuple[str, float]] = []
        with signed_in(path, OPERATOR) as vault:
            (made,) = outbox.build(vault)
            done = outbox.upload(vault, made.id, retrying=lambda a, s, r: told.append((r, s)))
            assert done.state == "delivered"
        assert told == [("no_space", 1.0), ("no_space", 1.0)]
    finally:
        relay.stop()


def test_a_signed_final_refusal_marks_the_part_refused_with_its_code(enrolled):  # type: ignore[no-untyped-def]
    path, _ = enrolled
    with signed_in(path, OPERATOR) as vault:
        (made,) = outbox.build(vault)
        data = bytearray(made.path.read_bytes())
        data[len(data) // 2] ^= 1  # damaged on the laptop's disk after it was built
        made.path.write_bytes(bytes(data))
        with pytest.raises(outbox.BatchRefused) as refused:
            outbox.upload(vault, made.id)
        assert refused.value.details["reason"] == "damaged"
        assert outbox.status(vault)[0].state == "refused"


def test_an_expired_upload_starts_a_new_one(approved, tmp_path):  # type: ignore[no-untyped-def]
    operator, _, _, _ = approved
    path = operator.path
    operator.lock()
    add_approved_visit(path, "Lê Văn Tám", [1_500_000])  # more than one progress step
    data = tmp_path / "command"
    keys = CommandKeys.create(data / "keys")
    store = Store.in_folder(data)
    server = CommandServer(create_app(ServerConfig(data))).start()
    try:
        with signed_in(path, ADMIN) as admin:
            outbox.enrol(admin, server.url, store.new_enrolment_code(datetime.now(UTC)),
                         fingerprint(keys.recipient, keys.signing_public))
        with signed_in(path, OPERATOR) as vault:
            (made,) = outbox.build(vault)
            stop = threading.Event()
            with pytest.raises(outbox.UploadStopped):
                outbox.upload(vault, made.id, progress=lambda step: stop.set(), cancel=stop)
            first = json.loads(made.path.with_name(made.path.name + ".upload.json").read_text())
            with store.engine.begin() as conn:  # the upload expired at the command
                conn.execute(uploads.update().values(
                    expires_at=datetime.now(UTC) - dt.timedelta(hours=1)))
            reasons: list[str] = []
            done = outbox.upload(vault, made.id, retrying=lambda a, s, r: reasons.append(r))
            assert done.state == "delivered"
        with store.engine.connect() as conn:
            rows = conn.execute(select(uploads.c.id, uploads.c.state)).all()
        # A new upload carried it; the expired one is not the one that was filed.
        assert [state for _, state in rows if state == "done"] == ["done"]
        assert all(not first["location"].endswith(upload_id) for upload_id, state in rows
                   if state == "done")
    finally:
        server.stop()


def test_a_disabled_station_is_told_so_and_its_batch_stays(enrolled, command):  # type: ignore[no-untyped-def]
    """The command disabled the station (a stolen laptop): its signed refusal says so; the part
    is not marked refused, it stays for when the command enables the station again."""
    path, visit_id = enrolled
    _, _, store, _ = command
    with signed_in(path, OPERATOR) as vault:
        (made,) = outbox.build(vault)
        store.set_active(outbox.enrolment(vault).station_id, False, datetime.now(UTC))
        with pytest.raises(outbox.StationDisabled):
            outbox.upload(vault, made.id)
        assert outbox.status(vault)[0].state == "uploading"
        store.set_active(outbox.enrolment(vault).station_id, True, datetime.now(UTC))
        assert outbox.upload(vault, made.id).state == "delivered"
        assert outbox.delivered_visits(vault) == {visit_id}
