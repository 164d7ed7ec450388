"""Read a seed file into plain Python values, remembering the line of every value.

Seed files come from many hands, so reading is defensive: the bytes must be UTF-8 text of a
bounded size; YAML anchors, aliases and tags (the alias bomb, `!!python/object`) are refused
rather than expanded or constructed; nesting is bounded; duplicate keys are errors. Dates stay
the strings they were written as (PyYAML would turn `2020-02-05` into a date object).

`fast_read` (below) reads a clean file to the same values without positions, several times
faster; validation uses it first and comes back here for a file with anything unusual, or when a
message needs a line.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import re
import signal
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
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
    except yaml.reader.ReaderError as e:  # a character YAML does not allow (found by tests/fuzz)
        at = e.position if isinstance(e.position, int) else 0
        char = f"#x{e.character:04x}" if isinstance(e.character, int) else repr(e.character)
        raise ReadError(Problem(name, text.count("\n", 0, at) + 1,
                                f"YAML error: unacceptable character {char}: {e.reason}")) from e
    except yaml.YAMLError as e:  # one line, whatever PyYAML wrote
        raise ReadError(Problem(name, 1, "YAML error: " + " ".join(str(e).split()))) from e
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


# --- the fast path -------------------------------------------------------------------------------
# Reading with positions (above) costs most of validation: PyYAML builds a node per value and asks
# Python to resolve every scalar. Most files are clean, and a clean file's lines are never reported,
# so `fast_read` parses straight to values with yaml-rs (Rust), and the careful reader runs only for
# a file whose line is needed. yaml-rs reads YAML 1.2 and expands aliases, PyYAML YAML 1.1 and this
# reader refuses them; so `fast_read` gives up (None) on anything where the two could differ: the
# careful reader then decides, with the same values and messages as ever.

try:
    import yaml_rs
except ImportError:  # pragma: no cover - the careful reader does all
    yaml_rs = None  # type: ignore[assignment]

#: marks of anchors, aliases and tags (candidates: `&` in text is fine, the careful reader decides)
_MARKS = re.compile(r"(?:^|[\s\[{,:?-])[&*!]", re.M)
#: more documents, directives
_DOCUMENTS = re.compile(r"^(?:---|\.\.\.|%)", re.M)
#: characters PyYAML refuses, and the line breaks YAML 1.1 knows and 1.2 does not
_ODD_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_OTHER_BYTES = bytes(b for b in range(256) if b not in _ODD_BYTES)
_ODD = re.compile(r"[^\x09\x0A\x0D\x20-\x7E\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]|[\u2028\u2029\ufeff]")
#: a line indented (with `- `) this far could nest deeper than MAX_DEPTH: the careful reader checks
_DEEP_LINE = re.compile(rf"\n[ -]{{{MAX_DEPTH // 2}}}")
_NOT_FLOW = re.compile(r"[^\[\]{}]+")
#: a plain scalar that YAML 1.1 makes an int and 1.2 may read otherwise (`017`, `0o17`), when
#: the character before it (or before its sign) starts a scalar
_LEADING_ZERO = re.compile(r"0(?:[oO][0-7_]+|[0-9_]+)[ \t\r]*(?:$|[,\]}]| #)", re.M)


def _leading_zero(text: str) -> bool:
    for match in _LEADING_ZERO.finditer(text):
        start = match.start()
        if start and text[start - 1] in "+-":
            start -= 1
        if not start or text[start - 1] in " \t\r\n[{,:?":
            return True
    return False


#: a string that, if written plainly (unquoted), PyYAML reads as something other than text (dates
#: stay text in both), or a key that is not text (JSON writes the keys 1, true, null as "1" ...)
_NOT_TEXT_11 = re.compile('(?:' + "|".join(
    f"(?:{regexp.pattern.removeprefix('^').removesuffix('$')})" for regexp in sorted(
        {r for resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.values()
         for tag, r in resolvers if tag != "tag:yaml.org,2002:timestamp"}, key=lambda r: r.pattern)) + ')', re.X)
#: in the JSON of the data: a string that might be one (starting as one of them can); a search for
#: _NOT_TEXT_11 itself in the JSON would try its many branches at every quote
_SHORT_TEXT = re.compile(r'"([-+0-9.~<=yYnNtTfFoO][\w.:+-]*)?"')
#: in the JSON of the data: a number, after one of json.dumps's separators (a candidate: text may
#: hold `, 1,` too)
_NUMBER = re.compile(r"[\[:,] ?(-?(?:\d|Infinity|NaN)[\w.+-]*)(?=[,\]}])")



def _written_plainly(values: Iterable[str], text: str) -> bool:
    """Whether one of `values` may stand unquoted in `text` as a whole scalar (a key or a value, block or
    flow). Such a scalar never spans lines: folded, it would hold a space, which none of the values
    of _NOT_TEXT_11 does."""
    before = r"(?:^|[-:?][ \t]+|[\[{,])[ \t]*"
    after = r"[ \t\r]*(?:$|[ \t]#|:(?:[ \t\r]|$)|[,\]}])"
    either = "|".join(re.escape(value) for value in values)
    return re.search(f"{before}(?:{either}){after}", text, re.M) is not None


def _unusual(raw: bytes, text: str) -> bool:
    """Whether `text` holds anything the careful reader must see: anchors, aliases, tags, more
    documents, odd characters, or nesting that might go past MAX_DEPTH."""
    if ("&" in text or "*" in text or "!" in text) and _MARKS.search(text):
        return True
    if ("---" in text or "..." in text or "%" in text) and _DOCUMENTS.search(text):
        return True
    if raw.translate(None, _OTHER_BYTES) or (not text.isascii() and _ODD.search(text)):
        return True
    if _DEEP_LINE.search("\n" + text[:MAX_DEPTH]) or _DEEP_LINE.search(text):
        return True
    if text.count("[") + text.count("{") <= MAX_DEPTH // 4:
        return False
    depth = deepest = 0
    for bracket in _NOT_FLOW.sub("", text):
        depth = depth + 1 if bracket in "[{" else max(0, depth - 1)
        deepest = max(deepest, depth)
    return deepest > MAX_DEPTH // 4


def fast_read(path: Path) -> Any | None:
    """The data of a clean seed file without positions, or None when the careful reader must read it
    (any problem, or anything it might read differently). Never raises."""
    if yaml_rs is None:
        return None
    try:
        if path.stat().st_size > max_file_bytes():
            return None
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if _unusual(raw, text):
        return None
    try:
        data = yaml_rs.loads(text, parse_datetime=False, duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.Error)
        if type(data) is not dict or not data:
            return None
        # one pass in C over all the values: keys and text as PyYAML reads them, and no float
        as_json = json.dumps(data, ensure_ascii=False, check_circular=False)
    except (KeyboardInterrupt, SystemExit):  # pragma: no cover
        raise
    except BaseException:  # any complaint is the careful reader's to word (a Rust panic too)
        return None
    # ("" is text in both: read plainly, an empty scalar is null in both)
    not_text = {value for value in set(_SHORT_TEXT.findall(as_json)) if value and _NOT_TEXT_11.fullmatch(value)}
    if not_text and _written_plainly(not_text, text):
        return None
    numbers = _NUMBER.findall(as_json)
    if any(not number.lstrip("-").isdigit() for number in numbers) or (numbers and _leading_zero(text)):
        return None
    return data


#: seed bytes from which `fast_reads` reads in other processes
PARALLEL_BYTES = 8 << 20
#: files read ahead of the one being checked (a bound on what waits in memory)
READ_AHEAD = 8


def _quiet() -> None:
    """In a reading process: Ctrl-C is the validating process's to handle (no second traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _readers(files: int, total_bytes: int) -> ProcessPoolExecutor | None:
    """Processes to read a large seed in, or None: a small seed, one core, or no process to start."""
    workers = min(3, (os.cpu_count() or 1) - 1)
    # forked while this process is small; from a fresh server process if a thread runs here (a
    # progress bar's), since a fork copies no thread but any lock one holds
    method = "fork" if threading.active_count() == 1 else "forkserver"
    if (yaml_rs is None or total_bytes < PARALLEL_BYTES or workers < 1 or files < 2
            or method not in multiprocessing.get_all_start_methods()):
        return None
    try:
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method), initializer=_quiet)
    except (OSError, ValueError):  # no semaphores here (some containers)
        return None


def fast_reads(paths: Sequence[Path], total_bytes: int) -> Iterator[Any | None]:
    """`fast_read` of each of `paths`, in order. A large seed (`total_bytes`) on a machine of more
    than one core is read in other processes, a few files ahead of the caller, which checks each
    file while the next ones are parsed: the same values, on both cores. On one core, or where no
    process can be started, the files are read here."""
    pool = _readers(len(paths), total_bytes)
    if pool is None:
        yield from map(fast_read, paths)
        return
    try:
        ahead: deque[Future[Any | None]] = deque()
        todo = iter(paths)
        ahead.extend(pool.submit(fast_read, path) for path in itertools.islice(todo, READ_AHEAD))
        while ahead:
            done = ahead.popleft()
            following = next(todo, None)
            if following is not None:
                ahead.append(pool.submit(fast_read, following))
            try:
                yield done.result()
            except (BrokenProcessPool, OSError):  # a reader died (killed, out of memory): the careful reader
                yield None
    finally:  # the caller stopped early (a failure, Ctrl-C): files not yet started are not parsed
        pool.shutdown(cancel_futures=True)
