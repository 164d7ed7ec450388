"""Validate seed files and merge them into one `Seed`: the exact nodes, relationships and
citations the loader will write. Nothing here touches a database.

Every problem is a `file:line: message`; validation collects all of them (it does not stop at
the first) so a contributor can fix a file in one pass.
"""

from __future__ import annotations

import gc
import hashlib
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kg.errors import ValidationFailed
from kg.graph.schema import NodeKind, RelKind
from kg.seed.judgements import JUDGEMENTS_FILE
from kg.seed.judgements import check as check_judgements
from kg.seed.model import (
    DateSpec,
    LinkBase,
    Models,
    NodeBase,
    RegistryFileBase,
    RelBase,
    SourceFileBase,
    TextPin,
    default_models,
    precision,
)
from kg.seed.reader import Document, Path_, Problem, ReadError, fast_reads, read
from kg.seed.texts import Article, Pin, Texts, check_pin
from kg.seed.validated import CONFIDENCE_RANK, Citation, NodeRec, Origin, Placed, RelRec, Seed, SourceRec

SEED_SUFFIXES = (".yaml", ".yml")
def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def seed_bytes(paths: Iterable[Path]) -> int:
    """The size of the seed files under `paths`, in bytes: what validation works through."""
    return sum(_size(path) for path, _ in seed_files(paths))


def seed_files(paths: Iterable[Path]) -> Iterator[tuple[Path, str]]:
    """The YAML files under `paths`, sorted, with the name to report them by (not the judgements of
    kg xref, which declare nothing: `judgement_files`)."""
    for root in paths:
        if root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.suffix in SEED_SUFFIXES and p.is_file()
                               and p.name != JUDGEMENTS_FILE):
                yield path, str(path)
        elif root.name != JUDGEMENTS_FILE:
            yield root, str(root)


def judgement_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The judgements files (kg/seed/judgements.py) of `paths`: at the top of a folder, or given."""
    for root in paths:
        path = root / JUDGEMENTS_FILE if root.is_dir() else root
        if path.name == JUDGEMENTS_FILE and path.is_file():
            yield path


def _hash_file(content: Any, path: Path, name: str) -> None:
    """Add a file's name and the digest of its bytes to a seed's `content` digest."""
    try:
        with path.open("rb") as f:
            digest = hashlib.file_digest(f, "sha256").digest()
    except OSError:
        digest = b""  # the readers say what is wrong with it
    content.update(f"{name}\0".encode() + digest)


def _internal(part: object) -> bool:
    """Parts of a pydantic error location that name its machinery, not the file's keys."""
    return isinstance(part, str) and (part.startswith(("function-", "str")) or part in ("iso", "spec"))


def _loc(path: Path_) -> str:
    out = ""
    for part in path:
        text = str(part)  # a blank key, or one with spaces around it, shows as what it is (make fuzz)
        name = text if text.strip() == text and text and text.isprintable() else repr(part)
        out += f"[{part}]" if isinstance(part, int) else (f".{name}" if out else name)
    return out


def _choices(values: Iterable[str]) -> str:
    """`'a', 'b' or 'c'`, as pydantic lists the choices of a Literal."""
    quoted = [repr(v) for v in values]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _at(data: Any, path: Path_) -> Any:
    """The value at `path` in a file's data (None when there is none)."""
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


#: pydantic error types that mean "a value of the wrong type"
_TYPE_ERRORS = {"string_type", "int_type", "int_from_float", "float_type", "bool_type", "list_type"}


