"""Article texts: where they live, their pins, and finding a quote in them.

Article texts are other people's words, so they stay outside the repository, in a texts folder
(`--texts DIR`, `KG_TEXTS`, default `.kg/texts/`, which git ignores). A seed source pins its text
by file name, SHA-256 and length in bytes; a text that no longer matches its pin is an error.

Quotes are matched exactly after normalising white space, typographic quotes, apostrophes and
dashes on both sides; `...` or `…` in a quote stands for a gap, and the pieces must appear in
order. When a quote is not found, the closest passage is found with rapidfuzz.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from kg.errors import UsageError
from kg.project import texts_default

DEFAULT_TEXTS = Path(".kg") / "texts"

_TRANS = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
})
_GAP = re.compile(r"\.\.\.|…")


@dataclass(frozen=True)
class Pin:
    """What a source block says its text is."""

    file: str
    sha256: str | None = None
    length: int | None = None


def pin_of(path: Path) -> Pin:
    data = path.read_bytes()
    return Pin(path.name, hashlib.sha256(data).hexdigest(), len(data))


def texts_dir(option: Path | None = None, root: Path | None = None, create: bool = False) -> Path | None:
    """The texts folder: `--texts`, else `KG_TEXTS`, else `.kg/texts/` of the project (of `root`, else
    kg/project.py's; the per-user data folder's texts/ outside any project) when it exists.

    A folder named explicitly must exist (a usage error otherwise); the default may be absent,
    and then there is no texts folder (None). With `create` (a folder to write into) the folder
    is returned whether it exists or not."""
    named = option or (Path(os.environ["KG_TEXTS"]) if os.environ.get("KG_TEXTS") else None)
    if named is not None:
        if not named.is_dir() and not create:
            how = "--texts" if option else "KG_TEXTS"
            raise UsageError(f"texts folder {named} ({how}) does not exist")
        return named
    default = texts_default() if root is None else root / DEFAULT_TEXTS
    return default if default.is_dir() or create else None


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_TRANS)).strip()


def quote_pieces(quote: str) -> list[str]:
    """The parts of a quote between gaps, normalised, without the quotation marks around them."""
    pieces = [p.strip(" \"'") for p in _GAP.split(normalise(quote))]
    return [p for p in pieces if p]


@dataclass(frozen=True)
class Found:
    """Where a quote (or its first piece) starts and ends in a text: 1-based lines, with context."""

    line: int
    end_line: int
    context: str
    #: where it starts in the normalised text (orders quotes within a line)
    offset: int = 0


@dataclass(frozen=True)
class Closest:
    passage: str
    similarity: float  # 0..1
    line: int


class Article:
    """One text, normalised once, with a map from normalised offsets back to its lines."""

    def __init__(self, name: str, raw: str) -> None:
        self.name = name
        self.raw = raw
        chars: list[str] = []
        lines: list[int] = []
        offsets: list[int] = []  # where each character of the normalised text is in `raw`
        line, space = 1, False
        for at, ch in enumerate(raw.translate(_TRANS)):
            if ch.isspace():
                if chars and not space:
                    chars.append(" ")
                    lines.append(line)
                    offsets.append(at)
                space = True
                if ch == "\n":
                    line += 1
                continue
            space = False
            chars.append(ch)
            lines.append(line)
            offsets.append(at)
        while chars and chars[-1] == " ":
            chars.pop()
            lines.pop()
            offsets.pop()
        self.text = "".join(chars)
        self._lines = lines
        self._offsets = offsets

    @classmethod
    def read(cls, path: Path) -> Article:
        return cls(path.name, path.read_text(encoding="utf-8"))

    @cached_property
    def raw_lines(self) -> list[str]:
        return self.raw.splitlines()

    def line_at(self, offset: int) -> int:
        return self._lines[min(max(offset, 0), len(self._lines) - 1)] if self._lines else 1

    def find(self, quote: str) -> Found | None:
        """Where `quote` occurs (its pieces in order), or None."""
        pieces = quote_pieces(quote)
        if not pieces:
            return None
        at, start = 0, -1
        for piece in pieces:
            at = self.locate(piece, at)
            if at < 0:
                return None
            start = at if start < 0 else start
            at += len(piece)
        first, last = self.line_at(start), self.line_at(at - 1)
        return Found(first, last, self.raw_lines[first - 1].strip() if self.raw_lines else "", start)

    def spans(self, quote: str) -> list[tuple[int, int]]:
        """Where the pieces of `quote` are in the raw text, as (start, end) character offsets of
        `raw` (a quote with a gap has a span per piece); [] when it does not occur."""
        spans: list[tuple[int, int]] = []
        at = 0
        for piece in quote_pieces(quote):
            at = self.locate(piece, at)
            if at < 0:
                return []
            spans.append((self._offsets[at], self._offsets[at + len(piece) - 1] + 1))
            at += len(piece)
        return spans

    def raw_offset(self, offset: int) -> int:
        """Where a character of the normalised text is in the raw text."""
        return self._offsets[min(max(offset, 0), len(self._offsets) - 1)] if self._offsets else 0

    def locate(self, piece: str, start: int = 0) -> int:
        """The offset of `piece` from `start` where it neither begins nor ends inside a word (a
        quote of "in Jan" is not the article's "in January"); -1 when there is none (and for nothing:
        a quote of only spaces or marks, found by tests/fuzz)."""
        if not piece:
            return -1
        at = self.text.find(piece, start)
        while at >= 0:
            end = at + len(piece)
            cut_before = at > 0 and piece[0].isalnum() and self.text[at - 1].isalnum()
            cut_after = end < len(self.text) and piece[-1].isalnum() and self.text[end].isalnum()
            if not cut_before and not cut_after:
                return at
            at = self.text.find(piece, at + 1)
        return -1

    def find_all(self, words: str) -> list[Found]:
        """Every place `words` occur (no gaps), in order."""
        needle = normalise(words)
        found: list[Found] = []
        at = self.text.find(needle) if needle else -1
        while at >= 0:
            line = self.line_at(at)
            found.append(Found(line, self.line_at(at + len(needle) - 1), self.raw_lines[line - 1].strip()))
            at = self.text.find(needle, at + 1)
        return found

    def closest(self, quote: str) -> Closest:
        """The passage most like the first piece of `quote` that is not found where it should be."""
        from rapidfuzz import fuzz

        pieces = quote_pieces(quote) or [normalise(quote)]
        at, piece = 0, pieces[0]
        for candidate in pieces:  # the first piece that breaks the chain is the one to show
            found = self.locate(candidate, at)
            if found < 0:
                piece = candidate
                break
            at = found + len(candidate)
        match = fuzz.partial_ratio_alignment(piece, self.text)
        if match is None:  # an empty piece or text
            return Closest("", 0.0, 1)
        start, end = match.dest_start, match.dest_end
        while start > 0 and self.text[start - 1].isalnum():  # whole words: show "January", not "Jan"
            start -= 1
        while end < len(self.text) and self.text[end].isalnum():
            end += 1
        passage = self.text[start:end]
        return Closest(passage, round(fuzz.ratio(piece, passage) / 100, 2), self.line_at(start))


class Texts:
    """A texts folder; articles are read and normalised once each."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._articles: dict[str, Article] = {}
        self._pins: dict[str, Pin] = {}

    def path(self, file: str) -> Path:
        if Path(file).name != file or file in ("", ".", ".."):
            raise ValueError(f"text file name {file!r} must be a plain file name, not a path")
        if len(file.encode("utf-8", "surrogatepass")) > 255:  # found by tests/fuzz: an OSError before
            raise ValueError(f"text file name {file[:40]!r}... is longer than a file name can be (255 bytes)")
        return self.folder / file

    def has(self, file: str) -> bool:
        try:
            return self.path(file).is_file()
        except OSError:  # a name the file system refuses is no file it holds
            return False

    def pin(self, file: str) -> Pin:
        if file not in self._pins:
            self._pins[file] = pin_of(self.path(file))
        return self._pins[file]

    def article(self, file: str) -> Article:
        if file not in self._articles:
            self._articles[file] = Article.read(self.path(file))
        return self._articles[file]

    def files(self) -> list[str]:
        return sorted(p.name for p in self.folder.iterdir() if p.is_file() and not p.name.startswith("."))


def check_pin(pinned: Pin, actual: Pin) -> str | None:
    """A problem message when a text is not the one its source pinned, else None."""
    if pinned.sha256 and pinned.sha256 != actual.sha256:
        return (f"text {pinned.file} has changed: its sha256 is {actual.sha256}, but the source pins "
                f"{pinned.sha256}; restore the article as it was, or re-pin it and check every quote")
    if pinned.length is not None and pinned.length != actual.length:
        return f"text {pinned.file} is {actual.length} bytes, but the source pins {pinned.length}"
    return None
