"""A question's parameters from what a user typed: `key=value` pairs, each read as its declared type."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kg.errors import UsageError
from kg.questions.catalogue import LIMIT_PARAM, Param, Query
from kg.seed.model import check_iso


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
            return check_iso(raw)
    except ValueError:
        raise UsageError(f"parameter {param.name!r} expects {param.type}, got {raw!r}") from None
    return raw


#: the largest `limit` a question takes
MAX_LIMIT = 1_000_000_000


def _positive(param: Param, raw: Any) -> int:
    """A limit: a whole number of at least 1 (a bool is no number here)."""
    value = coerce(param, raw) if not isinstance(raw, str) or raw.strip().lstrip("+").isdigit() else None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise UsageError(f"parameter {param.name!r} expects int (a positive whole number of rows), got {raw!r}")
    if value > MAX_LIMIT:  # Neo4j's integers end at 2**63 - 1, and a question asks for one row more (make fuzz)
        raise UsageError(f"parameter {param.name!r} is at most {MAX_LIMIT:,} rows, got {raw!r}")
    return value


def given(query: Query, args: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments given, each read as its type; unknown ones are usage errors (none is required
    here: a question's form checks what it was given before all of it is there)."""
    unknown = set(args) - set(query.params)
    if unknown:
        expected = ", ".join(f"{p.name} ({p.type})" for p in query.params.values()) or "no parameters"
        named = ", ".join(k if k.isprintable() else repr(k) for k in sorted(unknown))  # one line (tests/fuzz)
        raise UsageError(f"{query.name} does not take {named}; it takes {expected}")
    return {name: _positive(query.params[name], raw) if name == LIMIT_PARAM else coerce(query.params[name], raw)
            for name, raw in args.items()}


def bind(query: Query, args: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters for `query` from user arguments: unknown and missing ones are usage errors."""
    values = given(query, args)
    for param in query.params.values():
        if param.name in values:
            continue
        if param.required:
            example = f" (e.g. -p {param.name}={param.example})" if param.example is not None else ""
            raise UsageError(f"{query.name} needs parameter {param.name!r} ({param.type}){example}")
        values[param.name] = param.default
    return {name: values[name] for name in query.params}


def parse_assignments(pairs: list[str]) -> dict[str, str]:
    """`key=value` strings from the command line."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"parameters are written key=value, not {pair!r}")
        out[key.strip()] = value
    return out
