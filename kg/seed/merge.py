"""`kg merge KEEP OTHER`: one actor where the seed had two. The seed files are rewritten (ruamel.yaml's
round trip: comments and layout kept) so that every reference to OTHER names KEEP, OTHER's names
become KEEP's aliases and its properties KEEP's where KEEP has none; then the seed is validated in a
copy, and only then written, with a `same` judgement that keeps what OTHER was (kg/seed/judgements.py).

No fact is lost: each still cites its sources with its quotes. A relationship of OTHER that becomes
one KEEP already has joins it (the fact then cites both sources), unless the two disagree on a
property, or one source reports both with other words: then it keeps an id of its own. Where OTHER
was declared in a source file (an actor with its quote), the declaration becomes KEEP's, or, when
KEEP is in the registry (a registry actor cannot be declared again), the source names KEEP in its
`mentions:` and its links become relations; the declaring quote stays in the judgement.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from kg.errors import KgError
from kg.graph.schema import VOCABULARY, Vocabulary
from kg.seed.edit import check_in_copy
from kg.seed.judgements import JUDGEMENTS_FILE, Judgement, Merged, render, today
from kg.seed.judgements import load as load_judgements
from kg.seed.roundtrip import as_text, dumps, replace_file, round_trip_yaml
from kg.seed.validate import seed_files, validate
from kg.seed.validated import NodeRec, RelRec, Seed, cited

#: the props of a validated relationship that are its citations or its key, not what it says
_CITATION = {"key", "sources", "quotes", "confidences", "confidence"}


@dataclass
class MergeResult:
    keep: str
    other: str
    #: file -> its text after the merge; the judgements file among them
    changed: dict[Path, str]
    before: dict[Path, str]
    judgement: Judgement
    notes: list[str] = field(default_factory=list)
    written: bool = False

    def diff(self) -> str:
        out: list[str] = []
        for path, after in self.changed.items():
            before = self.before.get(path, "")
            out += difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        str(path), str(path))
        return "".join(out)


def _refuse(seed: Seed, keep: str, other: str, vocab: Vocabulary) -> tuple[NodeRec, NodeRec]:
    if keep == other:
        raise KgError(f"cannot merge {keep!r} into itself")
    recs = []
    for ident in (keep, other):
        if ident in seed.sources:
            raise KgError(f"{ident!r} is a source, not an actor: kg merge merges actors")
        node = seed.nodes.get(ident)
        if node is None:
            raise KgError(f"unknown id {ident!r}: no actor of the seed has it")
        if not vocab.nodes[node.label].is_actor or vocab.nodes[node.label].is_fact:
            raise KgError(f"{ident!r} is a {node.label}, a fact: kg merge merges actors (a fact is one report, "
                          "cited as it is)")
        recs.append(node)
    for rel in seed.rels.values():
        if {rel.start, rel.end} == {keep, other}:
            where = rel.where
            raise KgError(f"{keep} and {other} are linked by {rel.type} ({where.file}:{where.line}): merged, it "
                          "would link an actor to itself; remove or fix that fact first")
    return recs[0], recs[1]


def _rel_props(rel: RelRec) -> dict[str, Any]:
    return {k: v for k, v in rel.props.items() if k not in _CITATION and not k.endswith(("_as_written", "_note"))}


def _new_id(key: str, other: str) -> str:
    start, rel_type, end = key.split("--")
    return f"{start}-{rel_type.lower().replace('_', '-')}-{end}-was-{other}"[:128].rstrip("-")


def _plan_relations(seed: Seed, keep: str, other: str) -> dict[str, tuple[str, Any]]:
    """What becomes of each relationship of OTHER (by its key) that, pointed at KEEP, is one KEEP has:
    ("id", new id) when the two disagree or a source reports both with other words, ("drop", the
    sources that report both with the same words) otherwise, for those sources' declarations."""
    plan: dict[str, tuple[str, Any]] = {}
    for key, rel in seed.rels.items():
        if other not in (rel.start, rel.end) or key != f"{rel.start}--{rel.type}--{rel.end}":
            continue  # a relationship with an id of its own keeps it
        start, end = (keep if rel.start == other else rel.start), (keep if rel.end == other else rel.end)
        existing = seed.rels.get(f"{start}--{rel.type}--{end}")
        if existing is None:
            continue
        mine, theirs = _rel_props(rel), _rel_props(existing)
        quotes = {c.source: c.quote for c in cited(existing.props)}
        both = [c for c in cited(rel.props) if c.source in quotes]
        if any(k in theirs and theirs[k] != v for k, v in mine.items() if k != "key") or any(
                quotes[c.source] != c.quote for c in both):
            plan[key] = ("id", _new_id(f"{start}--{rel.type}--{end}", other))
        elif both:
            plan[key] = ("drop", {c.source for c in both})
    return plan


