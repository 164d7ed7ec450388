"""Adding a fact to a source's seed file from a passage of its text: `kg fact add` (and, later, the
curation desk). The fact is written into the file that declares the source, keeping its comments and
layout (ruamel.yaml's round trip), and only after the seed with it validates and its quote is found
in the source's pinned text; otherwise nothing is written and the error says why."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from kg.errors import KgError, UsageError, ValidationFailed
from kg.graph.schema import VOCABULARY as VOCAB
from kg.seed.curate import find_words, slug
from kg.seed.model import check_iso
from kg.seed.roundtrip import as_text, dumps, replace_file, round_trip_yaml
from kg.seed.texts import Texts
from kg.seed.validate import validate

CONFIDENCES = ("high", "medium", "low")
#: the id a new fact node gets, by label: a prefix and the first words of its name
PREFIXES = {"Statement": "st", "Event": "ev", "Report": "rep", "Figure": "fig"}


@dataclass
class Link:
    """A link of a new fact node to an actor: `TYPE:to=ID` (from the fact) or `TYPE:from=ID` (to it)."""

    type: str
    direction: str  # "to" or "from"
    other: str

    @classmethod
    def parse(cls, text: str) -> Link:
        found = re.fullmatch(r"([A-Z][A-Z_]*):(to|from)=([a-z0-9][a-z0-9-]*)", text.strip())
        if found is None:
            raise UsageError(f"--link {text!r}: write TYPE:to=ID or TYPE:from=ID (for example ON_BEHALF_OF:to=eps)")
        return cls(found.group(1), found.group(2), found.group(3))


@dataclass
class Added:
    file: Path
    what: str  # the new node's id, or the relation's TYPE from -> to
    line: int  # the quote's line in the source's text


@dataclass(frozen=True)
class When:
    """A date as the seed writes one: the ISO value, and the article's words and how they were
    resolved when there are any (`{value, as_written, note}`)."""

    value: str
    as_written: str | None = None
    note: str | None = None


def node_entry(label: str, name: str, quote: str, *, node_id: str | None = None, date: str | When | None = None,
               confidence: str = "high", links: list[Link] | None = None, taken: set[str] | None = None
               ) -> dict[str, Any]:
    """The seed declaration of a new fact node (a Statement, Event, Report or Figure)."""
    kind = VOCAB.nodes.get(label)
    if kind is None or not kind.is_fact:
        facts = ", ".join(sorted(k for k, v in VOCAB.nodes.items() if v.is_fact))
        raise KgError(f"--label {label!r} is not a kind of fact (one of: {facts})")
    ident = node_id or f"{PREFIXES.get(label, label.lower())}-{slug(name, 5, 'fact')}"
    if taken and ident in taken:
        ident = next(f"{ident}-{i}" for i in range(2, 10_000) if f"{ident}-{i}" not in taken)
    entry: dict[str, Any] = {"id": ident, "label": label, "name": as_text(name)}
    if date:
        if "date" not in kind.props:
            raise KgError(f"--date: a {label} has no date")
        entry["date"] = _date(date)
    entry.update(quote=as_text(quote), confidence=_confidence(confidence))
    if links:
        entry["links"] = [{"type": link.type, link.direction: link.other} for link in links]
    return entry


def relation_entry(rel_type: str, start: str, end: str, quote: str, *, date: str | When | None = None,
                   confidence: str = "high") -> dict[str, Any]:
    """The seed declaration of a relationship between two actors."""
    if rel_type not in VOCAB.rels:
        raise KgError(f"--rel {rel_type!r} is not a relationship type (one of: {', '.join(sorted(VOCAB.rels))})")
    entry: dict[str, Any] = {"type": rel_type, "from": start, "to": end}
    if date:
        props = VOCAB.rels[rel_type].props
        when = "date" if "date" in props else "start" if "start" in props else None
        if when is None:
            raise KgError(f"--date: a {rel_type} relationship has no date")
        entry[when] = _date(date)
    entry.update(quote=as_text(quote), confidence=_confidence(confidence))
    return entry


def actor_entry(label: str, name: str, quote: str, *, actor_id: str | None = None,
                aliases: list[str] | None = None, confidence: str = "high", taken: set[str] | None = None
                ) -> dict[str, Any]:
    """The declaration of a new actor in a source's file, with the quote that names it (as
    docs/seed-format.md's walk-through declares one)."""
    kind = VOCAB.nodes.get(label)
    if kind is None or kind.is_fact or not kind.is_actor:
        actors = ", ".join(sorted(k for k, v in VOCAB.nodes.items() if v.is_actor and not v.is_fact))
        raise KgError(f"label {label!r} is not a kind of actor (one of: {actors})")
    if not name.strip():
        raise KgError("a new actor needs a name")
    ident = actor_id or slug(name, 6, "actor")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", ident):
        raise KgError(f"id {ident!r}: lower-case letters, digits and '-'")
    if taken and ident in taken:
        if actor_id:
            raise KgError(f"the id {ident!r} is taken; give another")
        ident = next(f"{ident}-{i}" for i in range(2, 10_000) if f"{ident}-{i}" not in taken)
    entry: dict[str, Any] = {"id": ident, "label": label, "name": as_text(name.strip())}
    shown = [a.strip() for a in aliases or [] if a.strip()]
    if shown:
        written = CommentedSeq(as_text(a) for a in shown)
        written.fa.set_flow_style()  # on one line, as the seed writes aliases
        entry["aliases"] = written
    entry.update(quote=as_text(quote), confidence=_confidence(confidence))
    return entry


