"""Running questions: a named question (kg/questions/catalogue.py) or an ad-hoc read-only query, answered
as `Results`.

A named question's parameters are bound (kg/questions/params.py), its entity parameters resolved to ids
(kg/questions/entities.py), and it runs in a read transaction after the keyword guard (kg/questions/guard.py) has
refused write clauses (two guards: `kg cypher` uses both too). A question stood at a date gets
kg/graph/when.py's reading of its `as_of` column (`at_date`).

A listing question (one that declares `limit`, kg/questions/catalogue.py) is asked for one row more than its
limit: when that row comes, the answer is cut to the limit, `Results.truncated` is set and a note
says how to see more. Asked at a date, the undated rows are left out after the Cypher (and counted
in a note), so the limit counts the rows that are kept: while the kept rows fall short of the limit
and the Cypher had more, it is asked again for more rows (four times as many each time).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import UsageError
from kg.graph import when
from kg.graph.db import Database, answer, clean
from kg.questions.catalogue import LIMIT_PARAM, Query, get
from kg.questions.entities import resolve_entities
from kg.questions.guard import refuse_writes, used_params
from kg.questions.params import bind

if TYPE_CHECKING:
    import neo4j


AS_OF_COLUMN = "as_of"


@dataclass
class Results:
    """Rows of one answer, as dicts, with the column order the query gave."""

    name: str
    columns: list[str]
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)  # what a reader must know: rows left out, and why
    truncated: bool = False  # True when the question's limit cut the answer: more rows exist


def run(db: Database, name: str | Query, args: Mapping[str, Any] | None = None,
        folder: Path | None = None) -> Results:
    """Answer a named question. `args` may hold strings (as from the CLI) or Python values.

    >>> run(db, "stop-orders", {"agency": "Toronto police"}).rows[-1]["ordered_by"]   # doctest: +SKIP
    'Mark Saunders'
    """
    query = name if isinstance(name, Query) else get(name, folder)
    refuse_writes(query.cypher, f"query {query.name!r}")
    params = bind(query, dict(args or {}))
    entities = [p.name for p in query.params.values() if p.type == "entity" and params[p.name] is not None]
    texts = [str(params[p]) for p in entities]
    limit = params.get(LIMIT_PARAM) if query.limit is not None else None
    fetch = None if limit is None else limit + 1

    def first(tx: neo4j.ManagedTransaction) -> tuple[list[str], list[dict[str, Any]]]:
        """Names resolved to ids and the question asked in one transaction: a question costs one
        round trip to begin and commit, as `RETURN 1` does."""
        ids = resolve_entities(db, texts, read=lambda cypher, p: answer(tx, cypher, p)[1],
                               params=entities) if texts else []
        params.update(zip(entities, ids, strict=True))
        return answer(tx, query.cypher, params if fetch is None else {**params, LIMIT_PARAM: fetch})

    columns, rows = db.in_read(first)
    if fetch is None:
        return at_date(query, params, Results(query.name, columns, [clean(r) for r in rows]))
    while True:
        results = at_date(query, params, Results(query.name, columns, [clean(r) for r in rows]), limit=limit)
        if results.truncated or len(rows) < fetch:  # enough rows kept, or all there are
            return results
        fetch *= 4
        columns, rows = db.query(query.cypher, {**params, LIMIT_PARAM: fetch})


def at_date(query: Query, params: Mapping[str, Any], results: Results, limit: int | None = None) -> Results:
    """A time question's answer as kg/graph/when.py says: with no date asked, no `as_of` column; with one,
    undated facts left out and counted in a note (the Cypher already left out later ones). With a
    `limit`, rows past it are cut (`truncated`, and a note), after the undated ones are left out."""
    if AS_OF_COLUMN not in results.columns or not query.time_params:
        return cut(results, limit)
    asked = {p: params.get(p) for p in query.time_params if params.get(p) is not None}
    if not asked:  # `as_of` and the other `..._as_of` columns say nothing
        dropped = [c for c in results.columns if c == AS_OF_COLUMN or c.endswith("_" + AS_OF_COLUMN)]
        results.columns = [c for c in results.columns if c not in dropped]
        for row in results.rows:
            for column in dropped:
                row.pop(column, None)
        return cut(results, limit)
    kept = [r for r in results.rows if r.get(AS_OF_COLUMN) != when.UNDATED]
    if limit is not None and len(kept) > limit:  # count the undated ones among the rows shown only
        last = kept[limit - 1]
        shown = next(i for i, r in enumerate(results.rows) if r is last) + 1
        left_out = sum(1 for r in results.rows[:shown] if r.get(AS_OF_COLUMN) == when.UNDATED)
    else:
        left_out = len(results.rows) - len(kept)
    results.rows = kept
    cut(results, limit)
    kept = results.rows
    at = ", ".join(f"{k} {v}" for k, v in asked.items())
    if left_out:
        among = " among these rows" if results.truncated else ""
        results.notes.append(f"{left_out} undated {'fact' if left_out == 1 else 'facts'} left out{among} ({at})")
    possible = sum(1 for r in kept if r.get(AS_OF_COLUMN) == when.POSSIBLE)
    if possible:
        results.notes.append(f"{possible} of {len(kept)} rows only possibly hold ({at}): "
                             "their dates are less precise than the date asked")
    return results


def cut(results: Results, limit: int | None) -> Results:
    """The first `limit` rows (all, with no limit); when there were more, `truncated` and a note."""
    if limit is not None and len(results.rows) > limit:
        results.rows = results.rows[:limit]
        results.truncated = True
        results.notes.append(f"showing the first {limit} rows; more exist: give -p {LIMIT_PARAM}={limit * 10} "
                             "(or more) to see more")
    return results


def run_cypher(db: Database, cypher: str, args: Mapping[str, str] | None = None) -> Results:
    """An ad-hoc read-only query; `-p` values are read as JSON when they parse, else as text."""
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
    return Results("cypher", columns, [clean(r) for r in rows])
