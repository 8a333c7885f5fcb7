"""A batch as the command's tools see it: `age` opens it, the Library of Congress `bagit`
validator accepts the bag, `minisign -V` verifies its signature, the media are bit-exact, and
nothing the family did not consent to is inside."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import threading
import time
import tracemalloc
from pathlib import Path

import bagit
import psutil
import pyrage
import pytest

from capture import accounts, outbox
from capture.errors import DiskFull, PermissionDenied
from capture.roles import Role
from capture.vault import NewUser, Vault
from sync import age_stream, bag, batch, minisign
from tests.capture.test_import import _mount_tmpfs
from tests.sync.test_outbox import add_approved_visit, signed_in

needs_tools = pytest.mark.skipif(not (shutil.which("age") and shutil.which("minisign")),
                                 reason="age and minisign come from packaging/dev/setup.sh")


@needs_tools
def test_the_command_can_open_check_and_trust_a_batch(approved, tmp_path):
    operator, visit_id, pages, photos = approved
    identity = pyrage.x25519.Identity.generate()
    out = tmp_path / "batch.age"
    summary = batch.build(operator, out, str(identity.to_public()))
    assert summary.visits == [visit_id] and summary.withheld == 1
    assert out.read_bytes().startswith(b"age-encryption.org/v1\n")
    assert b"Nhat ky" not in out.read_bytes() and photos[0][:64] not in out.read_bytes()

    # age, the stock tool, with the command's identity.
    key_file = tmp_path / "command.key"
    key_file.write_text(str(identity) + "\n")
    tar_path = tmp_path / "batch.tar"
    subprocess.run(["age", "-d", "-i", str(key_file), "-o", str(tar_path), str(out)],
                   check=True)
    with tarfile.open(tar_path) as tar:
        tar.extractall(tmp_path / "x", filter="data")
    bag_dir = next((tmp_path / "x").iterdir())
    bag = bagit.Bag(str(bag_dir))
    bag.validate()  # raises BagValidationError with the reason
    assert bag.info["External-Identifier"] == summary.batch_id
    assert bag.info["Payload-Oxum"] == f"{summary.payload_bytes}.{summary.files}"

    media = sorted((bag_dir / "data" / "visits" / visit_id / "media").iterdir())
    assert [m.name for m in media] == sorted(f"{p}.jpg" for p in pages[:2])
    for page_id, photo in zip(pages[:2], photos[:2], strict=True):
        assert (bag_dir / "data/visits" / visit_id / "media" / f"{page_id}.jpg").read_bytes() \
            == photo
    assert (bag_dir / "data" / "withdrawals").is_dir()  # the notice travels
    assert "objects/visits/" in (bag_dir / "metadata" / "metadata.csv").read_text()
    assert "Donor" in (bag_dir / "metadata" / "rights.csv").read_text()

    # minisign, the stock tool, with the station's public key from bag-info.txt.
    result = subprocess.run(["minisign", "-V", "-P", bag.info["Sohoa-Station-Key"], "-m",
                             str(bag_dir / "tagmanifest-sha256.txt"), "-x",
                             str(bag_dir / "tagmanifest-sha256.txt.minisig")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert summary.batch_id in result.stdout
    assert hashlib.sha256((bag_dir / "tagmanifest-sha256.txt").read_bytes()).hexdigest() \
        == summary.tagmanifest_sha256


def test_a_tampered_bag_or_signature_is_caught(approved, tmp_path):
    operator, _, _, _ = approved
    identity = pyrage.x25519.Identity.generate()
    out = tmp_path / "batch.age"
    batch.build(operator, out, str(identity.to_public()))
    data = pyrage.decrypt(out.read_bytes(), [identity])
    tar_path = tmp_path / "b.tar"
    tar_path.write_bytes(data)
    with tarfile.open(tar_path) as tar:
        tar.extractall(tmp_path / "x", filter="data")
    bag_dir = next((tmp_path / "x").iterdir())
    photo = next((bag_dir / "data" / "visits").rglob("*.jpg"))
    photo.write_bytes(b"X" + photo.read_bytes()[1:])
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(bag_dir)).validate()
    info = bagit.Bag(str(bag_dir)).info
    manifest = (bag_dir / "tagmanifest-sha256.txt").read_bytes()
    signature = (bag_dir / "tagmanifest-sha256.txt.minisig").read_text()
    station_key = base64.b64decode(info["Sohoa-Station-Key"])[10:]
    minisign.verify(station_key, minisign.blake2b_of([manifest]), signature)
    with pytest.raises(minisign.BadSignature):
        minisign.verify(station_key, minisign.blake2b_of([manifest + b"\n"]), signature)


def test_recipient_roles_and_an_empty_batch(approved, make_vault, tmp_path):
    operator, visit_id, _, _ = approved
    with pytest.raises(batch.BadRecipient):
        batch.build(operator, tmp_path / "x.age", "not-a-recipient")
    assert batch.approved_visits(operator) == [visit_id]
    admin, _ = make_vault(tmp_path / "other")
    with pytest.raises(PermissionDenied):
        batch.build(admin, tmp_path / "y.age", str(pyrage.x25519.Identity.generate().to_public()))
    # an admin's vault with no operator: nothing approved, nothing withdrawn
    accounts.create_user(admin, NewUser("op", "Op", "tạm thời 12345", Role.OPERATOR))
    path = admin.path
    admin.lock()
    op = Vault(path).unlock("op", "tạm thời 12345")
    op.set_new_passphrase("mật khẩu của op")
    try:
        with pytest.raises(batch.NothingToSend):
            batch.build(op, tmp_path / "z.age", str(pyrage.x25519.Identity.generate().to_public()))
        assert not (tmp_path / "z.age").exists() and not (tmp_path / "z.age.part").exists()
    finally:
        op.lock()


@needs_tools
def test_split_parts_are_each_a_whole_bag_the_stock_tools_accept(approved, tmp_path):
    operator, first, _, _ = approved
    path = operator.path
    operator.lock()
    second, second_photos = add_approved_visit(path, "Lê Văn Tám", [200_000, 200_000])
    big, big_photos = add_approved_visit(path, "Võ Thị Sáu", [700_000])
    identity = pyrage.x25519.Identity.generate()
    key_file = tmp_path / "command.key"
    key_file.write_text(str(identity) + "\n")
    with signed_in(path, ("tuan", "mật khẩu của tuan")) as vault:
        waiting = outbox.pending(vault)
        audit_bytes = batch.audit_size(vault)
        plans = batch.pack(waiting.visits, waiting.notices, 600_000, audit_bytes)
        assert [[v.visit_id for v in p.visits] for p in plans] == [[first, second], [big]]
        assert batch.estimate(plans[1], audit_bytes) > 600_000  # alone over the cap
        made = [batch.write_bag(vault, tmp_path / f"part{k}.age", str(identity.to_public()), p,
                                group_id="6f0c9a3e-0000-4000-8000-000000000001", part=k,
                                parts=len(plans)) for k, p in enumerate(plans, start=1)]
    assert made[0].size <= 600_000 < made[1].size
    for k, (summary, plan) in enumerate(zip(made, plans, strict=True), start=1):
        assert summary.size == summary.path.stat().st_size
        assert summary.size <= batch.estimate(plan, audit_bytes)
        assert hashlib.sha256(summary.path.read_bytes()).hexdigest() == summary.sha256
        tar_path = tmp_path / f"part{k}.tar"
        subprocess.run(["age", "-d", "-i", str(key_file), "-o", str(tar_path),
                        str(summary.path)], check=True)
        with tarfile.open(tar_path) as tar:
            tar.extractall(tmp_path / f"x{k}", filter="data")
        bag_dir = next((tmp_path / f"x{k}").iterdir())
        bag = bagit.Bag(str(bag_dir))
        bag.validate()
        assert bag.info["Bag-Count"] == f"{k} of 2"
        assert bag.info["Bag-Group-Identifier"] == "6f0c9a3e-0000-4000-8000-000000000001"
        assert bag.info["External-Identifier"] == summary.batch_id
        assert ((bag_dir / "data" / "audit").is_dir(), (bag_dir / "data" / "withdrawals").is_dir()
                ) == ((k == 1), (k == 1))
        result = subprocess.run(["minisign", "-V", "-P", bag.info["Sohoa-Station-Key"], "-m",
                                 str(bag_dir / "tagmanifest-sha256.txt"), "-x",
                                 str(bag_dir / "tagmanifest-sha256.txt.minisig")],
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
    media = sorted((tmp_path / "x2").rglob("media/*"))
    assert [m.read_bytes() for m in media] == big_photos
    second_media = sorted((tmp_path / "x1").glob(f"*/data/visits/{second}/media/*"))
    assert sorted(m.read_bytes() for m in second_media) == sorted(second_photos)


def test_a_split_build_keeps_memory_flat(approved, tmp_path):
    """Every file streams through: packing two 12 MB photos into two parts allocates a few
    1 MiB buffers at most (about 7.5 MB whatever the file size, measured with 4 and 16 MB
    files), never a whole file."""
    operator, _, _, _ = approved
    path = operator.path
    operator.lock()
    size = 12_000_000
    for n in range(2):
        add_approved_visit(path, f"Liệt sĩ {n}", [size])
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    with signed_in(path, ("tuan", "mật khẩu của tuan")) as vault:
        waiting = outbox.pending(vault)
        plans = batch.pack(waiting.visits, waiting.notices, size + 1_000_000)
        assert len(plans) == 2
        tracemalloc.start()
        for k, plan in enumerate(plans, start=1):
            batch.write_bag(vault, tmp_path / f"p{k}.age", recipient, plan, part=k, parts=2)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < 10 * 1024 * 1024 < size, peak


# --- the encryptor process (sync.age_stream) ---------------------------------------------------

ENCRYPTORS = [pytest.param("age", marks=pytest.mark.skipif(
                  not shutil.which("age"), reason="the age CLI comes from packaging/dev/setup.sh")),
              "pyrage"]


@pytest.fixture(params=ENCRYPTORS)
def encryptor(request, monkeypatch):  # type: ignore[no-untyped-def]
    """Each encryptor test twice: with the stock `age` CLI and with the pyrage fallback (the
    choice reaches the encrypting child through its environment)."""
    monkeypatch.setenv(age_stream.ENCRYPTOR_ENV, request.param)
    return request.param


def _decrypt_both_ways(sealed: Path, identity: pyrage.x25519.Identity, key_file: Path) -> bytes:
    """The plaintext, which pyrage and the stock `age -d` agree on."""
    with_pyrage = pyrage.decrypt(sealed.read_bytes(), [identity])
    with_cli = subprocess.run(["age", "-d", "-i", str(key_file), str(sealed)],
                              capture_output=True, check=True).stdout
    assert with_pyrage == with_cli
    return with_pyrage


@needs_tools
def test_a_batch_from_either_encryptor_opens_with_pyrage_and_age(approved, tmp_path,
                                                                 monkeypatch):
    operator, visit_id, pages, photos = approved
    identity = pyrage.x25519.Identity.generate()
    key_file = tmp_path / "command.key"
    key_file.write_text(str(identity) + "\n")
    for which in ("age", "pyrage"):
        monkeypatch.setenv(age_stream.ENCRYPTOR_ENV, which)
        out = tmp_path / f"{which}.age"
        summary = batch.build(operator, out, str(identity.to_public()))
        sealed = out.read_bytes()
        assert (summary.size, summary.sha256) == (len(sealed), hashlib.sha256(sealed).hexdigest())
        with tarfile.open(fileobj=io.BytesIO(_decrypt_both_ways(out, identity, key_file))) as tar:
            names = tar.getnames()
            photo = tar.extractfile(next(n for n in names if n.endswith(f"{pages[0]}.jpg")))
            assert photo is not None and photo.read() == photos[0]
        assert f"sohoa-batch-{summary.batch_id}/bagit.txt" in names, which
        assert any(n.endswith(f"visits/{visit_id}/visit.json") for n in names)


def test_the_encryptor_follows_the_environment(monkeypatch):
    monkeypatch.setenv(age_stream.ENCRYPTOR_ENV, "pyrage")
    assert age_stream.encryptor() is None
    monkeypatch.delenv(age_stream.ENCRYPTOR_ENV)
    assert age_stream.encryptor() == shutil.which("age")
    monkeypatch.setenv("PATH", "/nonexistent")
    assert age_stream.encryptor() is None  # a Windows laptop: pyrage
    monkeypatch.setenv(age_stream.ENCRYPTOR_ENV, "age")
    with pytest.raises(FileNotFoundError):
        age_stream.encryptor()

class _Trickle(io.RawIOBase):
    """Short reads, as a pipe gives them."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:  # type: ignore[no-untyped-def]
        count = min(len(target), 50_000, len(self.data) - self.at)
        target[:count] = self.data[self.at:self.at + count]
        self.at += count
        return count


