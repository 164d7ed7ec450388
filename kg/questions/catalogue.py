"""Named questions: each `cypher/<name>.cypher` file is the whole definition of one.

A file starts with a block comment holding YAML (name, title, description, params, columns), then
the Cypher. Neo4j Browser ignores the comment, so a file can be pasted there as it is.

    /*
    name: stop-orders
    title: Stop orders
    description: Who ordered use to stop, for which agency, and when?
    params:
      agency: {type: entity, default: null, example: Hamilton police, doc: only this agency}
    columns: {ordered_by_id: entity, for_agency_id: entity, sources: sources}
    */
    MATCH ...

Parameter types: `str`, `int`, `float`, `bool`, `date` (ISO, any precision) and `entity` (an id,
or any name or alias of a node; resolved to its id before the query runs). Every `$param` in the
Cypher is declared and every declared param is used (`check()`).

A listing question declares `limit: {type: int, default: 100, ...}` and ends its Cypher with
`LIMIT $limit` (after its ORDER BY, and before any per-row work it can leave until then).
`kg.questions.run.run` asks the Cypher for one row more than the limit, so that an answer cut short says so
(`Results.truncated`, and a note). A limit is a positive whole number (`kg.questions.params.bind`).

`columns` names the result columns that hold ids, with their kind (`COLUMN_KINDS`): `entity` (one
entity id), `entities` (a list of them), `fact` (a fact node's id or a relationship's key),
`source` and `sources` (source ids). Views and guides read ids from these columns only, never
from what a string looks like; `check()` refuses a declared column the query does not return.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kg.errors import UsageError
from kg.graph import when
from kg.project import cypher_dir
from kg.questions.guard import returned_columns, used_params, write_clauses

#: the parameter of a listing question that caps its rows (kg/questions/run.py asks for one more, to tell a cut)
LIMIT_PARAM = "limit"

PARAM_TYPES = ("str", "int", "float", "bool", "date", "entity")
#: what an id column holds: one entity id, a list of them, a fact (a fact node's id or a
#: relationship's key: the view draws both its ends), one source id, a list of them
COLUMN_KINDS = ("entity", "entities", "fact", "source", "sources")
# parameters that stand a question at a date; such a question returns an `as_of` column (kg/graph/when.py)
TIME_PARAMS = ("as_of", "from", "to")
#: what a listing question declares as its limit's default unless it has reason for another
DEFAULT_LIMIT = 100
_HEADER = re.compile(r"^\s*/\*(.*?)\*/", re.S)


def default_dir() -> Path:
    return cypher_dir()


@dataclass(frozen=True)
class Param:
    name: str
    type: str = "str"
    default: Any = None
    required: bool = False
    example: Any = None
    doc: str = ""


@dataclass(frozen=True)
class Query:
    name: str
    title: str
    description: str
    cypher: str
    path: Path
    params: dict[str, Param] = field(default_factory=dict)
    written: str = ""  # the Cypher as the file has it (with kg.as_of(...)); `cypher` is it expanded
    columns: dict[str, str] = field(default_factory=dict)  # id column -> its kind (COLUMN_KINDS)

    @property
    def time_params(self) -> list[str]:
        """The parameters that stand the question at a date (`as_of`, or `from` and `to`)."""
        return [p for p in TIME_PARAMS if p in self.params and self.params[p].type == "date"]

    @property
    def limit(self) -> Param | None:
        """The parameter that caps the rows, when the question declares one."""
        return self.params.get(LIMIT_PARAM)

    def check(self) -> list[str]:
        """Problems with the definition (empty when it is sound)."""
        problems = []
        if self.name != self.path.stem:
            problems.append(f"{self.path.name}: name {self.name!r} differs from the file name")
        used, declared = used_params(self.cypher), set(self.params)
        if used - declared:
            problems.append(f"{self.path.name}: uses undeclared parameters {sorted(used - declared)}")
        if declared - used:
            problems.append(f"{self.path.name}: declares unused parameters {sorted(declared - used)}")
        returned = returned_columns(self.cypher)
        missing = [c for c in self.columns if returned is not None and c not in returned]
        if missing:
            problems.append(f"{self.path.name}: declares columns {missing} that its RETURN does not give")
        problems += [f"{self.path.name}: {w} (queries must only read)" for w in write_clauses(self.cypher)]
        limit = self.limit
        if limit is not None and (limit.type != "int" or not isinstance(limit.default, int)
                                  or isinstance(limit.default, bool) or limit.default < 1):
            problems.append(f"{self.path.name}: {LIMIT_PARAM} is an int with a positive default")
        return problems

    def ids(self, rows: Iterable[Mapping[str, Any]], *kinds: str) -> list[str]:
        """The ids the rows hold in the columns declared of these kinds (all kinds when none is
        named): each cell one id or a list of them; nulls skipped."""
        wanted = [c for c, kind in self.columns.items() if not kinds or kind in kinds]
        found: set[str] = set()
        for row in rows:
            for column in wanted:
                value = row.get(column)
                found.update(str(v) for v in (value if isinstance(value, list) else [value]) if v is not None)
        return sorted(found)

    def example_args(self, optional: bool = False) -> dict[str, str]:
        """Example values for the required parameters (and the optional ones too, if asked; not one
        whose example is its default, such as a limit: passing it would change nothing)."""
        return {p.name: str(p.example) for p in self.params.values()
                if p.example is not None and (p.required or (optional and p.example != p.default))}


def _line(text: str, word: str) -> int:
    """The line of the header where `word` first appears (1 when it does not)."""
    for number, line in enumerate(text.splitlines(), 1):
        if word in line:
            return number
    return 1


def parse(path: Path) -> Query:
    text = path.read_text(encoding="utf-8")
    match = _HEADER.match(text)
    if not match:
        raise UsageError(f"{path}:1: a query file starts with a /* YAML header */")
    try:
        header = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as e:
        raise UsageError(f"{path}: the header is not YAML: {e}") from e
    params = {}
    for name, spec in (header.get("params") or {}).items():
        spec = spec or {}
        kind = spec.get("type", "str")
        if kind not in PARAM_TYPES:
            raise UsageError(f"{path}:{_line(text, str(name))}: parameter {name!r} has unknown type {kind!r}")
        default, example = spec.get("default"), spec.get("example")
        if kind == "date":  # YAML reads 2020-02-15 as a date and 2020 as a number: kg's dates are text
            default, example = (None if v is None else str(v) for v in (default, example))
        params[name] = Param(name, kind, default, "default" not in spec, example, spec.get("doc", ""))
    columns = header.get("columns") or {}
    if not isinstance(columns, dict):
        raise UsageError(f"{path}:{_line(text, 'columns')}: columns maps a result column to its kind "
                         f"({', '.join(COLUMN_KINDS)})")
    for column, kind in columns.items():
        if kind not in COLUMN_KINDS:
            raise UsageError(f"{path}:{_line(text, str(column))}: column {column!r} has unknown kind {kind!r} "
                             f"(one of {', '.join(COLUMN_KINDS)})")
    written = text[match.end():].strip()
    try:
        cypher = when.expand(written)
    except ValueError as e:
        raise UsageError(f"{path}: {e}") from e
    return Query(
        name=header.get("name", path.stem), title=header.get("title", path.stem),
        description=" ".join(str(header.get("description", "")).split()),
        cypher=cypher, path=path, params=params, written=written,
        columns={str(c): str(k) for c, k in columns.items()},
    )


@cache
def _parsed(path: Path, _mtime_ns: int, _size: int) -> Query:
    return parse(path)


def _catalogue(folder: Path) -> dict[str, Query]:
    """The files are parsed once per version (name, modification time, size): a long-lived process
    (a notebook, the tests) sees an edited or added question."""
    queries = []
    for path in sorted(folder.glob("*.cypher")):
        stat = path.stat()
        queries.append(_parsed(path, stat.st_mtime_ns, stat.st_size))
    return {q.name: q for q in queries}


def catalogue(folder: Path | None = None) -> dict[str, Query]:
    """Every named question in `folder` (default: the project's cypher/), by name."""
    return _catalogue((folder or default_dir()).resolve())


def get(name: str, folder: Path | None = None) -> Query:
    queries = catalogue(folder)
    if name not in queries:
        raise UsageError(f"no query named {name!r}; `kg query list` shows them ({', '.join(sorted(queries))})")
    return queries[name]
