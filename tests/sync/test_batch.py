"""A batch as the command's tools see it: `age` opens it, the Library of Congress `bagit`
validator accepts the bag, `minisign -V` verifies its signature, the media are bit-exact, and
nothing the family did not consent to is inside."""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import tarfile

import bagit
import pyrage
import pytest

from capture import accounts
from capture.errors import PermissionDenied
from capture.roles import Role
from capture.vault import NewUser, Vault
from sync import batch, minisign

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
