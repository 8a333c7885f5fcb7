"""The practice station: made beside the real vault, flagged for good, sample household and
files there; a reset puts the sample back and never touches a real vault."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile
from PIL import Image

from capture import practice, station, visits
from capture.practice import Practice
from capture.roles import Role
from capture.vault import Vault


@pytest.fixture
def place(tmp_path):
    return Practice.beside(tmp_path / "data" / "vault")


def test_practice_vault_lives_beside_the_real_one_and_says_so(place, make_vault, tmp_path,
                                                              fast_kdf) -> None:
    real, _ = make_vault(tmp_path / "data" / "vault")
    vault = practice.open_vault(place, Role.VOLUNTEER, kdf=fast_kdf)
    try:
        assert place.vault_path == tmp_path / "data" / "practice" / "vault"
        assert practice.is_practice(vault) and station.info(vault).practice
        assert not practice.is_practice(real) and not station.info(real).practice
        practice.refuse(real)  # the real station is never refused
        summaries = visits.list_visits(vault)
        assert len(summaries) == 1
        record = visits.load_visit(vault, summaries[0].id)
        assert record.household.contact_name.startswith("Bà Nguyễn Thị Hòa")
    finally:
        vault.lock()


def test_every_role_can_sign_in_with_the_printed_passphrase(place, fast_kdf) -> None:
    practice.create(place, kdf=fast_kdf)
    for role, (username, _name) in practice.USERS.items():
        vault = Vault(place.vault_path).unlock(username, practice.PASSPHRASE)
        assert vault.actor.role is role and not vault.must_change_passphrase
        vault.lock()


def test_the_sample_files_are_real_pictures_and_a_recording(place, fast_kdf) -> None:
    practice.create(place, kdf=fast_kdf)
    names = sorted(p.name for p in place.samples.iterdir())
    assert names == sorted(practice.SAMPLES)
    for name in practice.SAMPLES[:4]:
        with Image.open(place.samples / name) as picture:
            assert picture.width >= 1000 and picture.height >= 1000
            # Not blank: text and lines on the paper.
            assert np.asarray(picture.convert("L")).std() > 8
    data, rate = soundfile.read(str(place.samples / "loi-ke.flac"))
    assert rate == practice.RATE and 3 < len(data) / rate < 30
    assert np.abs(data).max() > 0.05  # something to hear


def test_recording_without_espeak_is_a_tone(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(practice.shutil, "which", lambda _name: None)
    data, rate = soundfile.read(str(practice.recording(tmp_path / "tone.flac")))
    assert len(data) / rate == pytest.approx(8.0) and np.abs(data).max() > 0.1


def test_reset_puts_the_sample_back(place, fast_kdf) -> None:
    vault = practice.open_vault(place, Role.VOLUNTEER, kdf=fast_kdf)
    visits.create_visit(vault, practice.SAMPLE_HOUSEHOLD)
    assert len(visits.list_visits(vault)) == 2
    vault.lock()
    (place.samples / "thu.jpg").unlink()
    practice.reset(place, kdf=fast_kdf)
    vault = practice.open_vault(place, Role.VOLUNTEER, kdf=fast_kdf)
    try:
        assert len(visits.list_visits(vault)) == 1
        assert (place.samples / "thu.jpg").exists()
    finally:
        vault.lock()


def test_reset_never_wipes_a_real_vault(make_vault, tmp_path, fast_kdf) -> None:
    real, _ = make_vault(tmp_path / "elsewhere" / "vault")
    real.lock()
    with pytest.raises(practice.NotAPracticeVault):
        practice.reset(Practice(tmp_path / "elsewhere"), kdf=fast_kdf)
    assert Vault.exists(tmp_path / "elsewhere" / "vault")
    with pytest.raises(practice.NotAPracticeVault):
        practice.open_vault(Practice(tmp_path / "elsewhere"), Role.ADMIN, kdf=fast_kdf)
