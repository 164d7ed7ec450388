"""The validated seed: one `Seed` of records (nodes, relationships, sources), each with its
citations and the file and line it was declared at. kg/seed/validate.py makes it from seed files;
the loader, the preview, the bulk import, the questions' name index and the Browser guide read it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.graph.schema import name_key
from kg.seed.reader import Document, Path_, Problem, ReadError, read

CONFIDENCE_RANK = {"low": 0, "medium": 1, "high": 2}


@dataclass(slots=True)
class Citation:
    source: str
    quote: str
    confidence: str


class Origin:
    """The files of one validation, and the line of a value in them, found when a message needs it.

    Records keep (file number, path in the file's data) rather than a line: a clean file is read
    without positions (reader.fast_read), and is read again with them only when a line is asked for."""

    def __init__(self) -> None:
        self.files: list[tuple[Path, str]] = []
        self._docs: dict[int, Document | None] = {}  # the few files read again, most recent last

    def add(self, path: Path, name: str) -> int:
        self.files.append((path, name))
        return len(self.files) - 1

    def keep(self, file_no: int, doc: Document) -> None:
        """Remember a document read with positions (while its file is checked)."""
        self._docs.pop(file_no, None)
        self._docs[file_no] = doc
        while len(self._docs) > 8:
            del self._docs[next(iter(self._docs))]

    def problem(self, file_no: int, path: Path_, message: str = "") -> Problem:
        path_, name = self.files[file_no]
        if file_no not in self._docs:
            try:
                self.keep(file_no, read(path_, name))
            except ReadError:  # pragma: no cover - fast_read only passes files the careful reader reads
                self._docs[file_no] = None
        doc = self._docs[file_no]
        return doc.problem(path, message) if doc is not None else Problem(name, 1, message)


class Placed:
    """A record's first declaration: `where` is its (file, line), worked out when asked for."""

    __slots__ = ()
    origin: Origin
    file_no: int
    path: Path_

    @property
    def where(self) -> Problem:
        return self.origin.problem(self.file_no, self.path)


@dataclass(slots=True)
class NodeRec(Placed):
    id: str
    label: str
    props: dict[str, Any]
    origin: Origin
    file_no: int
    path: Path_
    #: while validating; a validated record's citations are in its props (read them with `cited`)
    citations: list[Citation] = field(default_factory=list)
    in_registry: bool = False


@dataclass(slots=True)
class RelRec(Placed):
    key: str
    type: str
    start: str
    end: str
    props: dict[str, Any]
    origin: Origin
    file_no: int
    path: Path_
    #: while validating; a validated record's citations are in its props (read them with `cited`)
    citations: list[Citation] = field(default_factory=list)


@dataclass(slots=True)
class SourceRec(Placed):
    id: str
    props: dict[str, Any]
    origin: Origin
    file_no: int
    path: Path_
    publisher: str
    authors: list[str]
    mentions: set[str] = field(default_factory=set)
    node_ids: list[str] = field(default_factory=list)
    rel_keys: list[tuple[str, str]] = field(default_factory=list)  # (type, key)


@dataclass
class Seed:
    files: list[str] = field(default_factory=list)
    sources: dict[str, SourceRec] = field(default_factory=dict)
    nodes: dict[str, NodeRec] = field(default_factory=dict)
    rels: dict[str, RelRec] = field(default_factory=dict)
    #: quotes found in their article's text, and those that could not be checked (with why)
    quotes_checked: int = 0
    quotes_unchecked: int = 0
    unchecked_why: list[str] = field(default_factory=list)
    #: the texts folder quotes were checked against, if any
    texts: str | None = None
    #: ids named by these files that are not declared in them: found in the database (id -> label)
    external: dict[str, str] = field(default_factory=dict)
    #: sha256 of the files' names and bytes, as validation read them (in order)
    content: Any = field(default_factory=hashlib.sha256, repr=False, compare=False)

    def counts(self) -> dict[str, int]:
        return {"files": len(self.files), "sources": len(self.sources), "nodes": len(self.nodes),
                "relationships": len(self.rels)}


def cited(props: dict[str, Any]) -> Iterator[Citation]:
    """The citations of a validated node or relationship, from its props, sorted by source."""
    for source, quote, confidence in zip(props.get("sources", ()), props.get("quotes", ()),
                                         props.get("confidences", ()), strict=True):
        yield Citation(source, quote, confidence)


def stored(props: dict[str, Any]) -> dict[str, Any]:
    """The properties written for a validated node, source or relationship: its props, with
    `quotes_text`, one text of all its quotes for the full-text index, and `name_key`, its name as
    kg/questions/entities.py looks a name up (a range index finds it without the full-text index). Both are
    made as they are written, not held: they would repeat every quote and name of the seed."""
    quotes, name = props.get("quotes"), props.get("name")
    if not quotes and not isinstance(name, str):
        return props
    derived = {} if not quotes else {"quotes_text": " | ".join(quotes) + " | "}
    if isinstance(name, str):
        derived["name_key"] = name_key(name)
    return {**props, **derived}
