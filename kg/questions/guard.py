"""The keyword guard: what a Cypher text uses, read outside its strings and comments.

A named question or a `kg cypher` query that contains a write or admin clause is refused before
it is sent (the read transaction it then runs in is the second guard); `used_params` is what
`Query.check()` compares with the declared parameters.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kg.errors import QueryError

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
    return list(_write_clauses(cypher))


@lru_cache(maxsize=256)
def _write_clauses(cypher: str) -> tuple[str, ...]:
    # remembered: a named question is guarded each time it runs, and reading its text costs a
    # millisecond, as much as a round trip to the server
    text = strip_comments_and_strings(cypher)
    return tuple(sorted({" ".join(m.group(0).split("(")[0].upper().split()) for m in _WRITES.finditer(text)}))


def refuse_writes(cypher: str, what: str) -> None:
    found = write_clauses(cypher)
    if found:
        raise QueryError(f"{what} is refused: it contains {', '.join(found)}, and kg only reads")


def used_params(cypher: str) -> set[str]:
    return set(_PARAM.findall(strip_comments_and_strings(cypher)))


_NESTING = r"[({\[]|[)}\]]"
_LAST_RETURN = re.compile(_NESTING + r"|\bRETURN\b", re.I)
_ITEM_END = re.compile(_NESTING + r"|,|\b(?:ORDER\s+BY|SKIP|OFFSET|LIMIT|UNION)\b", re.I)
_ALIAS = re.compile(r"\bAS\s+([A-Za-z_][A-Za-z0-9_]*)\s*$", re.I)


def returned_columns(cypher: str) -> list[str] | None:
    """The column names of the last RETURN outside subqueries and brackets, read from the text
    (an item without `AS` is named by its expression, as Neo4j names it); None when there is no
    such RETURN or it is `RETURN *`. Cheap: it does not parse Cypher, it counts brackets."""
    text, depth, start = strip_comments_and_strings(cypher), 0, -1
    for m in _LAST_RETURN.finditer(text):
        token = m.group(0)
        depth += 1 if token in "({[" else -1 if token in ")}]" else 0
        if depth == 0 and token.upper() == "RETURN":
            start = m.end()
    if start < 0:
        return None
    body, items, depth, cur = text[start:], [], 0, 0
    for m in _ITEM_END.finditer(body):
        token = m.group(0)
        if token in "({[":
            depth += 1
        elif token in ")}]":
            depth -= 1
        elif depth == 0:
            items.append(body[cur:m.start()])
            cur = -1 if token != "," else m.end()
            if cur < 0:
                break
    if cur >= 0:
        items.append(body[cur:])
    if items:
        items[0] = re.sub(r"^\s*DISTINCT\b", "", items[0], flags=re.I)
    names = []
    for item in items:
        alias = _ALIAS.search(item)
        names.append(alias.group(1) if alias else " ".join(item.split()))
    return None if names == ["*"] else names