def explain(models: Models, data: Any, err: Any) -> tuple[Path_, str]:
    """Where a pydantic error is in the file, and what is wrong, in the vocabulary's terms.

    A discriminated union puts the label or type in the error's location (`actors.0.PoliceAgency.level`);
    it is taken out of the location and used to name the label's properties or a property's choices."""
    vocab = models.vocab
    raw = err["loc"]
    loc: list[str | int] = []
    kind: NodeKind | RelKind | None = None
    key_at = -1  # where, in `loc`, the key after the last label or type is
    for i, part in enumerate(raw):
        if _internal(part):
            continue
        if isinstance(part, str) and i and isinstance(raw[i - 1], int) and (part in vocab.nodes or part in vocab.rels):
            kind = vocab.nodes.get(part) or vocab.rels[part]
            key_at = len(loc)
            continue
        loc.append(part)
    path = tuple(loc)
    etype, msg = err["type"], err["msg"].removeprefix("Value error, ")
    if etype in ("union_tag_invalid", "union_tag_not_found"):
        field_ = str(err.get("ctx", {}).get("discriminator", "")).strip("'")
        path = (*path, field_)
        tags = vocab.nodes if field_ == "label" else vocab.rels
        if etype == "union_tag_not_found":
            return path, f"{_loc(path)}: Field required (one of {_choices(tags)})"
        return path, f"{_loc(path)}: Input should be {_choices(tags)}"
    if kind is not None and key_at < len(loc) and isinstance(loc[key_at], str):
        key = str(loc[key_at])
        name = kind.label if isinstance(kind, NodeKind) else kind.type
        spec = kind.props.get(key)
        if etype == "extra_forbidden" and key_at == len(loc) - 1:
            return path, f"unknown property {key!r} for {name} (allowed: {', '.join(sorted(kind.props)) or 'none'})"
        if spec is not None and spec.type != "date":
            value = _at(data, path[:key_at + 1])
            if etype == "literal_error":
                return path, f"{key} {value!r} is not one of: {', '.join(spec.choices)}"
            if etype in ("less_than_equal", "greater_than_equal") and spec.type == "int":
                return path, f"{key} {value} is out of range (a 64-bit integer)"
            if etype == "finite_number":
                return path, f"{key} must be a finite number, not {value!r}"
            if etype in _TYPE_ERRORS:
                return path, f"{key} must be {spec.type.replace('str', 'text')}, not {value!r}"
    if err.get("input", ...) is None and etype != "missing" and path in (("source", "publisher"),
                                                                          ("source", "published")):
        return path, f"{_loc(path)}: not known yet: write it here (kg source add leaves it for a person)"
    return path, f"{_loc(path) or 'file'}: {msg}"


def _flatten_date(key: str, value: str | DateSpec, props: dict[str, Any]) -> None:
    if isinstance(value, str):  # the model has checked it (check_iso), as DateSpec would again
        props[key] = value
        props[f"{key}_precision"] = precision(value)
        return
    spec = value
    props[key] = spec.value
    props[f"{key}_precision"] = precision(spec.value)
    if spec.as_written:
        props[f"{key}_as_written"] = spec.as_written
    if spec.note:
        props[f"{key}_note"] = spec.note


#: Looks up ids that the files name but do not declare (in the database); returns id -> label.
Resolver = Callable[[list[str]], dict[str, str]]


@dataclass(slots=True)
class _File:
    """The file being checked: its data, and the lines of its values if it was read with them."""

    origin: Origin
    no: int
    file: str
    data: Any
    doc: Document | None

    def problem(self, path: Path_, message: str) -> Problem:
        if self.doc is not None:
            return self.doc.problem(path, message)
        return self.origin.problem(self.no, path, message)


