"""The workbench's words, Vietnamese first, English complete: one JSON catalogue per language
(locales/vi.json, locales/en.json), the same keys in both (a test holds them to it). A missing
key shows as the key itself, never as an empty page."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

LANGUAGES = ("vi", "en")
DEFAULT = "vi"
LOCALES = Path(__file__).with_name("locales")


@dataclass(frozen=True)
class Catalogue:
    lang: str
    words: dict[str, str]

    def __call__(self, key: str, **values: object) -> str:
        text = self.words.get(key, key)
        return text.format(**values) if values else text


def load(folder: Path = LOCALES) -> dict[str, Catalogue]:
    return {lang: Catalogue(lang, json.loads((folder / f"{lang}.json").read_text("utf-8")))
            for lang in LANGUAGES}


def pick(cookie: str | None) -> str:
    """The language the person chose (cookie), else Vietnamese: the workbench is Vietnamese
    first whatever the browser says, so a shared office machine set to English still opens in
    Vietnamese until someone switches."""
    return cookie if cookie in LANGUAGES else DEFAULT
