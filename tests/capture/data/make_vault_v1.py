"""Made tests/capture/data/vault_v1.tar.gz: a vault written by the code before object names
moved to keyed BLAKE3 (commit 3568723, objects named by HMAC-SHA256, header magic SOHOAOB1).
It only means something run at that commit; kept to say how the fixture came to be.

    git worktree add /tmp/old 3568723 && cd /tmp/old && python tests/capture/data/make_vault_v1.py

Holds: admin 'admin' / ADMIN_PASSPHRASE and volunteer 'lan' / VOLUNTEER_PASS (test KDF), one
visit with a diary item of two photo pages (each with its thumbnail), and a small object of
known bytes with its SHA-256 in the label (a many-chunk v1 object is made in the test itself:
committed, it would cost megabytes of random bytes)."""

from __future__ import annotations

import hashlib
import random
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from capture import accounts, visits
from capture.importer import import_files
from capture.keyslots import KdfParams
from capture.roles import Role
from capture.vault import NewUser, StationSetup, Vault
from tests.capture import mediafiles as mf
from tests.conftest import ADMIN_PASSPHRASE, VOLUNTEER_PASS

OUT = Path(__file__).with_name("vault_v1.tar.gz")


def known_bytes() -> bytes:
    return random.Random(20261203).randbytes(5000)


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "vault"
        admin, _ = Vault.create(path, StationSetup("Trạm cũ", 1, 4),
                                NewUser("admin", "Quản trị", ADMIN_PASSPHRASE, Role.ADMIN),
                                kdf=KdfParams.for_tests())
        accounts.create_user(admin, NewUser("lan", "Trần Thị Lan", "tạm thời 12345",
                                            Role.VOLUNTEER))
        admin.lock()
        lan = Vault(path).unlock("lan", "tạm thời 12345")
        lan.set_new_passphrase(VOLUNTEER_PASS)
        visit = visits.create_visit(lan, visits.Household(1, 4, contact_name="Bà Lan"))
        item = visits.add(lan, visit, visits.ItemData(visits.ItemKind.DIARY, title="Nhật ký"))
        files = [mf.save_jpeg(Path(work) / f"p{i}.jpg", mf.photo(160, 120, seed=i))
                 for i in range(2)]
        import_files(lan, item, files)
        data = known_bytes()
        lan.store_bytes(data, label=hashlib.sha256(data).hexdigest())
        lan.lock()
        (path / "vault.lock").unlink(missing_ok=True)
        with tarfile.open(OUT, "w:gz") as tar:
            tar.add(path, arcname="vault")


if __name__ == "__main__":
    main()
