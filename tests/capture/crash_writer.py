"""Child process for test_crash.py: writes objects and prints each one once it is committed."""

import hashlib
import sys
from pathlib import Path

from capture.vault import Vault


def content(trial: int, index: int) -> bytes:
    seed = hashlib.sha256(f"{trial}/{index}".encode()).digest()
    size = 1 + int.from_bytes(seed[:3], "big") % 200_000
    return (seed * (size // 32 + 1))[:size]


def main() -> None:
    path, trial = Path(sys.argv[1]), int(sys.argv[2])
    vault = Vault(path).unlock("lan", "mật khẩu của Lan")
    print("ready", flush=True)
    index = 0
    while True:
        stored = vault.store_bytes(content(trial, index), label=f"t{trial}-{index}")
        print(f"{trial} {index} {stored.name}", flush=True)
        index += 1


if __name__ == "__main__":
    main()
