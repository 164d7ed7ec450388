"""Getting the graph out, in the formats its users' tools read (docs/interop.md): one module per
format beside this one, and `FORMATS`, the registry the CLI's choices come from.

Every writer takes records as they stream from the database (kg/graph/records.py), so memory does
not grow with the graph; `export()` gives it a temporary file or folder (kg/export/atomic.py) that is
renamed into place only when complete: a failed export leaves nothing behind.

A format's module is imported when it is used (`kg --help` lists the formats without loading
followthemoney or the driver); each has a writer `(db, target) -> count`, where the target is a text
stream (a stream of bytes for a binary format such as xlsx), or a folder for a format of several files.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from kg.errors import UsageError
from kg.export.atomic import atomic_dir, atomic_file

if TYPE_CHECKING:  # the driver is loaded with a format's writer, not for `kg --help`
    from kg.graph.db import Database


@dataclass(frozen=True)
class Format:
    name: str
    module: str  # the module beside this one that writes it
    help: str
    function: str = "write"  # its writer there
    folder: bool = False  # a folder of files, not one file
    stdout: bool = False  # may be written to standard output
    unit: str = "records"  # what its count counts
    binary: bool = False  # written as bytes (a workbook)


FORMATS = {f.name: f for f in (
    Format("jsonl", "jsonl", "kg's canonical lines", stdout=True),
    Format("graphml", "xml", "GraphML, for networkx and Gephi", function="write_graphml"),
    Format("gexf", "xml", "GEXF, for Gephi", function="write_gexf"),
    Format("csv", "csv", "neo4j-admin import files, a folder", folder=True, unit="rows"),
    Format("ftm", "ftm", "FollowTheMoney entities, for Aleph", stdout=True, unit="entities"),
    Format("xlsx", "xlsx", "a workbook for people: a sheet per kind of node and relationship type, and Sources "
           "(kg import sheet reads it back)", unit="rows", binary=True),
)}


def export(db: Database, fmt: str, out: Path | None, stdout: IO[str] | None = None) -> str:
    """Write the graph as `fmt` to `out` (a file; a folder for `csv`), or to `stdout` for jsonl and
    ftm when `out` is None. Returns a one-line summary."""
    spec = FORMATS.get(fmt)
    if spec is None:
        raise UsageError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    write = getattr(importlib.import_module(f"{__name__}.{spec.module}"), spec.function)
    if spec.folder:
        if out is None:
            raise UsageError(f"the {fmt} export writes a folder of files: give --out FOLDER")
        with atomic_dir(out) as tmp:
            count = write(db, tmp)
            files = sum(1 for _ in tmp.iterdir())
        return f"wrote {count} {spec.unit} in {files} files to {out}/"
    if out is None:
        if not spec.stdout:
            raise UsageError(f"the {fmt} export writes a file: give --out FILE")
        assert stdout is not None
        return f"exported {write(db, stdout)} {spec.unit}"
    with atomic_file(out, binary=spec.binary) as handle:
        count = write(db, handle)
    return f"wrote {count} {spec.unit} to {out}"