class _Checker:
    def __init__(self, texts: Texts | None = None, strict: bool = False, models: Models | None = None) -> None:
        models = models or default_models()
        self.models, self.vocab = models, models.vocab
        self.problems: list[Problem] = []
        self.seed = Seed()
        self.texts, self.strict = texts, strict
        self.article: Article | None = None  # the text of the source being checked, when there is one
        self.checked: dict[tuple[str, str], bool] = {}  # (text file, quote) -> found
        self.origin = Origin()
        # (id, file number, path in the file, the labels allowed there): checked once every file is
        # read; the line is found only for a reference that is wrong
        self.refs: list[tuple[str, int, Path_, tuple[str, ...] | None]] = []

    def ref(self, value: str, doc: _File, path: Path_, allowed: tuple[str, ...] | None) -> None:
        # a reference to what is already declared with a label allowed there stays right (a
        # declaration's label never changes), so only the others are kept for check_refs
        label = self.label(value)
        if label is None or (allowed is not None and label not in allowed):
            self.refs.append((value, doc.no, path, allowed))

    def add(self, doc: _File, path: Path_, message: str) -> None:
        self.problems.append(doc.problem(path, message))

    # --- texts and quotes ------------------------------------------------------------------------
    def open_text(self, doc: _File, meta_text: str | TextPin | None, sid: str) -> None:
        """Check the source's pin against the texts folder and keep its article for the quotes."""
        self.article = None
        if meta_text is None:
            self.seed.unchecked_why.append(f"{sid} names no text")
            return
        pin = Pin(meta_text.file, meta_text.sha256, meta_text.length) if isinstance(meta_text, TextPin) \
            else Pin(meta_text)
        where = ("source", "text")
        if self.texts is None:
            return
        if pin.sha256 is None and self.strict:
            self.add(doc, where, f"text {pin.file} is not pinned: give it as {{file, sha256, length}} "
                                 "(kg source add writes the pin)")
        if not self.texts.has(pin.file):
            self.add(doc, where, f"text {pin.file} is not in the texts folder {self.texts.folder}")
            return
        problem = check_pin(pin, self.texts.pin(pin.file))
        if problem:
            self.add(doc, where, problem)
            return
        self.article = self.texts.article(pin.file)

    def quote(self, doc: _File, path: Path_, quote: str | None) -> None:
        if quote is None:
            return
        if self.article is None:
            self.seed.quotes_unchecked += 1
            return
        key = (self.article.name, quote)
        if key not in self.checked:
            self.checked[key] = self.article.find(quote) is not None
            if not self.checked[key]:
                near = self.article.closest(quote)
                self.add(doc, (*path, "quote"), f"quote not found in {self.article.name}; closest passage: "
                                                f"\"{near.passage}\" (similarity {near.similarity:.2f}, line "
                                                f"{near.line})")
        self.seed.quotes_checked += 1

    # --- properties --------------------------------------------------------------------------
    def props(self, doc: _File, path: Path_, decl: NodeBase | LinkBase | RelBase,
              kind: NodeKind | RelKind) -> dict[str, Any]:
        """The properties a declaration gives, as the graph stores them (dates flattened); the model
        has checked their names, types and choices; a property naming a node is checked once all is read."""
        out: dict[str, Any] = {}
        for key, value in decl.props().items():
            spec = kind.props[key]
            if spec.type == "date":
                _flatten_date(key, value, out)
                continue
            if spec.refers_to:
                self.ref(value, doc, (*path, key), spec.refers_to)
            out[key] = value
        return out

    # --- files ---------------------------------------------------------------------------------
    def file(self, path: Path, name: str, data: Any = None) -> None:
        """Check one file; `data` is what `fast_read` gave for it (None: nothing, read with positions)."""
        self.seed.files.append(name)
        _hash_file(self.seed.content, path, name)
        no = self.origin.add(path, name)
        if data is not None:
            doc = _File(self.origin, no, name, data, None)
            parsed = self.parse(doc, reporting=False)
            if parsed is None:  # a problem: the careful reader has the last word, and the lines
                data = None
        if data is None:  # anything unusual or wrong: read with positions
            try:
                careful = read(path, name)
            except ReadError as e:
                self.problems.append(e.problem)
                return
            self.origin.keep(no, careful)
            doc = _File(self.origin, no, name, careful.data, careful)
            parsed = self.parse(doc, reporting=True)
            if parsed is None:
                return
        if isinstance(parsed, RegistryFileBase):
            for i, decl in enumerate(parsed.actors):
                self.node(doc, ("actors", i), decl, source=None)
        elif parsed is not None:
            self.source(doc, parsed)

    def parse(self, doc: _File, reporting: bool) -> RegistryFileBase | SourceFileBase | None:
        """The file's data checked against the models, or None after a problem (reported if `reporting`)."""
        data = doc.data
        if not isinstance(data, dict) or not ({"actors", "source"} & set(data)):
            if reporting:
                self.add(doc, (), "expected a mapping with `actors:` (a registry) or `source:` (a source document)")
            return None
        model: type[RegistryFileBase] | type[SourceFileBase] = (
            self.models.registry if "actors" in data else self.models.source)
        try:
            return model.model_validate(data)
        except ValidationError as e:
            if reporting:
                for err in e.errors():
                    where, message = explain(self.models, data, err)
                    self.add(doc, where, message)
            return None

    def source(self, doc: _File, parsed: SourceFileBase) -> None:
        meta = parsed.source
        sid = meta.id
        if sid in self.seed.sources or sid in self.seed.nodes:
            self.add(doc, ("source", "id"), f"duplicate id {sid!r}")
            return
        props: dict[str, Any] = {"id": sid, "name": meta.title, "title": meta.title, "language": meta.language,
                                 "confidence": meta.confidence}
        for key in ("headline", "url", "note"):
            if getattr(meta, key):
                props[key] = getattr(meta, key)
        if isinstance(meta.text, TextPin):
            props.update(text=meta.text.file, text_sha256=meta.text.sha256, text_length=meta.text.length)
        elif meta.text:
            props["text"] = meta.text
        self.open_text(doc, meta.text, sid)
        _flatten_date("published", meta.published, props)
        rec = SourceRec(sid, props, self.origin, doc.no, ("source",), meta.publisher, list(meta.authors))
        self.seed.sources[sid] = rec
        self.ref(meta.publisher, doc, ("source", "publisher"), self.vocab.provenance["PUBLISHED_BY"].targets)
        rec.mentions.add(meta.publisher)
        for i, author in enumerate(meta.authors):
            self.ref(author, doc, ("source", "authors", i), self.vocab.provenance["AUTHORED_BY"].targets)
            rec.mentions.add(author)
        for i, mention in enumerate(parsed.mentions):
            self.ref(mention, doc, ("mentions", i), None)
            rec.mentions.add(mention)
        for i, decl in enumerate(parsed.nodes):
            self.node(doc, ("nodes", i), decl, source=rec)
        for i, rel in enumerate(parsed.relations):
            self.quote(doc, ("relations", i), rel.quote)
            self.relation(doc, ("relations", i), rel, rec, rel.from_, rel.to, rel.quote, rel.confidence)
        self.article = None

    def node(self, doc: _File, path: Path_, decl: NodeBase, source: SourceRec | None) -> None:
        kind = self.vocab.nodes[decl.label]
        if source is None and not kind.is_actor:
            self.add(doc, (*path, "label"), f"a {decl.label} is a fact: declare it in a source file, with its quote")
            return
        if source is not None and (decl.quote is None or decl.confidence is None):
            missing = " and ".join(k for k in ("quote", "confidence") if getattr(decl, k) is None)
            self.add(doc, path, f"{decl.id}: a fact needs a {missing} from its source")
            return
        props = self.props(doc, path, decl, kind)
        props.update(id=decl.id, name=decl.name)
        if decl.aliases:
            props["aliases"] = list(decl.aliases)
        existing = self.seed.nodes.get(decl.id) or self.seed.sources.get(decl.id)
        if existing is not None:
            if (isinstance(existing, SourceRec) or existing.in_registry or source is None
                    or existing.label != decl.label):
                self.add(doc, (*path, "id"), f"duplicate id {decl.id!r} (first declared at {existing.where.file}:"
                                             f"{existing.where.line})")
                return
            self.merge(doc, path, existing.props, props, f"node {decl.id!r}", existing)
            rec = existing
        else:
            rec = NodeRec(sys.intern(decl.id), sys.intern(decl.label), props, self.origin, doc.no, path,
                          in_registry=source is None)
            self.seed.nodes[decl.id] = rec
        if source is not None:
            assert decl.quote is not None and decl.confidence is not None
            if any(c.source == source.id for c in rec.citations):
                self.add(doc, (*path, "id"), f"duplicate id {decl.id!r} in the same source")
                return
            self.quote(doc, path, decl.quote)
            rec.citations.append(Citation(source.id, decl.quote, sys.intern(decl.confidence)))
            source.node_ids.append(decl.id)
            source.mentions.add(decl.id)
        for j, link in enumerate(decl.links):
            self.link(doc, (*path, "links", j), link, decl, source)

    def link(self, doc: _File, path: Path_, link: LinkBase, node: NodeBase, source: SourceRec | None) -> None:
        if (link.from_ is None) == (link.to is None):
            self.add(doc, path, f"a link of {node.id!r} names exactly one other end: `from` or `to`")
            return
        if source is None:
            self.add(doc, path, "links need a source: put relations of actors in a source file, with a quote")
            return
        quote, confidence = link.quote or node.quote, link.confidence or node.confidence
        assert quote is not None and confidence is not None
        self.quote(doc, path, link.quote)  # the node's own quote is checked with the node
        start, end = (link.from_, node.id) if link.from_ else (node.id, link.to or "")
        self.relation(doc, path, link, source, start, end, quote, confidence)

    def relation(self, doc: _File, path: Path_, rel: RelBase | LinkBase, source: SourceRec, start: str, end: str,
                 quote: str, confidence: str) -> None:
        kind = self.vocab.rels[rel.type]
        props = self.props(doc, path, rel, kind)
        key = rel.id or f"{start}--{rel.type}--{end}"
        props["key"] = key
        self.ref(start, doc, (*path, "from"), kind.sources)
        self.ref(end, doc, (*path, "to"), kind.targets)
        existing = self.seed.rels.get(key)
        if existing is not None:
            if (existing.type, existing.start, existing.end) != (rel.type, start, end):
                self.add(doc, path, f"relation id {key!r} is already used for a different relation at "
                                    f"{existing.where.file}:{existing.where.line}")
                return
            if any(c.source == source.id for c in existing.citations):
                self.add(doc, path, f"duplicate relation {key!r} in the same source (first at "
                                    f"{existing.where.file}:{existing.where.line}); give one an `id`")
                return
            self.merge(doc, path, existing.props, props, f"relation {key!r}", existing)
            rec = existing
        else:
            rec = RelRec(key, sys.intern(rel.type), sys.intern(start), sys.intern(end), props, self.origin, doc.no,
                         path)
            self.seed.rels[key] = rec
        rec.citations.append(Citation(source.id, quote, sys.intern(confidence)))
        source.rel_keys.append((rel.type, key))
        source.mentions.update((start, end))

    def merge(self, doc: _File, path: Path_, into: dict[str, Any], new: dict[str, Any], what: str,
              first: Placed) -> None:
        for key, value in new.items():
            if key in into and into[key] != value and key != "aliases" and not key.endswith(("_as_written", "_note")):
                where = first.where  # found only for a conflict: it may mean reading that file again
                self.add(doc, (*path, key), f"{what} is declared again with {key}={value!r}, but "
                                            f"{where.file}:{where.line} says {into[key]!r}")
            elif key == "aliases":
                into[key] = sorted({*into.get(key, []), *value})
            else:
                into.setdefault(key, value)

    # --- references --------------------------------------------------------------------------------
    def label(self, value: str) -> str | None:
        node = self.seed.nodes.get(value)
        if node is not None:
            return node.label
        return self.vocab.source.label if value in self.seed.sources else self.seed.external.get(value)

    def check_refs(self, resolve: Resolver | None) -> None:
        unknown = sorted({ref for ref, _, _, _ in self.refs if self.label(ref) is None})
        if unknown and resolve is not None and not self.problems:  # bad files never reach the database
            self.seed.external = resolve(unknown)
        where_else = " in these files or in the database" if resolve is not None else ""
        for ref, file_no, path, allowed in self.refs:
            label = self.label(ref)
            if label is not None and (allowed is None or label in allowed):
                continue
            where = self.origin.problem(file_no, path)
            if label is None:
                self.problems.append(Problem(where.file, where.line, f"unknown id {ref!r}: no actor, fact or "
                                                                     f"source has it{where_else}"))
            else:
                assert allowed is not None
                self.problems.append(Problem(where.file, where.line,
                                             f"{ref!r} is a {label}; expected {' or '.join(allowed)} here"))