@pytest.mark.parametrize("source", ["short reads", "a pipe"])
def test_the_age_stream_is_age_at_every_chunk_and_block_boundary(tmp_path, encryptor, source):
    """The encrypting child's output, opened by pyrage and the stock `age` CLI: empty, one
    byte, either side of age's 64 KiB chunk and of the 1 MiB read and write blocks; its size
    and hash are the file's. The CLI reads a descriptor itself, or is fed what is not one."""
    identity = pyrage.x25519.Identity.generate()
    key_file = tmp_path / "command.key"
    key_file.write_text(str(identity) + "\n")
    chunk, block = age_stream.CHUNK, age_stream.BLOCK
    for size in (0, 1, chunk - 1, chunk, chunk + 1, block, block + 1, 2 * block - chunk + 7):
        data = os.urandom(size)
        out = tmp_path / f"{size}.age"
        if source == "a pipe":
            length, digest = _encrypt_from_a_pipe(data, out, str(identity.to_public()))
        else:
            length, digest = age_stream.encrypt(_Trickle(data), out, str(identity.to_public()))
        sealed = out.read_bytes()
        assert (length, digest) == (len(sealed), hashlib.sha256(sealed).hexdigest())
        assert pyrage.decrypt(sealed, [identity]) == data, size
        if shutil.which("age"):
            opened = subprocess.run(["age", "-d", "-i", str(key_file), str(out)],
                                    capture_output=True, check=True).stdout
            assert opened == data, size
    recipient = str(identity.to_public())
    typo = recipient[:10] + ("q" if recipient[10] != "q" else "p") + recipient[11:]
    with pytest.raises(batch.BadRecipient):
        batch.parse_recipient(typo)


