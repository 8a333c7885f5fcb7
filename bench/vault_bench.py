"""How fast the vault writes and reads a big object, against the floor of doing only the work
that cannot be avoided (AES-256-GCM in 1 MiB chunks, to a file, fsynced), and how much memory it
takes while writing. Goals: ≥ 0.8× the floor both ways, peak RSS < 200 MB, unlock 0.3–1 s.

    .venv/bin/python bench/vault_bench.py [--size-mb 1024] [--dir DIR] [--rounds 2] [--profile]

Run as root to drop the page cache between phases (the reads are then from disk, for both); as
anyone else the reads are warm, for both, and it says so. The last line printed is one JSON
object; results with the machine are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import cProfile
import hmac
import io
import json
import os
import pstats
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from hashlib import sha256
from pathlib import Path

import blake3
import psutil
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from floors import drop_caches, seal_file  # bench/ is on the path when a bench runs

from capture import accounts
from capture.keyslots import KdfParams
from capture.roles import Role
from capture.vault import NewUser, StationSetup, Vault

MiB = 1024 * 1024
CHUNK = MiB
PASSPHRASE = "bench passphrase 123"  # noqa: S105 - a throwaway vault


class RssSampler:
    """Samples this process's RSS every 10 ms in a thread; ``peak`` in bytes."""

    def __init__(self, interval: float = 0.01) -> None:
        self._process = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self.peak = self._process.memory_info().rss
        self.samples = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._process.memory_info().rss)
            self.samples += 1
            self._stop.wait(self._interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)


def make_source(path: Path, size: int) -> None:
    with open(path, "wb") as out:
        left = size
        while left:
            n = min(left, 64 * MiB)
            out.write(os.urandom(n))
            left -= n
        out.flush()
        os.fsync(out.fileno())


def _nonce(counter: int) -> bytes:
    return counter.to_bytes(12, "big")


def floor_write(src: Path, dst: Path, key: bytes) -> None:
    seal_file(AESGCM(key), src, dst)


def floor_read(path: Path, key: bytes) -> int:
    aead = AESGCM(key)
    total = 0
    with open(path, "rb", buffering=0) as source:
        counter = 0
        while block := source.read(CHUNK + 16):
            total += len(aead.decrypt(_nonce(counter), block, None))
            counter += 1
    return total


def mb_s(size: int, seconds: float) -> float:
    return size / MiB / seconds