def validate(paths: Iterable[Path], texts: Texts | Path | None = None, strict: bool = False,
             resolve: Resolver | None = None, models: Models | None = None,
             progress: Callable[[str, int], None] | None = None) -> Seed:
    """Read and check every seed file under `paths`; raise ValidationFailed listing all problems.

    With `texts` (a texts folder), every source's text is checked against its pin and every quote
    against the text; `strict` makes a quote that could not be checked an error. `resolve` looks up
    ids the files name but do not declare (a partial load: in the database). `models` are those of
    another vocabulary (kg/seed/model.py's build_models); by default kg's. `progress` is told each
    file's name and size in bytes once it is checked (see `seed_bytes` for the total).

        seed = validate([Path("seed")], texts=Path("../shared/sources"))
    """
    paths = list(paths)
    if isinstance(texts, Path):
        texts = Texts(texts)
    checker = _Checker(texts, strict, models)
    checker.seed.texts = str(texts.folder) if texts else None
    files = list(seed_files(paths))
    for path in judgement_files(paths):
        checker.problems += check_judgements(path)[1]
    if not files:
        raise ValidationFailed([f"{', '.join(str(p) for p in paths)}:1: no seed files (*.yaml) found"])
    # validation makes millions of objects and frees few: the cyclic collector, run again and again
    # over a growing heap, would cost a large share of the time for nothing
    collecting = gc.isenabled()
    gc.disable()
    try:
        sizes = [_size(path) for path, _ in files]
        for (path, name), size, data in zip(files, sizes, fast_reads([path for path, _ in files], sum(sizes)),
                                            strict=True):
            checker.file(path, name, data)
            if progress is not None:
                progress(path.name, size)
        checker.check_refs(resolve)
    finally:
        if collecting:
            gc.enable()
    seed = checker.seed
    if strict and seed.quotes_unchecked:
        checker.problems.append(Problem(files[0][1], 1, unchecked_note(seed)))
    if checker.problems:
        unique = list(dict.fromkeys(str(p) for p in checker.problems))
        raise ValidationFailed(unique)
    shared: dict[tuple[str, ...], list[str]] = {}
    gc.disable()
    try:
        # the citations move into the props (sources, quotes, confidences): each record's list is
        # dropped as soon as it has moved, so that the seed is never held twice (`cited` reads them back)
        for rec in seed.nodes.values():
            _cite(rec.props, rec.citations, shared)
            rec.citations = _MOVED
            if rec.props.get("aliases"):
                rec.props["aliases_text"] = " | ".join(rec.props["aliases"])
        for rel in seed.rels.values():
            _cite(rel.props, rel.citations, shared)
            rel.citations = _MOVED
    finally:
        if collecting:
            gc.enable()
    return seed