def _remove(items: CommentedSeq, i: int) -> None:
    """Delete item `i` of a block sequence of mappings, keeping the comment that followed it (ruamel.yaml
    hangs it on the item's last key: a section's heading, such as `# --- organisations`) on the item
    before it."""
    entry = items[i]
    token = None
    if isinstance(entry, CommentedMap) and len(entry):
        token = entry.ca.items.get(list(entry)[-1], [None, None, None, None])[2]
    before = items[i - 1] if i > 0 else None
    if token is not None and isinstance(before, CommentedMap) and len(before):
        last = list(before)[-1]
        if not isinstance(before[last], CommentedMap | CommentedSeq) or before[last].fa.flow_style():
            before.ca.items.setdefault(last, [None, None, None, None])[2] = token
    del items[i]


class _Rewriter:
    """The rewriting of one merge, file by file."""

    def __init__(self, seed: Seed, keep: NodeRec, other: NodeRec, vocab: Vocabulary) -> None:
        self.seed, self.keep, self.other, self.vocab = seed, keep, other, vocab
        self.plan = _plan_relations(seed, keep.id, other.id)
        own, allowed = vocab.nodes[other.label].props, vocab.nodes[keep.label].props
        self.other_props = {k: v for k, v in other.props.items() if k in own}
        keep_props = {k: v for k, v in keep.props.items() if k in allowed}
        #: OTHER's properties KEEP has with another value, or that KEEP's label does not have
        self.not_taken = {k: v for k, v in self.other_props.items()
                          if k not in allowed or (k in keep_props and keep_props[k] != v)}
        self.to_add = {k: v for k, v in self.other_props.items() if k in allowed and k not in keep_props}
        keep_names = {n.casefold() for n in (keep.props["name"], *keep.props.get("aliases", []))}
        self.new_aliases = [n for n in dict.fromkeys([other.props["name"], *other.props.get("aliases", [])])
                            if n.casefold() not in keep_names]
        self.keep_file = keep.origin.files[keep.file_no][0]
        self.declared_quotes: dict[str, str] = {}
        self.notes: list[str] = []

    def ref(self, value: Any) -> Any:
        return self.keep.id if value == self.other.id else value

    def props(self, entry: CommentedMap, refers: dict[str, tuple[str, ...]]) -> None:
        for key in list(entry):
            if key in refers and entry[key] == self.other.id:
                entry[key] = self.keep.id

    def fix_ids(self, items: CommentedSeq) -> None:
        """A list of ids, OTHER replaced by KEEP, each named once."""
        seen: set[Any] = set()
        i = 0
        while i < len(items):
            value = self.ref(items[i])
            if value in seen:
                del items[i]
                continue
            if value is not items[i]:
                items[i] = value
            seen.add(value)
            i += 1

    def relation(self, entry: CommentedMap, start: str, end: str, source: str) -> bool:
        """Point a relation (or a link) at KEEP; False when it is to be left out (the same fact, said in the
        same words by the same source, is there already)."""
        key = f"{start}--{entry.get('type')}--{end}"
        if self.other.id not in (start, end) or "id" in entry:
            return True
        step = self.plan.get(key)
        if step is None:
            return True
        if step[0] == "id":
            entry["id"] = step[1]
            return True
        return source not in step[1]

    def source_file(self, data: CommentedMap) -> None:
        meta = data["source"]
        sid = str(meta["id"])
        if meta.get("publisher") == self.other.id:
            meta["publisher"] = self.keep.id
        for key in ("authors",):
            if isinstance(meta.get(key), CommentedSeq):
                self.fix_ids(meta[key])
        nodes = data.get("nodes")
        if not isinstance(nodes, CommentedSeq):
            nodes = CommentedSeq()
        relations = data.get("relations")
        for i in reversed(range(len(nodes))):
            node = nodes[i]
            label = str(node.get("label"))
            kind = self.vocab.nodes.get(label)
            self.props(node, {k: p.refers_to for k, p in kind.props.items() if p.refers_to} if kind else {})
            links = node.get("links") or []
            for j in reversed(range(len(links))):
                link = links[j]
                start, end = (str(link["from"]), str(node["id"])) if "from" in link else (str(node["id"]),
                                                                                          str(link.get("to")))
                keep_it = self.relation(link, start, end, sid)
                for end_key in ("from", "to"):
                    if end_key in link:
                        link[end_key] = self.ref(link[end_key])
                self.props(link, self._refers(str(link.get("type"))))
                if not keep_it:
                    del links[j]
            if node.get("id") == self.other.id:
                self.declaration(data, nodes, i, sid)
        if isinstance(relations, CommentedSeq):
            for j in reversed(range(len(relations))):
                rel = relations[j]
                keep_it = self.relation(rel, str(rel.get("from")), str(rel.get("to")), sid)
                rel["from"], rel["to"] = self.ref(rel.get("from")), self.ref(rel.get("to"))
                self.props(rel, self._refers(str(rel.get("type"))))
                if not keep_it:
                    del relations[j]
        if isinstance(data.get("mentions"), CommentedSeq):
            self.fix_ids(data["mentions"])

    def _refers(self, rel_type: str) -> dict[str, tuple[str, ...]]:
        kind = self.vocab.rels.get(rel_type)
        return {k: p.refers_to for k, p in kind.props.items() if p.refers_to} if kind else {}

    def declaration(self, data: CommentedMap, nodes: CommentedSeq, i: int, sid: str) -> None:
        """OTHER's declaration in source `sid`: KEEP's, or (KEEP in the registry, or declared here too)
        a mention of KEEP and relations for its links."""
        node = nodes[i]
        self.declared_quotes[sid] = str(node.get("quote"))
        declared_here = any(n.get("id") == self.keep.id for n in nodes)
        if not (self.keep.in_registry or declared_here):
            node["id"] = self.keep.id
            node["label"] = self.keep.label
            node["name"] = as_text(str(self.keep.props["name"]))
            names = [n for n in dict.fromkeys([self.other.props["name"], *self.other.props.get("aliases", [])])
                     if n != self.keep.props["name"]]
            if names:
                node["aliases"] = CommentedSeq(as_text(n) for n in names)
                node["aliases"].fa.set_flow_style()
            elif "aliases" in node:
                del node["aliases"]
            for key in [k for k in node if k in self.not_taken]:
                del node[key]
            return
        relations = data.get("relations")
        if not isinstance(relations, CommentedSeq):
            relations = CommentedSeq()
            data["relations"] = relations
        for link in node.get("links") or []:
            rel = CommentedMap()
            rel["type"] = link["type"]
            rel["from"] = self.keep.id if "to" in link else link["from"]
            rel["to"] = link.get("to", self.keep.id)
            for key, value in link.items():
                if key not in ("type", "from", "to", "quote", "confidence"):
                    rel[key] = value
            rel["quote"] = link.get("quote") or node.get("quote")
            rel["confidence"] = link.get("confidence") or node.get("confidence")
            relations.append(rel)
        _remove(nodes, i)
        mentions = data.get("mentions")
        if not isinstance(mentions, CommentedSeq):
            mentions = CommentedSeq()
            mentions.fa.set_flow_style()
            data["mentions"] = mentions
        if self.keep.id not in mentions:
            mentions.append(self.keep.id)
        self.notes.append(f"{sid} declared {self.other.id} with a quote; it now names {self.keep.id} in its "
                          "mentions (the quote is kept in the judgement)")

    def registry_file(self, data: CommentedMap) -> None:
        actors = data["actors"]
        for i in reversed(range(len(actors))):
            entry = actors[i]
            kind = self.vocab.nodes.get(str(entry.get("label")))
            self.props(entry, {k: p.refers_to for k, p in kind.props.items() if p.refers_to} if kind else {})
            if entry.get("id") == self.other.id:
                _remove(actors, i)

    def keep_entry(self, data: CommentedMap) -> None:
        """KEEP's first declaration takes OTHER's names as aliases, and the properties it lacked."""
        items = data.get("actors") if "actors" in data else data.get("nodes")
        entry = next(e for e in items if e.get("id") == self.keep.id)
        if self.new_aliases:
            aliases = entry.get("aliases")
            if not isinstance(aliases, CommentedSeq):
                aliases = CommentedSeq()
                aliases.fa.set_flow_style()
                self._insert(entry, "aliases", aliases, after="name")
            aliases.extend(as_text(n) for n in self.new_aliases if n not in aliases)
        for key, value in self.to_add.items():
            if key not in entry:
                self._insert(entry, key, as_text(value) if isinstance(value, str) else value,
                             before=("quote", "confidence", "links"))

    @staticmethod
    def _insert(entry: CommentedMap, key: str, value: Any, after: str | None = None,
                before: tuple[str, ...] = ()) -> None:
        keys = list(entry)
        at = keys.index(after) + 1 if after in keys else next((keys.index(k) for k in before if k in keys), len(keys))
        entry.insert(at, key, value)


