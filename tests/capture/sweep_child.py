"""Child process for test_sweep.py: sweeps the vault (no grace) and prints each file removed,
so the test can kill it in the middle."""

import sys
from datetime import timedelta
from pathlib import Path

from capture import sweep
from capture.vault import Vault


def main() -> None:
    vault = Vault(Path(sys.argv[1])).unlock("admin", sys.stdin.readline().rstrip("\n"))
    sweep.sweep(vault, grace=timedelta(0),
                progress=lambda done, total: print(f"removed {done}/{total}", flush=True))
    vault.lock()


if __name__ == "__main__":
    main()
