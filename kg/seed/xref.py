"""Candidate duplicates among the actors of a validated seed (`kg xref`): pairs of actors that are
probably one, each with a score in 0..1 and the evidence per feature, best first.

Reading the validated seed (not the graph): it needs no server, it is what `kg merge` rewrites, and
it is the same truth the graph is loaded from.

Cost. Not every pair is compared: each actor gets blocking keys from its names (kg/seed/xref_names.py:
the words that say which body or person it is, their sounds, the initials), and only actors that
share a key are compared. A key shared by more than `max_block` actors ("police", a common surname)
says little and would cost a square: it is skipped, counted in the stats. So the pairs compared grow
with the actors (at most max_block per key an actor has), and the one sort-like step (grouping the
keys) with n log n. Pairs whose names alone cannot reach the threshold, whatever the context adds,
are dropped before the context is looked at.

Score: the names' similarity (the best pair of one name or alias of each), then what the context
adds or takes away: a conflicting jurisdiction, level or kind; a link between the two (a unit and
its service are two); neighbours in common; the same employer or role; sources that name both;
dates that overlap or lie years apart; different labels. What the context adds is at most half of
what the names leave to 1, so the names lead and only the same names score 1.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kg.graph.schema import VOCABULARY, Vocabulary
from kg.seed.judgements import Judgements
from kg.seed.validated import Seed
from kg.seed.xref_names import (
    OrgName,
    PersonName,
    best_person,
    fold,
    org_keys,
    org_name,
    org_similarity,
    person_keys,
    person_name,
    person_similarity,
)

DEFAULT_THRESHOLD = 0.7
#: a blocking key shared by more actors than this is skipped (it would cost a square and says little)
MAX_BLOCK = 64
#: labels compared with each other; actors of two groups are never one
GROUPS = {"Person": "person", "Product": "product", "Conference": "conference",
          **{label: "org" for label in ("PoliceAgency", "Unit", "OversightBody", "Vendor", "Organization")}}
#: the most the context can add to the names' similarity (and never more than half what they leave: `lifted`)
MAX_BOOST = 0.1 + 0.15 + 0.05 + 0.03 + 0.02
#: properties that must agree: what a disagreement takes away
CONFLICTS = {"jurisdiction": 0.3, "level": 0.1, "kind": 0.15, "collective": 0.3, "category": 0.1}
DATE_KEYS = ("date", "start", "end")


@dataclass(frozen=True, slots=True)
class Evidence:
    feature: str
    #: what it adds to the score (the names' similarity is the base the others add to)
    effect: float
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {"feature": self.feature, "effect": round(self.effect, 3), "detail": self.detail}


@dataclass(slots=True)
class Candidate:
    a: str
    b: str
    score: float
    evidence: list[Evidence]

    def as_json(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "score": round(self.score, 3),
                "evidence": [e.as_json() for e in self.evidence]}


@dataclass
class Stats:
    actors: int = 0
    keys: int = 0
    #: keys shared by more than max_block actors, skipped, and the actors they held
    capped_keys: int = 0
    capped_entries: int = 0
    #: distinct pairs whose names were compared, and those whose context was then looked at
    pairs_compared: int = 0
    pairs_scored: int = 0
    judged: int = 0
    candidates: int = 0
    #: seconds per step: names taken apart, blocking, names compared, context gathered, scoring
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class Result:
    candidates: list[Candidate]
    stats: Stats
    threshold: float


@dataclass(slots=True)
class Actor:
    id: str
    label: str
    group: str
    names: list[str]
    props: dict[str, Any]
    orgs: list[OrgName] = field(default_factory=list)
    person: PersonName | None = None
    people: list[PersonName] = field(default_factory=list)


def unnamed(props: dict[str, Any]) -> bool:
    """A placeholder, not a name ("[unnamed EPS special unit]", `named: false`): never matched."""
    return props.get("named") is False or str(props.get("name", "")).startswith("[")


def actors_of(seed: Seed, vocab: Vocabulary = VOCABULARY) -> list[Actor]:
    """The named actors of a seed, their names taken apart."""
    out = []
    for node in seed.nodes.values():
        group = GROUPS.get(node.label)
        if group is None or not vocab.nodes[node.label].is_actor or unnamed(node.props):
            continue
        names = [node.props["name"], *node.props.get("aliases", [])]
        actor = Actor(node.id, node.label, group, names, node.props)
        if group == "person":
            actor.people = [person_name(n) for n in names]
            actor.person = best_person(actor.people)
        else:
            actor.orgs = [org_name(n, police=group == "org") for n in names]
        out.append(actor)
    return out


def keys_of(actor: Actor) -> set[str]:
    if actor.group == "person":
        return person_keys(actor.people, actor.group)
    return org_keys(actor.orgs, actor.group)


def name_score(a: Actor, b: Actor, floor: float = 0.0) -> tuple[float, str]:
    """The names' similarity: for people, their most telling names (with given names written out);
    else the best pair of one name or alias of each (those below `floor` not weighed in detail)."""
    if a.person is not None and b.person is not None:
        best = person_similarity(a.person, b.person)
        for px, py in itertools.product(a.people, b.people):  # an alias may match better ("Dr. A. Cavoukian")
            if px.given and py.given:
                best = max(best, person_similarity(px, py), key=lambda t: t[0])
        return best
    found = (0.0, "")
    for x, y in itertools.product(a.orgs, b.orgs):
        got = org_similarity(x, y, floor)
        if got[0] > found[0]:
            found = got
            if got[0] >= 1.0:
                break
    return found


def candidate_pairs(actors: list[Actor], max_block: int, stats: Stats) -> set[tuple[int, int]]:
    """The pairs of actors (their indexes, lower first) that share a blocking key of at most
    `max_block` actors."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, actor in enumerate(actors):
        for key in keys_of(actor):
            blocks[key].append(i)
    stats.keys = len(blocks)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) > max_block:
            stats.capped_keys += 1
            stats.capped_entries += len(members)
            continue
        pairs.update(itertools.combinations(members, 2))
    return pairs