#: sources named in the note on unchecked quotes; the rest are counted
UNCHECKED_SHOWN = 10


def unchecked_note(seed: Seed) -> str:
    """Why some quotes were not checked against their articles (empty when all were)."""
    if not seed.quotes_unchecked:
        return ""
    n = seed.quotes_unchecked
    shown = seed.unchecked_why[:UNCHECKED_SHOWN]
    more = len(seed.unchecked_why) - len(shown)
    why = "; ".join(shown) + (f"; and {more} more sources" if more else "") if seed.texts else (
        "no texts folder (give --texts DIR or set KG_TEXTS; the default is .kg/texts/)")
    return f"{n} quote{'s' if n != 1 else ''} not checked against an article text: {why}"


def _cite(props: dict[str, Any], citations: list[Citation], shared: dict[tuple[str, ...], list[str]]) -> None:
    """The citation properties; the lists of sources and of confidences, the same for many records,
    are one list shared by them all (`shared`): never change a props list in place."""
    if not citations:
        return
    citations.sort(key=lambda c: c.source)
    sources = tuple(c.source for c in citations)
    confidences = tuple(c.confidence for c in citations)
    props["sources"] = shared.setdefault(sources, list(sources))
    props["quotes"] = [c.quote for c in citations]
    props["confidences"] = shared.setdefault(confidences, list(confidences))
    props["confidence"] = citations[0].confidence if len(citations) == 1 else max(
        (c.confidence for c in citations), key=CONFIDENCE_RANK.__getitem__)


#: a record's citations once validation has moved them into its props (never appended to)
_MOVED: list[Citation] = []


__all__ = ["Resolver", "explain", "judgement_files", "seed_bytes", "seed_files", "unchecked_note", "validate"]