def merge(seed_dir: Path, keep: str, other: str, *, who: str, why: str, texts: Path | None = None,
          dry_run: bool = False, vocab: Vocabulary = VOCABULARY) -> MergeResult:
    """Merge actor `other` into `keep` in the seed under `seed_dir` (see the module's doc); KgError
    (one line) for a refusal and ValidationFailed when the merged seed would not validate, with every
    file as it was. With `dry_run`, the result says what would change and nothing is written."""
    seed = validate([seed_dir])
    keep_rec, other_rec = _refuse(seed, keep, other, vocab)
    judgements = load_judgements(seed_dir)
    decided = judgements.decision(keep, other)
    if isinstance(decided, Judgement) and decided.decision == "different":
        raise KgError(f"{keep} and {other} are judged different ({decided.who}: {decided.why}); a different pair "
                      f"never merges (change the judgement first: kg xref judge {keep} {other} same --why ...)")
    rw = _Rewriter(seed, keep_rec, other_rec, vocab)
    rt = round_trip_yaml()
    changed: dict[Path, str] = {}
    before: dict[Path, str] = {}
    for path, _ in seed_files([seed_dir]):
        text = path.read_text(encoding="utf-8")
        if other not in text and path != rw.keep_file:
            continue
        data = rt.load(text)
        if isinstance(data, CommentedMap) and "actors" in data:
            rw.registry_file(data)
        elif isinstance(data, CommentedMap) and "source" in data:
            rw.source_file(data)
        if path == rw.keep_file:
            rw.keep_entry(data)
        after = dumps(rt, data)
        if after != text:
            changed[path], before[path] = after, text
    snapshot = Merged(label=other_rec.label, name=other_rec.props["name"],
                      aliases=list(other_rec.props.get("aliases", [])), props=rw.other_props,
                      quotes=rw.declared_quotes, not_taken=rw.not_taken)
    judgement = Judgement(a=keep, b=other, decision="same", who=who, why=why, date=today(), merged=snapshot)
    jfile = seed_dir / JUDGEMENTS_FILE
    before[jfile] = jfile.read_text(encoding="utf-8") if jfile.exists() else ""
    changed[jfile] = render(jfile, judgement)
    if rw.not_taken:
        rw.notes.append(f"{keep} keeps its own {', '.join(sorted(rw.not_taken))}; {other}'s values are kept in "
                        "the judgement")
    check_in_copy(seed_dir, changed, texts)
    result = MergeResult(keep, other, changed, before, judgement, rw.notes)
    if not dry_run:
        for path, after in changed.items():
            replace_file(path, after, "kg-merge")
        result.written = True
    return result