def _encrypt_from_a_pipe(data: bytes, out: Path, recipient: str) -> tuple[int, str]:
    read, write = os.pipe()

    def feed() -> None:
        with open(write, "wb") as pipe:
            pipe.write(data)

    feeder = threading.Thread(target=feed)
    feeder.start()
    try:
        with open(read, "rb", buffering=0) as source:
            return age_stream.encrypt(source, out, recipient)
    finally:
        feeder.join()


def _encryptors() -> list[psutil.Process]:
    return [p for p in psutil.Process().children()
            if batch.ENCRYPTOR in " ".join(p.cmdline())]


def _big_plan(approved, size: int = 3_000_000):  # type: ignore[no-untyped-def]
    operator, _, _, _ = approved
    path = operator.path
    operator.lock()
    add_approved_visit(path, "Trần Văn Ơn", [size])
    return path


def _all_gone(processes: list[psutil.Process], timeout: float = 15) -> bool:
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    return not alive


def test_a_killed_or_cancelled_encryptor_leaves_nothing(approved, tmp_path, encryptor):
    """And leaves no `age` behind: its input is the build's pipe, which the build closes."""
    path = _big_plan(approved)
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    out = tmp_path / "out"
    out.mkdir()
    with signed_in(path, ("tuan", "mật khẩu của tuan")) as vault:
        waiting = outbox.pending(vault)
        plan = batch.BagPlan(waiting.visits, waiting.notices, audit=True)
        killed: list[psutil.Process] = []
        grandchildren: list[psutil.Process] = []

        def kill_encryptor(done: int, total: int) -> None:
            if not killed:
                (child,) = _encryptors()
                deadline = time.monotonic() + 20
                while not ((out / "b.age.part").exists() and (
                        encryptor == "pyrage" or child.children())) \
                        and time.monotonic() < deadline:
                    time.sleep(0.01)  # it has begun writing: a file is there to be left
                assert (out / "b.age.part").exists()
                grandchildren.extend(child.children())
                assert len(grandchildren) == (encryptor == "age")
                child.kill()
                child.wait(timeout=10)
                killed.append(child)

        with pytest.raises(batch.EncryptorStopped, match="encryptor stopped"):
            batch.write_bag(vault, out / "b.age", recipient, plan,
                            progress=batch.Progress(plan.media_bytes, kill_encryptor))
        assert killed and list(out.iterdir()) == [] and _encryptors() == []
        assert _all_gone(grandchildren)

        cancel = threading.Event()

        def cancel_once_age_runs(done: int, total: int) -> None:
            (child,) = _encryptors()
            deadline = time.monotonic() + 20
            while encryptor == "age" and not child.children() and time.monotonic() < deadline:
                time.sleep(0.01)
            grandchildren.extend(child.children())
            cancel.set()

        with pytest.raises(batch.BuildCancelled):
            batch.write_bag(vault, out / "c.age", recipient, plan,
                            progress=batch.Progress(plan.media_bytes, cancel_once_age_runs,
                                                    cancel))
        assert list(out.iterdir()) == [] and _encryptors() == []
        assert len(grandchildren) == 2 * (encryptor == "age") and _all_gone(grandchildren)


