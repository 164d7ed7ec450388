"""What changed between two canonical exports (`kg export`, jsonl): facts and actors added,
removed or changed (with the properties), grouped by the source that reports them.

A node is known by its id; a fact relationship by its type and key; a provenance relationship
(REPORTS, MENTIONS, PUBLISHED_BY, AUTHORED_BY) by its type and ends.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.graph.records import changed_properties

ACTORS = "(actors)"


def read_export(path: Path) -> dict[tuple[str, ...], dict[str, Any]]:
    """An export's lines by identity; a line that is not an export line is an error with file:line."""
    items: dict[tuple[str, ...], dict[str, Any]] = {}
    try:
        handle = path.open(encoding="utf-8")
    except OSError as e:
        raise KgError(f"{path}: cannot read: {e.strerror or e}") from e
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError as e:
                raise KgError(f"{path}:{number}: not a line of `kg export` (JSON lines): {e}") from e
            if not isinstance(value, dict) or not ({"node", "rel"} & set(value)):
                raise KgError(f"{path}:{number}: not a line of `kg export`: no `node` or `rel`")
            wrong = _misshapen(value)
            if wrong:
                raise KgError(f"{path}:{number}: not a line of `kg export`: {wrong}")
            if "node" in value:
                key: tuple[str, ...] = ("node", str(value.get("id")))
            elif value.get("key"):
                key = ("rel", str(value["rel"]), str(value["key"]))
            else:
                key = ("link", str(value["rel"]), str(value.get("from")), str(value.get("to")))
            items[key] = value
    return items


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(x, str) for x in value)


def _misshapen(value: dict[str, Any]) -> str | None:
    """What makes a line unlike any `kg export` writes, in the fields a diff reads (found by
    tests/fuzz: such a line was a traceback), or None."""
    if "node" in value:
        if not _texts(value["node"]):
            return "`node` must be a list of labels"
        if not isinstance(value.get("id"), str):
            return "a node's `id` must be text"
    else:
        if not isinstance(value["rel"], str):
            return "`rel` must be a relationship type"
        if value.get("key") is not None and not isinstance(value["key"], str):
            return "a relationship's `key` must be text"
        if not value.get("key") and not all(isinstance(value.get(end), str) for end in ("from", "to")):
            return "a relationship without a `key` needs the ids `from` and `to`"
    if value.get("sources") is not None and not _texts(value["sources"]):
        return "`sources` must be a list of source ids"
    if not isinstance(value.get("name"), str | None):
        return "`name` must be text"
    return None


def _what(value: dict[str, Any]) -> str:
    if "node" in value:
        return next((label for label in value["node"] if label != "Entity"), "node")
    return str(value["rel"])


def _owners(key: tuple[str, ...], old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[str]:
    sources = sorted({*((old or {}).get("sources") or []), *((new or {}).get("sources") or [])})
    if sources:
        return sources
    value = new or old or {}
    if key[0] == "link":
        return [key[2]]  # provenance: from the source
    if "Source" in value.get("node", []):
        return [str(value.get("id"))]
    return [ACTORS]


def diff(a: Path, b: Path) -> list[dict[str, Any]]:
    """The changes from export `a` to export `b`, one row per change and source."""
    old_items, new_items = read_export(a), read_export(b)
    rows: list[dict[str, Any]] = []
    for key in sorted({*old_items, *new_items}):
        old, new = old_items.get(key), new_items.get(key)
        if old == new:
            continue
        props: list[str] = []
        if old is None:
            change = "added"
        elif new is None:
            change = "removed"
        else:
            props = changed_properties(old, new)
            if not props:
                continue
            change = "changed"
        value = new or old
        assert value is not None
        ident = key[1] if key[0] == "node" else (key[2] if key[0] == "rel" else f"{key[2]} -> {key[3]}")
        for owner in _owners(key, old, new):
            rows.append({"source": owner, "change": change, "kind": "node" if key[0] == "node" else "relationship",
                         "label": _what(value), "id": ident, "name": value.get("name"), "properties": props})
    rows.sort(key=lambda r: (r["source"], ("added", "changed", "removed").index(r["change"]), r["label"], r["id"]))
    return rows


def summary(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no differences"
    counts = {c: sum(1 for r in rows if r["change"] == c) for c in ("added", "changed", "removed")}
    sources = len({r["source"] for r in rows})
    return (f"{counts['added']} added, {counts['changed']} changed, {counts['removed']} removed "
            f"(across {sources} source{'s' if sources != 1 else ''})")
