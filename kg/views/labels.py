"""What a node and a link are called in a drawing, whichever renderer draws it (kg/views/page.py's
vis-network data and kg/views/sigma.py's sigma.js data): a node's kind, look and caption, a link's
type in words with its date."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kg.graph.palette import Look, look


def words(rel_type: str) -> str:
    """A relationship type as words: HAD_ACCESS -> 'had access'."""
    return rel_type.replace("_", " ").lower()


def date_text(props: Mapping[str, Any]) -> str:
    """' (2019-12)', ' (from 2019-12)', ' (2019-12 to 2020-02)', or '' when undated."""
    if props.get("date"):
        return f" ({props['date']})"
    start, end = props.get("start"), props.get("end")
    if start and end:
        return f" ({start} to {end})"
    if start:
        return f" (from {start})"
    if end:
        return f" (until {end})"
    return ""


def link_label(edge: Mapping[str, Any]) -> str:
    """A link's label: its type in words and its date, 'used (from 2019-10)'."""
    return words(edge["type"]) + date_text(edge["props"])


def caption(node: Mapping[str, Any]) -> tuple[str, Look, str]:
    """A node's kind, its look (kg/graph/palette.py) and its caption (its name; a source's title)."""
    props = node["props"]
    kind, style = look([label for label in node["labels"] if label != "Entity"])
    return kind, style, str(props.get(style.caption) or props.get("name") or node["id"])
