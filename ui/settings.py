"""The app's own preferences on this laptop (not the station's, which live in the vault).

A small JSON file under ``capture.paths.config_dir()`` with a ``schema_version``. It holds nothing
personal: no user names, no station name, no paths to anyone's files. Migrations are registered
by version, as napari does, so an older file is upgraded instead of thrown away.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from capture import paths

SCHEMA_VERSION = 1
FILE_NAME = "settings.json"
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
REPORT_CUTOFF_RULES = ("calendar", "decree-09")  # capture.kpis.CutoffRule's values


@dataclass
class Settings:
    language: str = DEFAULT_LANGUAGE
    recorder_device: str = ""  # the input device's name only, as PortAudio lists it
    upload_cap: int = 0  # bytes per second the operator lets uploads use; 0 for no limit
    camera_device: str = ""  # the camera's name only, as Qt Multimedia lists it
    report_cutoff_rule: str = "calendar"  # capture.kpis.CutoffRule: calendar | decree-09
    schema_version: int = SCHEMA_VERSION


# version N -> function turning a version-N dict into a version-(N+1) dict
_MIGRATIONS: dict[int, Callable[[dict], dict]] = {
    0: lambda data: {**data, "language": data.get("lang", DEFAULT_LANGUAGE), "schema_version": 1},
}


def settings_path() -> Path:
    return paths.config_dir() / FILE_NAME


def load(path: Path | None = None) -> Settings:
    path = path or settings_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Settings()
    if not isinstance(data, dict):
        return Settings()
    version = int(data.get("schema_version", 0))
    while version < SCHEMA_VERSION and version in _MIGRATIONS:
        data = _MIGRATIONS[version](data)
        version = int(data["schema_version"])
    language = data.get("language")
    device = data.get("recorder_device", "")
    cap = data.get("upload_cap", 0)
    camera = data.get("camera_device", "")
    rule = data.get("report_cutoff_rule", "calendar")
    return Settings(language=language if language in LANGUAGES else DEFAULT_LANGUAGE,
                    recorder_device=device if isinstance(device, str) else "",
                    upload_cap=cap if type(cap) is int and cap > 0 else 0,
                    camera_device=camera if isinstance(camera, str) else "",
                    report_cutoff_rule=rule if rule in REPORT_CUTOFF_RULES else "calendar")


def save(settings: Settings, path: Path | None = None) -> None:
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(settings), indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)
