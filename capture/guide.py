"""The volunteer's guide: one Markdown file per section in ``assets/guide/<language>/``
(``NN-id.md``), pictures made from the app by ``packaging/guide/make_screens.py`` in
``assets/guide/screens/<language>/``. The help window shows the Markdown as it is; the field
handbook and the checklist (``capture/handbook.py``) read the same files through ``blocks``,
so the three never disagree.

The Markdown is the small subset the sources use: ``#``/``##`` headings, paragraphs,
``- `` bullets, ``- [ ] `` checklist items (they make the one-page checklist), ``![text](path)``
pictures and ``**bold**``/``*italic*``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from capture.paths import assets_dir

LANGUAGES = ("vi", "en")
# The screen that has no better section (sign-in, setup) opens this one.
FIRST = "start"
_FILE = re.compile(r"^(\d\d)-([a-z]+)\.md$")
_PICTURE = re.compile(r"^!\[(?P<alt>[^\]]*)\]\((?P<path>[^)\s]+)\)$")


class GuideMissing(LookupError):
    """A section or language the guide does not have."""


@dataclass(frozen=True)
class Block:
    kind: str  # "h1", "h2", "p", "bullet", "check", "picture"
    text: str
    path: str = ""  # a picture's file, relative to the guide folder


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    markdown: str

    def blocks(self) -> list[Block]:
        return blocks(self.markdown)

    def checklist(self) -> list[str]:
        return [block.text for block in self.blocks() if block.kind == "check"]


def folder(root: Path | None = None) -> Path:
    return (root or assets_dir()) / "guide"


def sections(language: str, root: Path | None = None) -> list[Section]:
    """Every section of the guide in ``language``, in order."""
    if language not in LANGUAGES:
        raise GuideMissing(language)
    found = []
    for path in sorted((folder(root) / language).glob("*.md")):
        match = _FILE.match(path.name)
        if match is None:
            continue
        text = path.read_text(encoding="utf-8")
        title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")),
                     match.group(2))
        found.append(Section(match.group(2), title, text))
    return found


def section(language: str, section_id: str, root: Path | None = None) -> Section:
    for candidate in sections(language, root):
        if candidate.id == section_id:
            return candidate
    raise GuideMissing(section_id)


def blocks(markdown: str) -> list[Block]:
    """The Markdown as a list of blocks; a paragraph's wrapped lines are joined."""
    found: list[Block] = []
    paragraph: list[str] = []

    def close() -> None:
        if paragraph:
            found.append(Block("p", " ".join(paragraph)))
            paragraph.clear()

    for raw in markdown.splitlines():
        line = raw.strip()
        picture = _PICTURE.match(line)
        if not line:
            close()
        elif line.startswith("## "):
            close()
            found.append(Block("h2", line[3:].strip()))
        elif line.startswith("# "):
            close()
            found.append(Block("h1", line[2:].strip()))
        elif line.startswith("- [ ] "):
            close()
            found.append(Block("check", line[6:].strip()))
        elif line.startswith("- "):
            close()
            found.append(Block("bullet", line[2:].strip()))
        elif picture:
            close()
            found.append(Block("picture", picture.group("alt"), picture.group("path")))
        else:
            paragraph.append(line)
    close()
    return found


def pictures(root: Path | None = None) -> set[str]:
    """Every picture the guide shows, in every language (paths relative to the guide)."""
    return {block.path for language in LANGUAGES for part in sections(language, root)
            for block in part.blocks() if block.kind == "picture"}
