"""UI tests: offscreen Qt, a private SOHOA_HOME per test, the real vault with a cheap KDF."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest

from capture.keyslots import KdfParams
from capture.roles import Role
from capture.vault import NewUser, StationSetup, Vault

ADMIN_PASSPHRASE = "một câu thật dài để nhớ"
HANOI, BA_DINH = 1, 4


@pytest.fixture(autouse=True)
def sohoa_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("SOHOA_HOME", str(home))
    return home


@pytest.fixture
def app(qapp):  # type: ignore[no-untyped-def]
    """The application as ``ui.app.create_app`` sets it up: bundled font, style, Vietnamese,
    garbage collected on the GUI thread only between tasks."""
    from ui import i18n, tasks
    from ui.resources import apply_style

    apply_style(qapp)
    i18n.install(qapp, "vi")
    collector = tasks.GarbageCollector(qapp)
    yield qapp
    tasks.wait_for_all()
    collector.stop()
    collector.deleteLater()
    i18n.install(qapp, "vi")


class FakeClock:
    def __init__(self) -> None:
        from datetime import UTC, datetime

        self.now = datetime(2026, 7, 27, 8, 0, tzinfo=UTC)

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def vault_path(sohoa_home: Path) -> Path:
    from capture import paths

    return paths.default_vault()


@pytest.fixture
def made_vault(vault_path: Path, clock: FakeClock) -> tuple[Path, str]:
    """A station with one admin (``lan``), locked again; returns the path and recovery key."""
    unlocked, recovery = Vault.create(
        vault_path, StationSetup("Đoàn Thanh niên phường Ba Đình", HANOI, BA_DINH),
        NewUser("lan", "Nguyễn Thị Lan", ADMIN_PASSPHRASE, Role.ADMIN),
        clock=clock, kdf=KdfParams.for_tests())
    unlocked.lock()
    return vault_path, recovery