def _date(when: str | When) -> Any:
    """A date as text, or `{value, as_written, note}` (one line, as the seed writes them) when the
    article's words come with it."""
    value = when.value if isinstance(when, When) else when
    try:
        quoted: str = DoubleQuotedScalarString(check_iso(value))
    except ValueError as e:
        raise KgError(f"--date {value!r}: {e}") from None
    if not isinstance(when, When) or not (when.as_written or when.note):
        return quoted
    spec = CommentedMap(value=quoted)
    if when.as_written:
        spec["as_written"] = as_text(when.as_written)
    if when.note:
        spec["note"] = as_text(when.note)
    spec.fa.set_flow_style()
    return spec


def _confidence(text: str) -> str:
    if text not in CONFIDENCES:
        raise KgError(f"--confidence {text!r}: one of {', '.join(CONFIDENCES)}")
    return text


def add_fact(seed_dir: Path, source_id: str, entry: dict[str, Any], texts: Path | None) -> Added:
    """Write `entry` (from `node_entry` or `relation_entry`) into the seed file of `source_id`, once the
    quote is found in the source's pinned text and the seed with it validates; KgError otherwise,
    with the file untouched."""
    seed = validate([seed_dir])
    src = seed.sources.get(source_id)
    if src is None:
        close = ", ".join(sorted(seed.sources)[:8])
        raise KgError(f"no source {source_id!r} in {seed_dir} (its sources: {close})")
    if texts is None:
        raise KgError("kg fact add checks the quote against the article's text: give --texts DIR or set KG_TEXTS")
    found = find_words(Texts(texts), str(entry["quote"]), seed_dir, source_id)  # KgError with the closest passage
    file = src.origin.files[src.file_no][0]
    rt = round_trip_yaml()
    original = file.read_text(encoding="utf-8")
    data = rt.load(original)
    if not isinstance(data, CommentedMap) or "source" not in data:
        raise KgError(f"{file}: not a source file (no `source:`)")
    key = "nodes" if "label" in entry else "relations"
    items = data.get(key)
    if not isinstance(items, CommentedSeq):
        items = CommentedSeq()
        data[key] = items
    if "id" in entry and (entry["id"] in seed.nodes or entry["id"] in seed.sources):
        raise KgError(f"the id {entry['id']!r} is taken; give another with --id")
    items.fa.set_block_style()
    items.append(CommentedMap(entry))
    text = dumps(rt, data)
    check_in_copy(seed_dir, {file: text}, texts)
    replace_file(file, text, "kg-fact")
    what = entry.get("id") or f"{entry['type']} {entry['from']} -> {entry['to']}"
    return Added(file, str(what), int(found[0]["line"]))


def check_in_copy(seed_dir: Path, changed: Mapping[Path, str | None], texts: Path | None) -> None:
    """Validate the seed as it would be with each file of `changed` holding its text (None: the file
    removed), in a copy: problems name the real files. ValidationFailed when it does not validate."""
    with tempfile.TemporaryDirectory(prefix="kg-edit-") as tmp:
        copy = Path(tmp) / "seed"
        shutil.copytree(seed_dir, copy)
        for file, text in changed.items():
            target = copy / file.resolve().relative_to(seed_dir.resolve())
            if text is None:
                target.unlink()
            else:
                target.write_text(text, encoding="utf-8")
        try:
            validate([copy], texts=texts)
        except ValidationFailed as e:
            raise ValidationFailed([p.replace(str(copy), str(seed_dir)) for p in e.problems]) from None
