"""kg's canonical lines (kg/graph/records.py): one sorted-key JSON line per node and relationship;
the same graph always gives the same text, and `kg diff` compares two of them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from kg.graph.db import Database
from kg.graph.records import Record, canonical_line, records


def write_jsonl(items: Iterable[Record], out: IO[str]) -> int:
    count = 0
    for record in items:
        out.write(canonical_line(record) + "\n")
        count += 1
    return count


def write(db: Database, out: IO[str]) -> int:
    return write_jsonl(records(db), out)