# --- the context -------------------------------------------------------------------------------

@dataclass
class Context:
    """What the seed says around some actors: neighbours (through facts too), links between them,
    employers and roles, the sources that name them, the dates of their facts."""

    neighbours: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    links: dict[tuple[str, str], str] = field(default_factory=dict)
    employers: dict[str, dict[str, str | None]] = field(default_factory=lambda: defaultdict(dict))
    sources: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    dates: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    degree: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def context_of(seed: Seed, ids: set[str], vocab: Vocabulary = VOCABULARY) -> Context:
    """The context of `ids`, in one pass over the relationships and one over the sources."""
    ctx = Context()
    facts = {i for i, n in seed.nodes.items() if vocab.nodes[n.label].is_fact}
    around_facts: dict[str, set[str]] = defaultdict(set)
    for rel in seed.rels.values():
        start, end = rel.start, rel.end
        ctx.degree[start] += 1
        ctx.degree[end] += 1
        when = [str(rel.props[k]) for k in DATE_KEYS if rel.props.get(k)]
        for here, there in ((start, end), (end, start)):
            if here in ids:
                ctx.neighbours[here].add(there)
                ctx.dates[here] += when
                if there in ids:
                    ctx.links[(here, there)] = rel.type
                if rel.type == "HOLDS_ROLE" and here == start:
                    ctx.employers[here][there] = rel.props.get("role")
            if here in facts:
                around_facts[here].add(there)
    for ident in ids:
        for fact in [n for n in ctx.neighbours.get(ident, ()) if n in facts]:
            ctx.neighbours[ident] |= around_facts[fact] - {ident}
            date = seed.nodes[fact].props.get("date")
            if date:
                ctx.dates[ident].append(str(date))
    for src in seed.sources.values():
        for ident in src.mentions & ids:
            ctx.sources[ident].add(src.id)
    return ctx


def _same_place(x: str, y: str) -> bool | None:
    """True for the same words, None when one's words hold the other's ('Ontario' and 'Halton Region,
    Ontario'), False otherwise."""
    a, b = set(fold(x).split()), set(fold(y).split())
    return True if a == b else None if a <= b or b <= a else False


