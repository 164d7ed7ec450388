"""Writing seed files by hand's rules: ruamel.yaml's round trip keeps a file's comments, order and
quoting, and text kg writes goes in double quotes, so that no YAML reader takes a name, a quote or a
date for anything but text. `kg fact add` (kg/seed/edit.py), `kg merge` (kg/seed/merge.py) and the
judgements file (kg/seed/judgements.py) write through these."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString


def round_trip_yaml() -> YAML:
    """A ruamel.yaml reader and writer that keeps comments, order and quoting, laid out as the seed is."""
    rt = YAML()  # round trip: comments, order and quoting kept
    rt.preserve_quotes = True
    rt.width = 4096
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.representer.add_representer(type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null"))
    return rt


def as_text(text: str) -> str:
    """Words written in double quotes: read as text by every YAML reader (never a date, a number or
    `no`), whatever they say."""
    quoted: str = DoubleQuotedScalarString(text)
    return quoted


def dumps(rt: YAML, data: Any) -> str:
    out = io.StringIO()
    rt.dump(data, out)
    return out.getvalue()


def replace_file(path: Path, text: str, suffix: str) -> None:
    """Write `text` beside `path`, then move it over `path` (a reader never sees half a file)."""
    tmp = path.with_name(f".{path.name}.{suffix}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
