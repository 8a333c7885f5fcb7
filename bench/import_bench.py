"""Photo import speed: 200 generated 12-megapixel JPEGs (~4 MB, EXIF with GPS and the 160×120
thumbnail cameras embed) imported into a fresh vault, against the floor of the work that cannot
be avoided on the same files (read, SHA-256, AES-256-GCM in 1 MiB chunks, write, fsync).
Goals: ≥ 25 photos/s on 2 cores and within 3× of the floor.

    .venv/bin/python bench/import_bench.py [--count 200] [--dir DIR] [--profile]
                                           [--no-camera-thumbnail]

A camera photo is not decoded at import (its EXIF thumbnail stands in); its preview, own
thumbnail and quality hints are made after the import, by the pass the app runs then: timed
too, on its own line. ``--no-camera-thumbnail`` makes photos without one (each decoded at
import, as a screenshot or an edited file would be).

The photos are made before timing (and cached in DIR between runs). The page cache is dropped
before each timed phase when running as root, so both read from disk alike. The last line
printed is one JSON object; results with the machine are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from hashlib import sha256
from io import BytesIO
from pathlib import Path

import numpy as np
import psutil
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from floors import drop_caches, seal_file  # bench/ is on the path when a bench runs

from capture import accounts, importer, media, pictures, visits
from capture.roles import Role
from capture.vault import NewUser, StationSetup, Vault

MiB = 1024 * 1024
WIDTH, HEIGHT = 4000, 3000
PASSPHRASE = "bench passphrase 123"  # noqa: S105 - a throwaway vault


def make_photo(path: Path, seed: int, camera_thumbnail: bool = True) -> None:
    """Gradients, shapes and grain: compresses like a photo (~4 MB at quality 92)."""
    rng = np.random.default_rng(seed)
    y = np.linspace(0, 1, HEIGHT, dtype=np.float32)[:, None]
    x = np.linspace(0, 1, WIDTH, dtype=np.float32)[None, :]
    a, b, c = rng.uniform(40, 200, 3)
    base = np.stack(np.broadcast_arrays(a * x + 50 * y, b * (1 - y) + 40 * x,
                                        c * 0.5 + 90 * x * y), axis=-1)
    grain = rng.normal(0, 9, (HEIGHT, WIDTH, 3)).astype(np.float32)
    picture = np.clip(base + grain, 0, 255).astype(np.uint8)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "Canon", "EOS 80D", 1
    exif.get_ifd(0x8769)[0x9003] = f"2025:07:{1 + seed % 28:02d} 10:{seed % 60:02d}:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (Fraction(16), Fraction(45), Fraction(seed % 60))
    gps[3], gps[4] = "E", (Fraction(107), Fraction(11), Fraction(seed % 60))
    gps[5], gps[6] = b"\x00", Fraction(35)
    image = Image.fromarray(picture)
    exif_bytes = exif.tobytes()
    if camera_thumbnail:  # the 160×120 JPEG every camera and phone puts in the EXIF
        exif_bytes = camera_exif_with_thumbnail(exif_bytes, image)
    image.save(path, "JPEG", quality=92, exif=exif_bytes)


def camera_exif_with_thumbnail(exif_bytes: bytes, image: Image.Image) -> bytes:
    import piexif

    small = image.resize((160, 120), Image.Resampling.BILINEAR)
    thumbnail = BytesIO()
    small.save(thumbnail, "JPEG", quality=75)
    tags = piexif.load(exif_bytes)
    tags["thumbnail"], tags["1st"] = thumbnail.getvalue(), {piexif.ImageIFD.Compression: 6}
    return piexif.dump(tags)


def make_photos(folder: Path, count: int, camera_thumbnail: bool = True) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"IMG_{i:04d}.JPG" for i in range(count)]
    missing = [(p, i, camera_thumbnail) for i, p in enumerate(paths) if not p.exists()]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(lambda job: make_photo(*job), missing))
    return paths


def floor(paths: list[Path], out: Path) -> float:
    """Read, SHA-256, AES-GCM per 1 MiB chunk, write and fsync each file: nothing less will do."""
    out.mkdir(parents=True, exist_ok=True)
    aead = AESGCM(os.urandom(32))
    start = time.perf_counter()
    for index, path in enumerate(paths):
        seal_file(aead, path, out / f"{index}.bin", digest=sha256())
    return time.perf_counter() - start


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--dir", type=Path, default=None,
                        help="work folder (default: a temporary folder under /var/tmp)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--no-camera-thumbnail", action="store_true",
                        help="photos without the EXIF thumbnail cameras write: each is decoded "
                             "at import")
    args = parser.parse_args()
    work = args.dir or Path(tempfile.gettempdir()) / "sohoa-import-bench"
    camera = not args.no_camera_thumbnail
    photos = make_photos(work / ("photos-camera" if camera else "photos"), args.count, camera)
    total_bytes = sum(p.stat().st_size for p in photos)
    print(f"{len(photos)} photos, {total_bytes / len(photos) / 1e6:.2f} MB each on average")

    shutil.rmtree(work / "floor", ignore_errors=True)
    cold = drop_caches()
    floor_s = floor(photos, work / "floor")
    shutil.rmtree(work / "floor", ignore_errors=True)

    shutil.rmtree(work / "vault", ignore_errors=True)
    admin, _ = Vault.create(work / "vault", StationSetup("Trạm đo", 1, 4),
                            NewUser("admin", "Quản trị", PASSPHRASE, Role.ADMIN))
    accounts.create_user(admin, NewUser("lan", "Lan", PASSPHRASE, Role.VOLUNTEER))
    admin.lock()
    vault = Vault(work / "vault").unlock("lan", PASSPHRASE)
    vault.set_new_passphrase(PASSPHRASE + "!")
    visit = visits.create_visit(vault, visits.Household(1, 4, contact_name="Bà Lan"))
    item = visits.add(vault, visit, visits.ItemData(visits.ItemKind.PHOTOGRAPH, title="Ảnh"))
    # Started once per session (the app starts them at its first import): timed on its own.
    started = time.perf_counter()
    pictures.start_decoders()
    decoders_s = time.perf_counter() - started
    drop_caches()
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    # CPU seconds of this process and its decoder processes: a figure the shared machine's
    # load bends less than the wall clock.
    processes = [psutil.Process(), *(psutil.Process(p.pid) for p in
                                     pictures._decoder_pool()._processes.values())]
    cpu_before = [_cpu(p) for p in processes]
    start = time.perf_counter()
    report = importer.import_files(vault, item, photos)
    import_s = time.perf_counter() - start
    cpu_used = [_cpu(p) - before for p, before in zip(processes, cpu_before, strict=True)]
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    assert report.imported == len(photos), [o for o in report.outcomes if o.status != "imported"]
    # What the import left for later: the previews (and, for camera photos, their own
    # thumbnails and quality hints), made by the pass the app runs once the import is done.
    cpu_before = [_cpu(p) for p in processes]
    start = time.perf_counter()
    made = media.make_missing_previews(vault)
    pass_s = time.perf_counter() - start
    pass_cpu = sum(_cpu(p) - before for p, before in zip(processes, cpu_before, strict=True))
    assert made == len(photos) and not media.pages_without_preview(vault)
    vault.lock()
    shutil.rmtree(work / "vault", ignore_errors=True)

    result = {
        "bench": "import",
        "photos": len(photos),
        "mb_per_photo": round(total_bytes / len(photos) / 1e6, 2),
        "photos_per_s": round(len(photos) / import_s, 1),
        "mb_per_s": round(total_bytes / 1e6 / import_s, 1),
        "floor_photos_per_s": round(len(photos) / floor_s, 1),
        "floor_mb_per_s": round(total_bytes / 1e6 / floor_s, 1),
        "ratio_to_floor": round(import_s / floor_s, 2),
        "cpu_ms_per_photo": round(sum(cpu_used) * 1000 / len(photos), 1),
        "cpu_ms_per_photo_decoders": round(sum(cpu_used[1:]) * 1000 / len(photos), 1),
        "camera_thumbnails": camera,
        "after_pass_photos_per_s": round(len(photos) / pass_s, 1),
        "after_pass_cpu_ms_per_photo": round(pass_cpu * 1000 / len(photos), 1),
        "decoder_processes": pictures.DECODERS,
        "decoders_start_s": round(decoders_s, 2),
        "cold_cache": cold,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    print(f"import: {result['photos_per_s']} photos/s, {result['mb_per_s']} MB/s; floor: "
          f"{result['floor_photos_per_s']} photos/s; import takes {result['ratio_to_floor']}× "
          f"the floor ({pictures.DECODERS} decoder processes, started beforehand in "
          f"{result['decoders_start_s']} s)")
    print(f"CPU per photo: {result['cpu_ms_per_photo']} ms, of which "
          f"{result['cpu_ms_per_photo_decoders']} ms in the decoder processes")
    print(f"after the import: previews{' and own thumbnails' if camera else ''} for "
          f"{len(photos)} photos in {pass_s:.1f} s ({result['after_pass_photos_per_s']} "
          f"photos/s, {result['after_pass_cpu_ms_per_photo']} ms CPU each, one at a time as "
          "the app's idle pass makes them)")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
