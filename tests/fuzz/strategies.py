"""Hypothesis strategies for kg's inputs: odd values and odd text, a tree of YAML data mutated at
generated places, YAML made of generated values, and bytes."""

from __future__ import annotations

import copy
from typing import Any

import yaml
from hypothesis import strategies as st

#: text a person or a tool might put where kg expects something else
ODD_TEXT = st.sampled_from([
    "", " ", "\t", "\n", "null", "~", "yes", "no", "on", "off", "NaN", ".inf", "-0", "0x1F", "1e309", "0o17",
    "2020-02-30", "2020-13", "2020-00-10", "0000", "99999-01-01", "2020-2-3", "last week", "2020/02/28",
    "'; MATCH (n) DETACH DELETE n //", "n}) RETURN n //", "`Evil` label", "a:b", "{a: 1}", "[1, 2",
    "<script>alert(1)</script>", "=HYPERLINK(\"http://x\")", "@SUM(A1)", "-2+3", "../../etc/passwd",
    "C:\\Windows", "\x00", "\u0085", "\u2028", "\u202e", "\ufeff", "\ud7ff", "é" * 3, "日本語", "🙂" * 4,
    "a" * 1001, "x" * 70_000, "eps", "clearview-app", "ctv-news", "src-fuzz-edmonton", "st-fuzz-eps-reveals",
    "Statement", "USED", "high", "2020-02-28", "2020", "*alias", "&anchor", "!!python/object:os.system",
    "%TAG", "---", "...", "#", "? complex", "|", ">",
])
TEXT = st.one_of(ODD_TEXT, st.text(max_size=40), st.text(st.characters(codec="utf-8"), min_size=1, max_size=300))
SCALAR = st.one_of(
    TEXT, st.none(), st.booleans(),
    st.integers(), st.sampled_from([2**63, -(2**63) - 1, 2**64, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates().map(lambda d: d.isoformat()), st.dates(), st.datetimes(),
)
VALUE = st.recursive(SCALAR, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(st.one_of(TEXT, st.integers()), inner, max_size=5)), max_leaves=25)


def paths(tree: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a tree of dicts and lists: the tree itself, then each key and index, depth first."""
    found = [at]
    if isinstance(tree, dict):
        for key, value in tree.items():
            found.extend(paths(value, (*at, key)))
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            found.extend(paths(value, (*at, i)))
    return found


def _get(tree: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        tree = tree[part]
    return tree


def deep(depth: int) -> Any:
    value: Any = "deep"
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


@st.composite
def mutated(draw: st.DrawFn, tree: Any, max_mutations: int = 3) -> Any:
    """`tree` (data read from a valid seed file) changed in one to `max_mutations` generated ways:
    a value replaced by another of any type, a key removed or added, a list entry repeated or
    removed, a reference pointed elsewhere, a structure nested deep or made huge."""
    tree = copy.deepcopy(tree)
    for _ in range(draw(st.integers(1, max_mutations))):
        places = paths(tree)
        path = draw(st.sampled_from(places[1:] or places))
        if not path:
            return draw(VALUE)
        parent, last = _get(tree, path[:-1]), path[-1]
        how = draw(st.sampled_from(["replace", "replace", "remove", "add-key", "repeat", "deep", "huge",
                                    "reference", "swap-type"]))
        if how == "replace":
            parent[last] = draw(VALUE)
        elif how == "remove":
            del parent[last]
        elif how == "add-key":
            target = parent if isinstance(parent, dict) else parent[last]
            if isinstance(target, dict):
                target[draw(st.one_of(TEXT, st.integers(), st.booleans()))] = draw(VALUE)
            else:
                parent[last] = draw(VALUE)
        elif how == "repeat" and isinstance(parent, list):
            parent.insert(draw(st.integers(0, len(parent))), copy.deepcopy(parent[last]))
        elif how == "deep":
            parent[last] = deep(draw(st.integers(10, 60)))
        elif how == "huge":
            parent[last] = draw(st.sampled_from([["x"] * 5000, {f"k{i}": i for i in range(3000)}, "y" * 200_000]))
        elif how == "reference":
            parent[last] = draw(st.sampled_from(["eps", "clearview-app", "clearview-ai", "ctv-news", "warren-driechel",
                                                 "st-fuzz-eps-reveals", "src-fuzz-edmonton", "no-such-id",
                                                 "EPS", "eps ", "Eps", ""]))
        else:  # swap-type: the same content in another shape
            value = parent[last]
            parent[last] = [value] if not isinstance(value, list) else {"value": value}
    return tree


def dump(tree: Any) -> str:
    """YAML text of a tree of generated values (anything PyYAML can write safely)."""
    try:
        return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False, width=100)
    except (yaml.YAMLError, TypeError, ValueError, RecursionError):
        return repr(tree)


@st.composite
def damaged_text(draw: st.DrawFn, text: str) -> str:
    """Text of a file damaged as files get: truncated, a character replaced, a line repeated or
    indented wrong, a tab, bytes of another encoding."""
    how = draw(st.sampled_from(["truncate", "replace-char", "repeat-line", "indent", "tab", "insert-odd"]))
    if not text:
        return draw(TEXT)
    at = draw(st.integers(0, len(text) - 1))
    if how == "truncate":
        return text[:at]
    if how == "replace-char":
        return text[:at] + draw(st.characters()) + text[at + 1:]
    lines = text.splitlines(keepends=True)
    i = draw(st.integers(0, len(lines) - 1))
    if how == "repeat-line":
        lines.insert(i, lines[i])
    elif how == "indent":
        lines[i] = " " * draw(st.integers(1, 5)) + lines[i]
    elif how == "tab":
        lines[i] = "\t" + lines[i]
    else:
        lines.insert(i, draw(ODD_TEXT) + "\n")
    return "".join(lines)
