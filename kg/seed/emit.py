"""Seed YAML written by kg (`kg import sheet`): block style, as a person writes a seed file, every
text in double quotes unless it is a plain word (so that no YAML reader takes `no`, `2020` or
`null` for anything but text), and characters YAML would not keep as they are escaped."""

from __future__ import annotations

import re
from typing import Any

_PLAIN = re.compile(r"[a-z][a-z0-9_-]*|[A-Z][A-Za-z0-9_]*")
#: words YAML 1.1 (PyYAML) or 1.2 reads as something other than text
_SPECIAL = {w for word in ("yes", "no", "true", "false", "on", "off", "null", "y", "n")
            for w in (word, word.capitalize(), word.upper())}
_PRINTABLE = re.compile(r"[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _string(text: str) -> str:
    if _PLAIN.fullmatch(text) and text not in _SPECIAL:
        return text
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif _PRINTABLE.match(ch):
            out.append(ch)
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        if "." not in text and "e" in text:  # YAML 1.1 reads 1e+20 as text
            text = text.replace("e", ".0e", 1)
        return text if "." in text else text + ".0"
    assert isinstance(value, str), value
    return _string(value)


def _entry(lines: list[str], head: str, value: Any, indent: int) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            lines.append(f"{head} {{}}")
            return
        lines.append(head)
        for key, item in value.items():
            _entry(lines, f"{pad}  {key}:", item, indent + 2)
    elif isinstance(value, list):
        if not value:
            lines.append(f"{head} []")
            return
        lines.append(head)
        for item in value:
            if isinstance(item, dict):
                for i, (key, inner) in enumerate(item.items()):
                    _entry(lines, f"{pad}  {'- ' if i == 0 else '  '}{key}:", inner, indent + 4)
            else:
                lines.append(f"{pad}  - {_scalar(item)}")
    else:
        lines.append(f"{head} {_scalar(value)}")


def yaml_text(data: dict[str, Any], comments: list[str]) -> str:
    """Seed YAML of `data` in block style, every text double-quoted unless it is a plain word."""
    lines = list(comments)
    for key, value in data.items():
        _entry(lines, f"{key}:", value, 0)
    return "\n".join(lines) + "\n"
