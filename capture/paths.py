"""Where things live on this laptop. ``SOHOA_HOME`` moves everything (tests, portable installs)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP = "sohoa"


def _home() -> Path | None:
    value = os.environ.get("SOHOA_HOME")
    return Path(value) if value else None


def data_dir() -> Path:
    home = _home()
    return home / "data" if home else Path(platformdirs.user_data_dir(APP, appauthor=False))


def config_dir() -> Path:
    home = _home()
    return home / "config" if home else Path(platformdirs.user_config_dir(APP, appauthor=False))


def cache_dir() -> Path:
    home = _home()
    return home / "cache" if home else Path(platformdirs.user_cache_dir(APP, appauthor=False))


def default_vault() -> Path:
    return data_dir() / "vault"


def assets_dir() -> Path:
    """``SOHOA_ASSETS`` if set, else beside a frozen app, else the repository's ``assets/``."""
    if os.environ.get("SOHOA_ASSETS"):
        return Path(os.environ["SOHOA_ASSETS"])
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "assets"
    return Path(__file__).resolve().parent.parent / "assets"