def test_an_age_that_fails_stops_the_build_and_leaves_nothing(approved, tmp_path,
                                                              monkeypatch):
    """A stock `age` that exits 1 after reading some of the tar (a fake one first on the
    PATH): EncryptorStopped, with age's own words, and no file."""
    path = _big_plan(approved)
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "age").write_text("#!/bin/sh\nhead -c 100000 >/dev/null\n"
                              "echo 'age: error: something broke' >&2\nexit 1\n")
    (fake / "age").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv(age_stream.ENCRYPTOR_ENV, raising=False)
    out = tmp_path / "out"
    out.mkdir()
    with signed_in(path, ("tuan", "mật khẩu của tuan")) as vault:
        waiting = outbox.pending(vault)
        plan = batch.BagPlan(waiting.visits, waiting.notices, audit=True)
        with pytest.raises(batch.EncryptorStopped, match="age exited with status 1: age: "
                                                         "error: something broke"):
            batch.write_bag(vault, out / "b.age",
                            str(pyrage.x25519.Identity.generate().to_public()), plan)
    assert list(out.iterdir()) == [] and _encryptors() == []


def test_an_encryptor_whose_build_dies_removes_its_file(tmp_path, encryptor):
    """The build process dies without a word mid-batch: its encryptor sees its input end,
    cannot report, and removes what it wrote (a truncated batch must not look whole)."""
    out = tmp_path / "b.age.part"
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    build = f"""
import os
from pathlib import Path
from sync import batch
process = batch._start_encryptor({recipient!r}, Path({str(out)!r}))
process.stdin.write(os.urandom(3_000_000))
process.stdin.flush()
print(process.pid, flush=True)
os._exit(1)
"""
    result = subprocess.run([sys.executable, "-c", build], capture_output=True, text=True,
                            cwd=Path(batch.__file__).parents[1], timeout=60, check=False)
    child = int(result.stdout)
    with contextlib.suppress(psutil.NoSuchProcess):
        psutil.Process(child).wait(timeout=30)
    assert not out.exists()


