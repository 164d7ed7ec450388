"""Named questions: each `cypher/<name>.cypher` file is the whole definition of one.

A file starts with a block comment holding YAML (name, title, description, params), then the
Cypher. Neo4j Browser ignores the comment, so a file can be pasted there as it is.

    /*
    name: stop-orders
    title: Stop orders
    description: Who ordered use to stop, for which agency, and when?
    params:
      agency: {type: entity, default: null, example: Hamilton police, doc: only this agency}
    */
    MATCH ...

Parameter types: `str`, `int`, `float`, `bool`, `date` (ISO, any precision) and `entity` (an id,
or any name or alias of a node; resolved to its id before the query runs). Every `$param` in the
Cypher is declared and every declared param is used (`check()`); queries run in read
transactions after a keyword guard refuses write clauses (two guards: `kg cypher` uses both too).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from kg import when
from kg.errors import UsageError

if TYPE_CHECKING:
    from kg.db import Database

PARAM_TYPES = ("str", "int", "float", "bool", "date", "entity")
# parameters that stand a question at a date; such a question returns an `as_of` column (kg/when.py)
TIME_PARAMS = ("as_of", "from", "to")
AS_OF_COLUMN = "as_of"
_HEADER = re.compile(r"^\s*/\*(.*?)\*/", re.S)
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# clauses and procedures that write or administer; matched outside strings and comments
_WRITES = re.compile(
    r"\b(CREATE|MERGE|DELETE|DETACH|SET|REMOVE|DROP|FOREACH|LOAD\s+CSV|IN\s+TRANSACTIONS|ALTER|GRANT|DENY|REVOKE|"
    r"RENAME|START\s+DATABASE|STOP\s+DATABASE|TERMINATE)\b|"
    r"\bCALL\s+(?!db\.index\.fulltext\.queryNodes\b|db\.index\.fulltext\.queryRelationships\b|"
    r"db\.labels\b|db\.relationshipTypes\b|db\.propertyKeys\b|db\.schema\.visualization\b)"
    r"[A-Za-z_][\w.]*\s*\(",
    re.I,
)


def default_dir() -> Path:
    from kg.project import cypher_dir

    return cypher_dir()


def strip_comments_and_strings(cypher: str) -> str:
    """The Cypher with comments, string literals and quoted names blanked out, for the guards."""
    out, i, n = [], 0, len(cypher)
    while i < n:
        ch = cypher[i]
        if cypher.startswith("//", i):
            j = cypher.find("\n", i)
            i = n if j < 0 else j
        elif cypher.startswith("/*", i):
            j = cypher.find("*/", i + 2)
            i = n if j < 0 else j + 2
            out.append(" ")
        elif ch in "'\"`":
            j = i + 1
            while j < n and cypher[j] != ch:
                j += 2 if cypher[j] == "\\" else 1
            i = j + 1
            out.append(" ''" if ch != "`" else " x")
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def write_clauses(cypher: str) -> list[str]:
    """The write or admin clauses in `cypher` (empty when it only reads)."""
    text = strip_comments_and_strings(cypher)
    return sorted({" ".join(m.group(0).split("(")[0].upper().split()) for m in _WRITES.finditer(text)})


def refuse_writes(cypher: str, what: str) -> None:
    found = write_clauses(cypher)
    if found:
        from kg.errors import QueryError

        raise QueryError(f"{what} is refused: it contains {', '.join(found)}, and kg only reads")


def used_params(cypher: str) -> set[str]:
    return set(_PARAM.findall(strip_comments_and_strings(cypher)))


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

    @property
    def time_params(self) -> list[str]:
        """The parameters that stand the question at a date (`as_of`, or `from` and `to`)."""
        return [p for p in TIME_PARAMS if p in self.params and self.params[p].type == "date"]

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
        problems += [f"{self.path.name}: {w} (queries must only read)" for w in write_clauses(self.cypher)]
        return problems

    def example_args(self, optional: bool = False) -> dict[str, str]:
        """Example values for the required parameters (and the optional ones too, if asked)."""
        return {p.name: str(p.example) for p in self.params.values()
                if p.example is not None and (p.required or optional)}


def parse(path: Path) -> Query:
    text = path.read_text(encoding="utf-8")
    match = _HEADER.match(text)
    if not match:
        raise UsageError(f"{path}: a query file starts with a /* YAML header */")
    try:
        header = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as e:
        raise UsageError(f"{path}: the header is not YAML: {e}") from e
    params = {}
    for name, spec in (header.get("params") or {}).items():
        spec = spec or {}
        kind = spec.get("type", "str")
        if kind not in PARAM_TYPES:
            raise UsageError(f"{path}: parameter {name!r} has unknown type {kind!r}")
        default, example = spec.get("default"), spec.get("example")
        if kind == "date":  # YAML reads 2020-02-15 as a date and 2020 as a number: kg's dates are text
            default, example = (None if v is None else str(v) for v in (default, example))
        params[name] = Param(name, kind, default, "default" not in spec, example, spec.get("doc", ""))
    written = text[match.end():].strip()
    try:
        cypher = when.expand(written)
    except ValueError as e:
        raise UsageError(f"{path}: {e}") from e
    return Query(
        name=header.get("name", path.stem), title=header.get("title", path.stem),
        description=" ".join(str(header.get("description", "")).split()),
        cypher=cypher, path=path, params=params, written=written,
    )


@cache
def _catalogue(folder: Path) -> dict[str, Query]:
    return {q.name: q for q in (parse(p) for p in sorted(folder.glob("*.cypher")))}


def catalogue(folder: Path | None = None) -> dict[str, Query]:
    """Every named question in `folder` (default: the project's cypher/), by name."""
    return _catalogue((folder or default_dir()).resolve())


def get(name: str, folder: Path | None = None) -> Query:
    queries = catalogue(folder)
    if name not in queries:
        raise UsageError(f"no query named {name!r}; `kg query list` shows them ({', '.join(sorted(queries))})")
    return queries[name]


def coerce(param: Param, raw: Any) -> Any:
    """A CLI string (or a Python value) as the parameter's type; UsageError says what was expected."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        return raw
    try:
        if param.type == "int":
            return int(raw)
        if param.type == "float":
            return float(raw)
        if param.type == "bool":
            lowered = raw.lower()
            if lowered not in ("true", "false", "yes", "no", "1", "0"):
                raise ValueError(raw)
            return lowered in ("true", "yes", "1")
        if param.type == "date":
            from kg.seed.model import check_iso

            return check_iso(raw)
    except ValueError:
        raise UsageError(f"parameter {param.name!r} expects {param.type}, got {raw!r}") from None
    return raw


def bind(query: Query, args: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters for `query` from user arguments: unknown and missing ones are usage errors."""
    unknown = set(args) - set(query.params)
    if unknown:
        expected = ", ".join(f"{p.name} ({p.type})" for p in query.params.values()) or "no parameters"
        raise UsageError(f"{query.name} does not take {', '.join(sorted(unknown))}; it takes {expected}")
    values = {}
    for param in query.params.values():
        if param.name in args:
            values[param.name] = coerce(param, args[param.name])
        elif param.required:
            example = f" (e.g. -p {param.name}={param.example})" if param.example is not None else ""
            raise UsageError(f"{query.name} needs parameter {param.name!r} ({param.type}){example}")
        else:
            values[param.name] = param.default
    return values


def parse_assignments(pairs: list[str]) -> dict[str, str]:
    """`key=value` strings from the command line."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"parameters are written key=value, not {pair!r}")
        out[key.strip()] = value
    return out


# --- running --------------------------------------------------------------------------------------

@dataclass
class Results:
    """Rows of one answer, as dicts, with the column order the query gave."""

    name: str
    columns: list[str]
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)  # what a reader must know: rows left out, and why

    def first(self) -> dict[str, Any] | None:
        return self.rows[0] if self.rows else None

    def dicts(self) -> list[dict[str, Any]]:
        return self.rows

    def column(self, name: str) -> list[Any]:
        return [row[name] for row in self.rows]


def _clean(value: Any) -> Any:
    """Plain JSON-able values; keys whose value is null are dropped from maps."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


def resolve_entity(db: Database, text: str) -> str:
    """The id of the entity that `text` names: an id, else its name, else one of its aliases
    (case-insensitive). Ambiguous or unknown names are usage errors that list candidates."""
    text = text.strip()
    rows = db.read("MATCH (n:Entity {id: $text}) RETURN n.id AS id, n.name AS name, 0 AS rank", {"text": text})
    if not rows and text:
        # names and aliases through the full-text index (a phrase), then exact, case-insensitive
        phrase = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        rows = db.read(
            "CALL db.index.fulltext.queryNodes('kg_search', $q, {limit: 1000}) YIELD node AS n "
            "WITH n WHERE toLower(n.name) = toLower($text) "
            "OR any(a IN coalesce(n.aliases, []) WHERE toLower(a) = toLower($text)) "
            "RETURN n.id AS id, n.name AS name, CASE WHEN toLower(n.name) = toLower($text) THEN 1 ELSE 2 END AS rank",
            {"q": f"name:{phrase} OR aliases_text:{phrase}", "text": text},
        )
    if rows:
        best = min(r["rank"] for r in rows)
        top = sorted({(r["id"], r["name"]) for r in rows if r["rank"] == best})
        if len(top) == 1:
            return str(top[0][0])
        listing = "; ".join(f"{i} ({n})" for i, n in top)
        raise UsageError(f"{text!r} is ambiguous: it names {listing}; pass the id")
    hits = search(db, text, limit=5)
    hint = "; ".join(f"{h['id']} ({h['name']})" for h in hits if h.get("id")) or "none"
    raise UsageError(f"no entity is called {text!r}; close matches: {hint}")


def run(db: Database, name: str | Query, args: Mapping[str, Any] | None = None,
        folder: Path | None = None) -> Results:
    """Answer a named question. `args` may hold strings (as from the CLI) or Python values.

    >>> run(db, "stop-orders", {"agency": "Toronto police"}).rows[-1]["ordered_by"]   # doctest: +SKIP
    'Mark Saunders'
    """
    query = name if isinstance(name, Query) else get(name, folder)
    refuse_writes(query.cypher, f"query {query.name!r}")
    params = bind(query, dict(args or {}))
    for param in query.params.values():
        if param.type == "entity" and params[param.name] is not None:
            params[param.name] = resolve_entity(db, str(params[param.name]))
    columns, rows = db.query(query.cypher, params)
    return at_date(query, params, Results(query.name, columns, [_clean(r) for r in rows]))


def at_date(query: Query, params: Mapping[str, Any], results: Results) -> Results:
    """A time question's answer as kg/when.py says: with no date asked, no `as_of` column; with one,
    undated facts left out and counted in a note (the Cypher already left out later ones)."""
    if AS_OF_COLUMN not in results.columns or not query.time_params:
        return results
    asked = {p: params.get(p) for p in query.time_params if params.get(p) is not None}
    if not asked:  # `as_of` and the other `..._as_of` columns say nothing
        dropped = [c for c in results.columns if c == AS_OF_COLUMN or c.endswith("_" + AS_OF_COLUMN)]
        results.columns = [c for c in results.columns if c not in dropped]
        for row in results.rows:
            for column in dropped:
                row.pop(column, None)
        return results
    kept = [r for r in results.rows if r.get(AS_OF_COLUMN) != when.UNDATED]
    left_out = len(results.rows) - len(kept)
    results.rows = kept
    at = ", ".join(f"{k} {v}" for k, v in asked.items())
    if left_out:
        results.notes.append(f"{left_out} undated {'fact' if left_out == 1 else 'facts'} left out ({at})")
    possible = sum(1 for r in kept if r.get(AS_OF_COLUMN) == when.POSSIBLE)
    if possible:
        results.notes.append(f"{possible} of {len(kept)} rows only possibly hold ({at}): "
                             "their dates are less precise than the date asked")
    return results


def run_cypher(db: Database, cypher: str, args: Mapping[str, str] | None = None) -> Results:
    """An ad-hoc read-only query; `-p` values are read as JSON when they parse, else as text."""
    import json

    refuse_writes(cypher, "the query")
    params: dict[str, Any] = {}
    for key, raw in (args or {}).items():
        try:
            params[key] = json.loads(raw)
        except ValueError:
            params[key] = raw
    missing = used_params(cypher) - set(params)
    if missing:
        raise UsageError(f"the query uses {', '.join('$' + m for m in sorted(missing))}: pass -p name=value")
    columns, rows = db.query(cypher, params)
    return Results("cypher", columns, [_clean(r) for r in rows])


_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')


def search(db: Database, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Full-text search over names, aliases, summaries and quotes, best first. The text is
    matched as words (Lucene syntax is escaped), each word also as a prefix."""
    words = [_LUCENE_SPECIAL.sub(r"\\\1", w) for w in text.split()]
    if not words:
        return []
    terms = " ".join(f"({w} OR {w}*)" if w.isalnum() else w for w in words)
    # names and aliases count more than the words of summaries and quotes
    lucene = f"name:({terms})^4 aliases_text:({terms})^3 summary:({terms}) quotes_text:({terms})"
    rows = db.read(
        "CALL db.index.fulltext.queryNodes('kg_search', $q, {limit: $limit}) YIELD node, score "
        "RETURN 'node' AS kind, [l IN labels(node) WHERE l <> 'Entity'][0] AS label, node.id AS id, "
        "node.name AS name, score, node.aliases AS aliases, node.quotes[0] AS quote, node.sources AS sources "
        "UNION ALL "
        "CALL db.index.fulltext.queryRelationships('kg_search_facts', $facts, {limit: $limit}) "
        "YIELD relationship, score "
        "RETURN 'fact' AS kind, type(relationship) AS label, relationship.key AS id, "
        "startNode(relationship).name + ' ' + type(relationship) + ' ' + endNode(relationship).name AS name, "
        "score, null AS aliases, relationship.quotes[0] AS quote, relationship.sources AS sources",
        {"q": lucene, "facts": f"quotes_text:({terms})", "limit": limit},
    )
    wanted = " ".join(text.lower().split())

    def exact(row: dict[str, Any]) -> bool:  # the text is the thing's name or one of its aliases
        return wanted in [(row["name"] or "").lower(), *(a.lower() for a in row["aliases"] or [])]

    rows.sort(key=lambda r: (not exact(r), -r["score"]))
    return [_clean({**r, "score": round(r["score"], 3)}) for r in rows[:limit]]


def stats(db: Database) -> dict[str, dict[str, int]]:
    labels = db.read("MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n ORDER BY label")
    types = db.read("MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n ORDER BY type")
    return {"labels": {r["label"]: r["n"] for r in labels}, "relationships": {r["type"]: r["n"] for r in types}}
