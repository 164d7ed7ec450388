"""Standing at a date: kg's one rule for "was this known by then?" with dates of any precision.

kg stores a date as ISO text with its precision: `2019`, `2019-10` or `2019-10-15`. A date names a
period (a year, a month, a day) from its first day (`lo`) to its last (`hi`). Asked "as of A", a
fact dated D is

- `certain`  when D ends by the end of A      (hi(D) <= hi(A)): `2019-10` as of `2019-11`, or of `2019-10`
- `possible` when D starts by the end of A, but may end after it (lo(D) <= hi(A) < hi(D)):
             `2019-10` as of `2019-10-15`, `2019` as of `2019-11`
- `later`    when D starts after A ends        (lo(D) > hi(A)): `2019-12` as of `2019-11`
- `undated`  when the fact has no date: questions leave it out and say how many in a note.

Between `from` and `to` (the timeline) a fact is `certain` when its whole period lies inside,
`possible` when it overlaps, `outside` when it does not. An open end is no bound.

The bounds are text, so the rule needs no date arithmetic and runs the same in Python and in
Cypher: `lo` pads a date with `-00`, `hi` with `-99` (`2019-10` -> `2019-10-00` .. `2019-10-99`),
and ISO text orders like the dates it names.

In the question files the rule is written as if it were a Cypher function, `kg.as_of(expr)` and
`kg.between(expr)`; `expand()` turns each into the plain Cypher CASE expression below when the
catalogue is read, so `kg query show` prints Cypher that runs as it is in Neo4j Browser (with
`:param as_of => '2019-11'`), and no plugin is needed on the server.
"""

from __future__ import annotations

import re
from collections.abc import Callable

CERTAIN, POSSIBLE, LATER, OUTSIDE, UNDATED = "certain", "possible", "later", "outside", "undated"


def lo(iso: str) -> str:
    """The first day of the period `iso` names, as comparable text (`2019-10` -> `2019-10-00`)."""
    return (iso + "-00-00")[:10]


def hi(iso: str) -> str:
    """The last day of the period `iso` names, as comparable text (`2019-10` -> `2019-10-99`)."""
    return (iso + "-99-99")[:10]


def as_of(date: str | None, when: str | None) -> str | None:
    """`certain`, `possible`, `later` or `undated`: was a fact dated `date` known by the end of `when`?
    None when `when` is None (no date asked for)."""
    if when is None:
        return None
    if not date:
        return UNDATED
    if hi(date) <= hi(when):
        return CERTAIN
    return POSSIBLE if lo(date) <= hi(when) else LATER


def between(date: str | None, start: str | None, end: str | None) -> str | None:
    """`certain`, `possible`, `outside` or `undated` for a fact dated `date` between `start` and `end`
    (either may be None: no bound; both None: None)."""
    if start is None and end is None:
        return None
    if not date:
        return UNDATED
    if (start is not None and hi(date) < lo(start)) or (end is not None and lo(date) > hi(end)):
        return OUTSIDE
    inside = (start is None or lo(date) >= lo(start)) and (end is None or hi(date) <= hi(end))
    return CERTAIN if inside else POSSIBLE


# --- the same rule in Cypher ------------------------------------------------------------------------

def _lo(x: str) -> str:
    return f"left({x} + '-00-00', 10)"


def _hi(x: str) -> str:
    return f"left({x} + '-99-99', 10)"


def cypher_as_of(expr: str, param: str = "$as_of") -> str:
    d = f"toString({expr})"
    return (f"CASE WHEN {param} IS NULL THEN null WHEN {expr} IS NULL THEN '{UNDATED}' "
            f"WHEN {_hi(d)} <= {_hi(param)} THEN '{CERTAIN}' "
            f"WHEN {_lo(d)} <= {_hi(param)} THEN '{POSSIBLE}' ELSE '{LATER}' END")


def cypher_between(expr: str, start: str = "$from", end: str = "$to") -> str:
    d = f"toString({expr})"
    return (f"CASE WHEN {start} IS NULL AND {end} IS NULL THEN null WHEN {expr} IS NULL THEN '{UNDATED}' "
            f"WHEN ({start} IS NOT NULL AND {_hi(d)} < {_lo(start)}) OR ({end} IS NOT NULL AND {_lo(d)} > {_hi(end)}) "
            f"THEN '{OUTSIDE}' "
            f"WHEN ({start} IS NULL OR {_lo(d)} >= {_lo(start)}) AND ({end} IS NULL OR {_hi(d)} <= {_hi(end)}) "
            f"THEN '{CERTAIN}' ELSE '{POSSIBLE}' END")


MACROS: dict[str, Callable[[str], str]] = {"kg.as_of": cypher_as_of, "kg.between": cypher_between}
_CALL = re.compile(r"\bkg\.(as_of|between)\s*\(")


def expand(cypher: str) -> str:
    """The Cypher with every `kg.as_of(expr)` / `kg.between(expr)` written out as plain Cypher.
    Raises ValueError on an unclosed call."""
    out, pos = [], 0
    while True:
        match = _CALL.search(cypher, pos)
        if not match:
            out.append(cypher[pos:])
            return "".join(out)
        start, depth, i, quote = match.end(), 1, match.end(), ""
        while i < len(cypher) and depth:
            ch = cypher[i]
            if quote:
                if ch == "\\":
                    i += 1
                elif ch == quote:
                    quote = ""
            elif ch in "'\"`":
                quote = ch
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            i += 1
        if depth:
            raise ValueError(f"kg.{match.group(1)}( is not closed")
        arg = cypher[start:i - 1].strip()
        if not arg:
            raise ValueError(f"kg.{match.group(1)}() needs the date it is about")
        out.append(cypher[pos:match.start()])
        out.append("(" + MACROS["kg." + match.group(1)](f"({expand(arg)})") + ")")
        pos = i