@pytest.mark.skipif(os.name != "posix", reason="tmpfs")
def test_an_encryptor_out_of_room_says_the_disk_is_full(approved, tmp_path, encryptor):
    path = _big_plan(approved, 1_000_000)
    small = tmp_path / "small"
    if not _mount_tmpfs(small, "256k"):
        pytest.skip("cannot mount a tmpfs here (needs root and mount rights)")
    try:
        with signed_in(path, ("tuan", "mật khẩu của tuan")) as vault:
            waiting = outbox.pending(vault)
            plan = batch.BagPlan(waiting.visits, waiting.notices, audit=True)
            with pytest.raises(DiskFull):
                batch.write_bag(vault, small / "b.age",
                                str(pyrage.x25519.Identity.generate().to_public()), plan)
        assert list(small.iterdir()) == [] and _encryptors() == []
    finally:
        subprocess.run(["umount", "-l", str(small)], check=False)


def test_the_tar_stream_reads_back_and_refuses_a_file_of_the_wrong_size():
    sink = io.BytesIO()
    tar = bag.open_tar(sink)
    writer = bag.BagWriter(tar, "sohoa-batch-x", 0)
    name = "data/visits/v/media/Thư gửi mẹ năm 1972 — trang một, bản gốc chụp lại.jpg"
    digest = writer.add_payload(name, 70_000, [b"a" * 50_000, b"b" * 20_000])
    tar.close()
    sink.seek(0)
    with tarfile.open(fileobj=sink, mode="r:") as opened:
        member = opened.getmember(f"sohoa-batch-x/{name}")
        data = opened.extractfile(member).read()  # type: ignore[union-attr]
    assert data == b"a" * 50_000 + b"b" * 20_000
    assert hashlib.sha256(data).hexdigest() == digest
    assert len(sink.getvalue()) % tarfile.RECORDSIZE == 0
    for chunks, got in (([b"short"], "5"), ([b"x" * 9, b"y" * 9], "more")):
        other = bag.BagWriter(bag.open_tar(io.BytesIO()), "sohoa-batch-y", 0)
        with pytest.raises(bag.BagError, match=f"expected 10 bytes, got {got}"):
            other.add_payload("data/bad", 10, chunks)