def context_evidence(a: Actor, b: Actor, ctx: Context, facts: set[str]) -> list[Evidence]:
    out: list[Evidence] = []
    if a.label != b.label:
        out.append(Evidence("label", -0.15, f"{a.label} / {b.label}"))
    for key, cost in CONFLICTS.items():
        x, y = a.props.get(key), b.props.get(key)
        if x is None or y is None:
            continue
        same = _same_place(str(x), str(y)) if key == "jurisdiction" else x == y
        if same is False:
            out.append(Evidence(key, -cost, f"{x} / {y}"))
        elif same and key == "jurisdiction":
            out.append(Evidence(key, 0.05, f"both {x}"))
    link = ctx.links.get((a.id, b.id)) or ctx.links.get((b.id, a.id))
    if link:
        out.append(Evidence("linked", -0.3, f"linked to each other ({link}): two ends of one fact are two actors"))
    shared = (ctx.neighbours.get(a.id, set()) & ctx.neighbours.get(b.id, set())) - {a.id, b.id} - facts
    if shared:
        weight = sum(1 / max(1.0, ctx.degree[n]) ** 0.5 for n in shared)
        names = ", ".join(sorted(shared)[:5]) + (f" and {len(shared) - 5} more" if len(shared) > 5 else "")
        out.append(Evidence("neighbours", min(0.1, 0.05 * weight), f"{len(shared)} in common: {names}"))
    ea, eb = ctx.employers.get(a.id, {}), ctx.employers.get(b.id, {})
    employers = sorted(set(ea) & set(eb))
    if employers:
        roles = sorted({str(ea[e]) for e in employers if ea[e] and ea[e] == eb[e]})
        at = f"both hold a role at {', '.join(employers)}" + (f" ({', '.join(roles)})" if roles else "")
        out.append(Evidence("employer", 0.1 + (0.05 if roles else 0.0), at))
    both = sorted(ctx.sources.get(a.id, set()) & ctx.sources.get(b.id, set()))
    if both:
        out.append(Evidence("sources", min(0.03, 0.015 * len(both)), f"named together by {', '.join(both[:3])}"
                            + (f" and {len(both) - 3} more" if len(both) > 3 else "")))
    da, db = ctx.dates.get(a.id), ctx.dates.get(b.id)
    if da and db:
        ya, yb = (int(min(da)[:4]), int(max(da)[:4])), (int(min(db)[:4]), int(max(db)[:4]))
        span = f"{ya[0]}-{ya[1]} / {yb[0]}-{yb[1]}"
        if ya[0] <= yb[1] and yb[0] <= ya[1]:
            out.append(Evidence("dates", 0.02, f"their facts' years overlap ({span})"))
        elif max(ya[0], yb[0]) - min(ya[1], yb[1]) > 3:
            out.append(Evidence("dates", -0.05, f"their facts lie years apart ({span})"))
    return out


def lifted(name: float, context: list[Evidence]) -> list[Evidence]:
    """The context's evidence, what it adds scaled down to at most half the room the names leave
    (1 - their similarity): the names lead, the context orders and separates, and no score but that
    of the same names reaches 1."""
    room = (1.0 - name) / 2
    adds = sum(e.effect for e in context if e.effect > 0)
    if adds <= room:
        return context
    return [Evidence(e.feature, e.effect * room / adds, e.detail) if e.effect > 0 else e for e in context]


def xref(seed: Seed, judgements: Judgements | None = None, threshold: float = DEFAULT_THRESHOLD,
         max_block: int = MAX_BLOCK, vocab: Vocabulary = VOCABULARY) -> Result:
    """The candidate duplicates of `seed` scoring at least `threshold`, best first; pairs `judgements`
    decided are left out (counted in the stats)."""
    stats = Stats()
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stats.seconds[step] = now - clock
        clock = now

    actors = actors_of(seed, vocab)
    stats.actors = len(actors)
    lap("names")
    pairs = candidate_pairs(actors, max_block, stats)
    stats.pairs_compared = len(pairs)
    lap("blocking")
    named: list[tuple[Actor, Actor, float, str]] = []
    floor = max(threshold - MAX_BOOST, 2 * threshold - 1)  # the least names can score and still reach it
    for i, j in pairs:
        a, b = (actors[i], actors[j]) if actors[i].id < actors[j].id else (actors[j], actors[i])
        score, why = name_score(a, b, floor)
        if score < floor:
            continue
        if judgements is not None and judgements.decided(a.id, b.id):
            stats.judged += 1
            continue
        named.append((a, b, score, why))
    del pairs
    stats.pairs_scored = len(named)
    lap("comparing")
    facts = {i for i, n in seed.nodes.items() if vocab.nodes[n.label].is_fact}
    ctx = context_of(seed, {x.id for a, b, _, _ in named for x in (a, b)}, vocab) if named else Context()
    lap("context")
    found = []
    for a, b, score, why in named:
        evidence = [Evidence("names", score, why), *lifted(score, context_evidence(a, b, ctx, facts))]
        total = max(0.0, min(1.0, sum(e.effect for e in evidence)))
        if total >= threshold:
            found.append(Candidate(a.id, b.id, total, evidence))
    found.sort(key=lambda c: (-c.score, c.a, c.b))
    stats.candidates = len(found)
    lap("scoring")
    return Result(found, stats, threshold)


def rows(candidates: Iterable[Candidate]) -> list[dict[str, Any]]:
    """Rows for a table: the pair, its score, and its evidence in words."""
    return [{"a": c.a, "b": c.b, "score": round(c.score, 2),
             "evidence": "; ".join(f"{e.feature} {e.effect:+.2f}: {e.detail}" for e in c.evidence)}
            for c in candidates]
