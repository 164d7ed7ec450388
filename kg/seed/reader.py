"""Read a seed file into plain Python values, remembering the line of every value.

Seed files come from many hands, so reading is defensive: the bytes must be UTF-8 text of a
bounded size; YAML anchors, aliases and tags (the alias bomb, `!!python/object`) are refused
rather than expanded or constructed; nesting is bounded; duplicate keys are errors. Dates stay
the strings they were written as (PyYAML would turn `2020-02-05` into a date object).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:  # libyaml's parser is several times faster; PyYAML's wheels ship it
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 32
STANDARD_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
}
_constructor = yaml.constructor.SafeConstructor()

Path_ = tuple[str | int, ...]


def max_file_bytes() -> int:
    return int(float(os.environ.get("KG_MAX_SEED_FILE_MB", "32")) * 1024 * 1024)


@dataclass
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ReadError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class Document:
    """One file's data and the line (1-based) of each value, keyed by its path in the data."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Path_) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            found = self.lines.get(tuple(path[:end]))
            if found is not None:
                return found
        return 1

    def problem(self, path: Path_, message: str) -> Problem:
        return Problem(self.file, self.line(path), message)


def read(path: Path, display: str | None = None) -> Document:
    """Parse one seed file; raise ReadError with `file:line` for anything that is not clean YAML."""
    name = display or str(path)
    try:
        size = path.stat().st_size
        if size > max_file_bytes():
            raise ReadError(Problem(name, 1, f"file is {size / 1048576:.1f} MB, over the "
                                              f"{max_file_bytes() // 1048576} MB limit for one seed file; split it"))
        raw = path.read_bytes()
    except OSError as e:
        raise ReadError(Problem(name, 1, f"cannot read: {e.strerror or e}")) from e
    if b"\0" in raw[:8192] or b"\0" in raw:
        raise ReadError(Problem(name, 1, "binary file (contains NUL bytes); seed files are YAML text"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ReadError(Problem(name, line, f"not UTF-8 text (byte 0x{raw[e.start]:02x} at offset {e.start})")) from e
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise ReadError(Problem(name, 1, "empty file: expected a mapping with `actors:` or `source:`"))
    return parse(text, name)


_BRACKETS = re.compile(r"[\[\]{}\n]")


def _too_deep(text: str, name: str) -> None:
    """Refuse pathological nesting before the (recursive, C) parser sees it."""
    depth = 0
    line = 1
    for match in _BRACKETS.finditer(text):
        ch = match.group()
        if ch in "[{":
            depth += 1
            if depth > MAX_DEPTH * 2:
                raise ReadError(Problem(name, line, f"nesting deeper than {MAX_DEPTH} levels"))
        elif ch in "]}":
            depth = max(0, depth - 1)
        elif ch == "\n":
            line += 1
    for number, text_line in enumerate(text.splitlines(), 1):
        if len(text_line) - len(text_line.lstrip(" -")) > MAX_DEPTH * 8:
            raise ReadError(Problem(name, number, f"nesting deeper than {MAX_DEPTH} levels"))


_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])&[^\s\[\]{},]+", re.M)


def _no_anchors(text: str, name: str) -> None:
    """Refuse anchors even when no alias uses them (aliases were refused while converting). The
    regular expression only finds candidates; the YAML events decide, so `&` in text is fine."""
    if not _ANCHOR.search(text):
        return
    for event in yaml.parse(text, Loader=_Loader):
        if getattr(event, "anchor", None):
            raise ReadError(Problem(name, event.start_mark.line + 1 if event.start_mark else 1,
                                    "YAML anchors and aliases are not allowed in seed files"))


def parse(text: str, name: str) -> Document:
    _too_deep(text, name)
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as e:
        # an unclosed bracket is reported where the parser gave up; the bracket is where it opened
        opened = e.context_mark if e.context and "flow" in e.context else None
        mark = opened or e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 1
        what = " ".join(str(x) for x in (e.context, e.problem) if x)
        if opened and e.problem_mark and e.problem_mark.line != opened.line:
            what += f" (the parser stopped at line {e.problem_mark.line + 1})"
        raise ReadError(Problem(name, line, f"YAML syntax error: {what}")) from e
    except yaml.YAMLError as e:
        raise ReadError(Problem(name, 1, f"YAML error: {e}")) from e
    except RecursionError as e:
        raise ReadError(Problem(name, 1, f"nesting deeper than {MAX_DEPTH} levels")) from e
    if len(nodes) != 1:
        line = nodes[1].start_mark.line if len(nodes) > 1 else 1  # the `---` before the second one
        raise ReadError(Problem(name, max(line, 1), f"expected one YAML document, found {len(nodes)}"))
    _no_anchors(text, name)
    doc = Document(name, None)
    doc.data = _convert(nodes[0], (), doc, set(), 0)
    return doc


def _convert(node: yaml.Node, path: Path_, doc: Document, seen: set[int], depth: int) -> Any:
    line = node.start_mark.line + 1
    if id(node) in seen:
        raise ReadError(Problem(doc.file, line, "YAML anchors and aliases are not allowed in seed files"))
    seen.add(id(node))
    if depth > MAX_DEPTH:
        raise ReadError(Problem(doc.file, line, f"nesting deeper than {MAX_DEPTH} levels"))
    if node.tag not in STANDARD_TAGS:
        raise ReadError(Problem(doc.file, line, f"YAML tag {node.tag!r} is not allowed in seed files"))
    doc.lines.setdefault(path, line)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, path, doc, seen, depth + 1)
            if not isinstance(key, str):
                raise ReadError(Problem(doc.file, key_node.start_mark.line + 1, f"key {key!r} must be text"))
            if key in out:
                raise ReadError(Problem(doc.file, key_node.start_mark.line + 1, f"duplicate key {key!r}"))
            doc.lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _convert(value_node, (*path, key), doc, seen, depth + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), doc, seen, depth + 1) for i, item in enumerate(node.value)]
    if node.tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"):
        return node.value  # dates stay as written
    return _constructor.construct_object(node)
