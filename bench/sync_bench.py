"""Sync, end to end, each figure beside a peer doing the same work in the same run:

  (a) batch build (vault → bag → tar → age)    vs  `tar -c | age -r` on the same files  (≥ 0.9×),
      and vs that with the sync and the two SHA-256 the build does, with stock tools
  (b) upload goodput through a 50 Mbit/s link, 100 ms each way: share of the cap   (≥ 0.85)
  (c) server ingest (age → tar → hash → checks) vs  `age -d | tar -x` + `sha256sum -c`  (≥ 0.8×)
  (d) 20 stations uploading at once: the server's peak RSS, from /proc   (< 300 MB)
  (e) flat memory: peak RSS of building and of ingesting the batch of (a) and (c)

    .venv/bin/python bench/sync_bench.py [--size-mb 256] [--big] [--dir DIR]

``--big`` makes the batch 5 GB (the issue's flat-memory check; takes a while and ~35 GB of
disk). The server runs as its own process (``sohoa-server serve``), as in the field, so its
memory is its own. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import psutil
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete
from vault_bench import RssSampler  # bench/ is on the path when a bench runs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the proxy and the vault-free station live with the tests

from capture import consent, review, visits  # noqa: E402
from capture import station as station_info  # noqa: E402
from capture.consent import DrawnSignature, Scopes, Signer  # noqa: E402
from capture.keyslots import KdfParams  # noqa: E402
from capture.roles import Role  # noqa: E402
from capture.vault import NewUser, StationSetup, Vault  # noqa: E402
from capture.visits import Household, ItemData, ItemKind, MartyrData  # noqa: E402
from sync import batch  # noqa: E402
from sync.server.ingest import ingest  # noqa: E402
from sync.server.keys import IDENTITY_FILE, CommandKeys  # noqa: E402
from sync.server.store import Station, Store, batches  # noqa: E402
from sync.upload import Uploader  # noqa: E402
from tests.sync.conftest import add_users  # noqa: E402
from tests.sync.proxy import FaultyProxy  # noqa: E402
from tests.sync.servers import enrol_station, free_port, random_batch  # noqa: E402

MB = 1_000_000
MiB = 1024 * 1024
PHOTO = 8 * MiB  # a big camera JPEG; incompressible like one
PASSPHRASE = "bench passphrase 123"  # noqa: S105 - a throwaway vault


def make_station(path: Path, source: Path, size: int) -> None:
    """A vault with one approved, consented visit holding ``size`` bytes of photos, which are
    also written as plain files under ``source`` for the peer."""
    admin, _ = Vault.create(path, StationSetup("Bench", 1, 4),
                            NewUser("admin", "Admin", PASSPHRASE), kdf=KdfParams.for_tests())
    admin.lock()
    add_users(path, {"hoa": Role.VOLUNTEER, "minh": Role.COORDINATOR, "tuan": Role.OPERATOR},
              admin=("admin", PASSPHRASE), passphrase=PASSPHRASE)
    volunteer = Vault(path).unlock("hoa", PASSPHRASE)
    visit_id = visits.create_visit(volunteer, Household(1, 4, contact_name="Nguyễn Thị Mai"))
    visits.add(volunteer, visit_id, MartyrData("Nguyễn Văn Hùng"))
    item = visits.add(volunteer, visit_id, ItemData(ItemKind.DIARY, title="Nhật ký"))
    source.mkdir(parents=True)
    left, page = size, 0
    while left > 0:
        photo = source / f"IMG_{page:05d}.JPG"
        with open(photo, "wb") as out:
            out.write(os.urandom(min(PHOTO, left)))
        with open(photo, "rb") as stream:
            stored = volunteer.store_object(stream)
        visits.add_page(volunteer, item, stored.name, original_filename=photo.name)
        left -= PHOTO
        page += 1
    consent.record(volunteer, visit_id, Scopes(share_with_authorities=True), Signer("Mai"),
                   DrawnSignature([[(1.0, 2.0, 0, 0.5)]], b"\x89PNG"))
    review.submit(volunteer, visit_id)
    volunteer.lock()
    coordinator = Vault(path).unlock("minh", PASSPHRASE)
    review.approve(coordinator, visit_id)
    coordinator.lock()


class _ProcessTree:
    """Answers ``memory_info()`` like a psutil.Process, for a process and all its children."""

    def __init__(self, pid: int | None) -> None:
        self.process = psutil.Process(pid)

    def memory_info(self) -> SimpleNamespace:
        total = 0
        for each in [self.process, *self.process.children(recursive=True)]:
            try:
                total += each.memory_info().rss
            except psutil.Error:
                pass  # a child that just ended
        return SimpleNamespace(rss=total)


class TreeRss(RssSampler):
    """The vault bench's sampler over a process and its children (the build encrypts in a
    child; the server is one); ``start`` and ``peak`` in bytes."""

    def __init__(self, pid: int | None = None) -> None:
        super().__init__(interval=0.02)
        self._process = _ProcessTree(pid)  # type: ignore[assignment]
        self.start = self.peak = self._process.memory_info().rss


def timed(func, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - started


def shell(command: str, cwd: Path | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(["bash", "-o", "pipefail", "-c", command], check=True, cwd=cwd)
    return time.perf_counter() - started


class Server:
    """``sohoa-server serve`` in its own process; its ``rss`` sampled from /proc."""

    def __init__(self, data: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        binary = Path(sys.executable).parent / "sohoa-server"
        self.process = subprocess.Popen(
            [str(binary), "serve", "--data", str(data), "--port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.options(self.url + "/files", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("sohoa-server did not start") from None
                time.sleep(0.1)
        self.rss = TreeRss(self.process.pid).__enter__()

    def stop(self) -> None:
        self.rss.__exit__()
        self.process.terminate()
        self.process.wait(timeout=30)


def part_a_build(work: Path, size: int, recipient: str, rounds: int) -> dict[str, float]:
    source = work / "photos"
    make_station(work / "vault", source, size)
    operator = Vault(work / "vault").unlock("tuan", PASSPHRASE)
    out, peer_out = work / "batch.age", work / "peer.age"
    build_s = peer_s = durable_s = same_s = float("inf")
    sha = "openssl dgst -sha256" if shutil.which("openssl") else "sha256sum"
    peak = start = 0
    # Each side --rounds times, alternating which goes first; the best time of each counts.
    for round_ in range(rounds):
        for side in ("build", "peer") if round_ % 2 == 0 else ("peer", "build"):
            if side == "peer":
                peer_s = min(peer_s, shell(f"tar -cf - photos | age -r {recipient} -o "
                                           f"{peer_out}", cwd=work))
                # The same with the batch on the disk when it ends (the build fsyncs: a
                # batch is the record of what was sent), as a second, like-for-like figure.
                durable_s = min(durable_s, shell(f"tar -cf - photos | age -r {recipient} -o "
                                                 f"{peer_out} && sync {peer_out}", cwd=work))
                # And the build's own work with stock tools: the plaintext hashed (the
                # manifest), the ciphertext hashed as it is written, the batch synced. Only
                # the vault's decryption is left out.
                same_s = min(same_s, shell(
                    f"tar -cf - photos | tee >({sha} > plain.sha) | age -r {recipient} | "
                    f"tee {peer_out} | {sha} > sealed.sha && wait $! && sync {peer_out}",
                    cwd=work))
                continue
            with TreeRss() as sampler:
                summary, seconds = timed(batch.build, operator, out, recipient)
            build_s, peak, start = min(build_s, seconds), max(peak, sampler.peak), sampler.start
    operator.lock()
    payload = summary.payload_bytes
    print(f"(a) build: {payload / MB / build_s:7.1f} MB/s ({build_s:.1f} s)   "
          f"tar | age: {payload / MB / peer_s:7.1f} MB/s ({peer_s:.1f} s)   "
          f"ratio {peer_s / build_s:.2f} (goal ≥ 0.9)")
    print(f"    tar | age, then sync of the batch: {payload / MB / durable_s:7.1f} MB/s   "
          f"ratio {durable_s / build_s:.2f}")
    print(f"    the same work with stock tools (tar | tee >(sha256) | age | tee FILE | sha256, "
          f"sync): {payload / MB / same_s:7.1f} MB/s   ratio {same_s / build_s:.2f}")
    print(f"(e) build peak RSS {peak / MiB:.0f} MiB with its children ({start / MiB:.0f} MiB "
          f"before) for a {out.stat().st_size / MB:.0f} MB batch")
    for each in (peer_out, work / "plain.sha", work / "sealed.sha"):
        each.unlink()
    shutil.rmtree(source)
    return {"build_mb_s": payload / MB / build_s, "tar_age_mb_s": payload / MB / peer_s,
            "build_ratio": peer_s / build_s, "tar_age_sync_mb_s": payload / MB / durable_s,
            "build_ratio_to_synced_peer": durable_s / build_s,
            "same_work_mb_s": payload / MB / same_s, "build_ratio_to_same_work": same_s / build_s,
            "build_peak_rss_mib": peak / MiB,
            "build_rss_before_mib": start / MiB}


def part_c_ingest(work: Path, data: Path, keys: CommandKeys, batch_file: Path, rounds: int,
                  station_id: str) -> dict[str, float]:
    store = Store.in_folder(data)
    unpacked = work / "peer-unpacked"
    identity = data / "keys" / IDENTITY_FILE
    ingest_s = peer_s = float("inf")
    peak = start = 0
    for round_ in range(rounds):
        for side in ("ingest", "peer") if round_ % 2 == 0 else ("peer", "ingest"):
            if side == "peer":
                unpacked.mkdir()
                seconds = shell(f"age -d -i {identity} {batch_file} | tar -xf - -C {unpacked}")
                (bag,) = unpacked.iterdir()
                seconds += shell("sha256sum --quiet -c manifest-sha256.txt", cwd=bag)
                peer_s = min(peer_s, seconds)
                shutil.rmtree(unpacked)
                continue
            with TreeRss() as sampler:
                # As an upload: the station authenticated it (the server checked every block
                # against the manifest it signed), so ingest takes the station's id.
                outcome, seconds = timed(ingest, batch_file, store, keys, data / "archive",
                                         station_id=station_id)
            assert not outcome.replayed
            ingest_s, peak, start = min(ingest_s, seconds), max(peak, sampler.peak), sampler.start
            with store.begin() as conn:  # so the next round ingests it anew
                conn.execute(delete(batches))
            shutil.rmtree(data / "archive")
    payload = outcome.receipt.body["payload_bytes"]
    print(f"(c) ingest: {payload / MB / ingest_s:7.1f} MB/s ({ingest_s:.1f} s)   "
          f"age -d | tar -x + sha256sum -c: {payload / MB / peer_s:7.1f} MB/s ({peer_s:.1f} s)"
          f"   ratio {peer_s / ingest_s:.2f} (goal ≥ 0.8)")
    print(f"(e) ingest peak RSS {peak / MiB:.0f} MiB ({start / MiB:.0f} MiB before)")
    store.engine.dispose()
    return {"ingest_mb_s": payload / MB / ingest_s, "age_tar_sha256_mb_s": payload / MB / peer_s,
            "ingest_ratio": peer_s / ingest_s, "ingest_peak_rss_mib": peak / MiB,
            "ingest_rss_before_mib": start / MiB}


def part_b_goodput(work: Path, data: Path, keys: CommandKeys, size: int) -> dict[str, float]:
    rate, latency = 50 * MB / 8, 0.1
    key = Ed25519PrivateKey.generate()
    station_id = enrol_station(Store.in_folder(data), key)
    out = work / "link.age"
    random_batch(out, size, keys.recipient, key, station_id)
    length = out.stat().st_size
    server = Server(data)
    proxy = FaultyProxy(server.port, rate=rate, latency=latency).start()
    arrived: list[float] = []

    def watch() -> None:  # when the last body byte reached the server
        while not arrived:
            if proxy.up.delivered >= length:
                arrived.append(time.monotonic())
            time.sleep(0.005)

    watcher = threading.Thread(target=watch, daemon=True)
    uploader = Uploader(proxy.url, station_id, key, out, keys.signing_public)
    try:
        started = time.monotonic()
        watcher.start()
        uploader.run()
        watcher.join(timeout=5)
    finally:
        uploader.close()
        proxy.stop()
        server.stop()
    seconds = arrived[0] - started
    goodput = length / seconds
    print(f"(b) upload through {rate * 8 / MB:.0f} Mbit/s, {latency * 1000:.0f} ms each way: "
          f"{goodput * 8 / MB:.1f} Mbit/s = {goodput / rate:.2f} of the cap (goal ≥ 0.85), "
          f"{length / MB:.0f} MB in {seconds:.1f} s")
    out.unlink()
    return {"goodput_mbit_s": goodput * 8 / MB, "goodput_share": goodput / rate}


def part_d_many(work: Path, data: Path, keys: CommandKeys, stations: int, each: int
                ) -> dict[str, float]:
    store = Store.in_folder(data)
    before = len(store.list_batches())
    senders = []
    for n in range(stations):
        key = Ed25519PrivateKey.generate()
        station_id = enrol_station(store, key, name=f"Trạm {n}")
        out = work / f"station-{n}.age"
        random_batch(out, each, keys.recipient, key, station_id, files=2)
        senders.append((key, station_id, out))
    store.engine.dispose()
    server = Server(data)
    failures: list[BaseException] = []

    def send(key: Ed25519PrivateKey, station_id: str, out: Path) -> None:
        uploader = Uploader(server.url, station_id, key, out, keys.signing_public)
        try:
            uploader.run()
        except BaseException as error:
            failures.append(error)
        finally:
            uploader.close()

    threads = [threading.Thread(target=send, args=s) for s in senders]
    started = time.monotonic()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        seconds = time.monotonic() - started
        server.stop()
    if failures:
        raise failures[0]
    total = sum(s[2].stat().st_size for s in senders)
    received = len(Store.in_folder(data).list_batches()) - before
    print(f"(d) {stations} stations at once, {total / MB:.0f} MB in {seconds:.1f} s "
          f"({total / MB / seconds:.0f} MB/s, {received} batches ingested): server RSS "
          f"{server.rss.start / MiB:.0f} MiB at rest, peak {server.rss.peak / MiB:.0f} MiB "
          "(goal < 300 MB)")
    return {"stations": stations, "many_mb_s": total / MB / seconds,
            "server_rss_peak_mib": server.rss.peak / MiB,
            "server_rss_rest_mib": server.rss.start / MiB}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=256,
                        help="the batch of (a), (c), (e), in MB of photos")
    parser.add_argument("--big", action="store_true", help="a 5 GB batch for (a), (c), (e)")
    parser.add_argument("--link-mb", type=int, default=256, help="the batch of (b), in MB")
    parser.add_argument("--stations", type=int, default=20)
    parser.add_argument("--each-mb", type=int, default=20, help="each station's batch in (d)")
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=2,
                        help="runs of each side of (a) and (c); the best time counts")
    parser.add_argument("--only", default="abcde",
                        help="which parts to run, e.g. --only b, or --only a for the build "
                             "alone (c ingests the batch a builds, so c runs a too; e goes "
                             "with a and c)")
    args = parser.parse_args(argv)
    size = 5000 * MB if args.big else args.size_mb * MB
    work = Path(tempfile.mkdtemp(prefix="sohoa-sync-bench-", dir=args.dir))
    figures: dict[str, object] = {"batch_mb": size / MB, "load_1min": os.getloadavg()[0]}
    try:
        data = work / "command"
        keys = CommandKeys.create(data / "keys")
        store = Store.in_folder(data)
        print(f"bench: {size / MB:.0f} MB batch in {work}")
        if "a" in args.only or "c" in args.only:
            figures.update(part_a_build(work, size, keys.recipient, args.rounds))
            vault = Vault(work / "vault").unlock("tuan", PASSPHRASE)
            info = station_info.info(vault)
            vault.lock()
            store.redeem(store.new_enrolment_code(_now()), Station(
                info.id, info.name, 1, 4, info.signing_public_key, info.identity_public_key,
                True), _now())
            shutil.rmtree(work / "vault")
            if "c" in args.only:
                figures.update(part_c_ingest(work, data, keys, work / "batch.age", args.rounds,
                                             info.id))
            (work / "batch.age").unlink()
        if "b" in args.only:
            figures.update(part_b_goodput(work, data, keys, args.link_mb * MB))
        if "d" in args.only:
            figures.update(part_d_many(work, data, keys, args.stations, args.each_mb * MB))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v
                      for k, v in figures.items()}))
    return 0


def _now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.now(UTC)


if __name__ == "__main__":
    sys.exit(main())
