"""Find plaintext markers in files: the check behind every 'nothing leaks' test."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable
from pathlib import Path


def encodings(text: str) -> list[bytes]:
    """The ways a string can sit in a file: NFC or NFD, UTF-8 or UTF-16 either way round."""
    forms = {unicodedata.normalize(form, text) for form in ("NFC", "NFD")}
    return [form.encode(codec) for form in forms for codec in ("utf-8", "utf-16-le", "utf-16-be")]


def scan(roots: Iterable[Path], needles: list[bytes], names: Iterable[str] = ()
         ) -> list[tuple[str, bytes | str]]:
    """Every (file, marker) where a marker is in a file's bytes or its name."""
    found: list[tuple[str, bytes | str]] = []
    names = list(names)
    for root in roots:
        for folder, _dirs, files in os.walk(root):
            for name in files:
                path = os.path.join(folder, name)
                try:
                    with open(path, "rb") as handle:
                        data = handle.read()
                except OSError:
                    continue
                found += [(path, needle) for needle in needles if needle in data]
                found += [(path, "file name") for text in names if text in name]
    return found