def in_memory_costs(size: int) -> dict[str, float]:
    """MB/s of the pieces, in memory, on 1 MiB blocks: what each costs apart from the disk."""
    block = os.urandom(CHUNK)
    n = max(1, size // CHUNK)
    aead = AESGCM(os.urandom(32))
    costs = {}
    t = time.perf_counter()
    for i in range(n):
        aead.encrypt(_nonce(i), block, None)
    costs["aes_gcm_encrypt"] = mb_s(n * CHUNK, time.perf_counter() - t)
    mac = hmac.new(os.urandom(32), digestmod=sha256)
    t = time.perf_counter()
    for _ in range(n):
        mac.update(block)
    costs["hmac_sha256"] = mb_s(n * CHUNK, time.perf_counter() - t)
    named = blake3.blake3(key=os.urandom(32))  # how objects are named now (docs/vault.md)
    t = time.perf_counter()
    for _ in range(n):
        named.update(block)
    costs["keyed_blake3"] = mb_s(n * CHUNK, time.perf_counter() - t)
    t = time.perf_counter()
    for _ in range(n):
        bytes(memoryview(block))
    costs["bytes_copy"] = mb_s(n * CHUNK, time.perf_counter() - t)
    return costs


def profile(label: str, func: Callable[[], object]) -> object:
    profiler = cProfile.Profile()
    result = profiler.runcall(func)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(12)
    print(f"-- profile: {label} (sorted by own time)")
    print("\n".join(line for line in text.getvalue().splitlines() if line.strip())[:4000])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="object size in MiB")
    parser.add_argument("--dir", type=Path, default=None,
                        help="where to put the temporary files (default: the system temp)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="runs of each side, alternating which goes first; best time counts")
    parser.add_argument("--profile", action="store_true",
                        help="also profile the vault's write and read with cProfile")
    args = parser.parse_args(argv)
    size = args.size_mb * MiB

    work = Path(tempfile.mkdtemp(prefix="sohoa-bench-", dir=args.dir))
    try:
        src = work / "source.bin"
        floor_file = work / "floor.bin"
        print(f"bench: {args.size_mb} MiB in {work}")
        make_source(src, size)

        vault_path = work / "vault"
        created, _ = Vault.create(vault_path, StationSetup("Bench", 1, 4),
                                  NewUser("bench", "Bench", PASSPHRASE))
        # Admins manage and do not capture: objects are stored by a volunteer.
        accounts.create_user(created, NewUser("lan", "Lan", "temporary 12345", Role.VOLUNTEER))
        created.lock()
        t = time.perf_counter()
        admin = Vault(vault_path).unlock("bench", PASSPHRASE)
        unlock_s = time.perf_counter() - t
        admin.lock()
        print(f"unlock (default Argon2id {KdfParams()}): {unlock_s:.3f} s")
        vault = Vault(vault_path).unlock("lan", "temporary 12345")
        vault.set_new_passphrase(PASSPHRASE)

        cold = drop_caches()
        print("page cache: dropped between phases" if cold else
              "page cache: NOT dropped (needs root); source and reads are warm for both sides")

        # Each side runs --rounds times, in alternating order (floor first, then vault first),
        # and the best time of each side counts: a virtual disk's noise hurts both the same way.
        key = os.urandom(32)
        write_floor_s = write_s = read_floor_s = read_s = float("inf")
        peak = baseline_rss = 0
        stored = None
        for round_ in range(args.rounds):
            for side in (("floor", "vault") if round_ % 2 == 0 else ("vault", "floor")):
                drop_caches()
                if side == "floor":
                    floor_file.unlink(missing_ok=True)
                    t = time.perf_counter()
                    floor_write(src, floor_file, key)
                    write_floor_s = min(write_floor_s, time.perf_counter() - t)
                    continue
                baseline_rss = psutil.Process().memory_info().rss
                with RssSampler() as sampler, open(src, "rb") as source:
                    t = time.perf_counter()
                    stored = vault.store_object(source)  # later rounds: same work, then dedup
                    write_s = min(write_s, time.perf_counter() - t)
                peak = max(peak, sampler.peak)
                assert stored.size == size
        assert stored is not None
        print(f"write: vault {mb_s(size, write_s):7.1f} MB/s ({write_s:.2f} s)   "
              f"floor {mb_s(size, write_floor_s):7.1f} MB/s ({write_floor_s:.2f} s)   "
              f"ratio {write_floor_s / write_s:.2f}")
        print(f"memory while writing: peak RSS {peak / MiB:.0f} MB "
              f"(before a write: {baseline_rss / MiB:.0f} MB; sampled every 10 ms)")

        for round_ in range(args.rounds):
            for side in (("floor", "vault") if round_ % 2 == 0 else ("vault", "floor")):
                drop_caches()
                t = time.perf_counter()
                if side == "floor":
                    got = floor_read(floor_file, key)
                    read_floor_s = min(read_floor_s, time.perf_counter() - t)
                else:
                    got = 0
                    for chunk in vault.read_object(stored.name):
                        got += len(chunk)
                    read_s = min(read_s, time.perf_counter() - t)
                assert got == size
        print(f"read:  vault {mb_s(size, read_s):7.1f} MB/s ({read_s:.2f} s)   "
              f"floor {mb_s(size, read_floor_s):7.1f} MB/s ({read_floor_s:.2f} s)   "
              f"ratio {read_floor_s / read_s:.2f}")

        costs = in_memory_costs(min(size, 256 * MiB))
        print("in memory, 1 MiB blocks: " + ", ".join(
            f"{name} {value:.0f} MB/s" for name, value in costs.items()))

        if args.profile:
            def write_again() -> None:
                # The same object written anew (its file removed first, so not a dedup hit).
                vault.objects.remove(stored.name)
                with open(src, "rb") as source:
                    vault.objects.put_stream(source)

            profile("vault write", write_again)
            profile("vault read", lambda: sum(len(c) for c in vault.read_object(stored.name)))

        vault.lock()
        result = {
            "bench": "vault",
            "size_mb": args.size_mb,
            "write_mb_s": round(mb_s(size, write_s), 1),
            "write_floor_mb_s": round(mb_s(size, write_floor_s), 1),
            "write_ratio": round(write_floor_s / write_s, 3),
            "read_mb_s": round(mb_s(size, read_s), 1),
            "read_floor_mb_s": round(mb_s(size, read_floor_s), 1),
            "read_ratio": round(read_floor_s / read_s, 3),
            "peak_rss_mb": round(peak / MiB, 1),
            "rounds": args.rounds,
            "unlock_s": round(unlock_s, 3),
            "page_cache_dropped": cold,
            **{f"mem_{k}_mb_s": round(v, 1) for k, v in costs.items()},
        }
        print(json.dumps(result))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
