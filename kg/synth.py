"""Synthetic seed data at scale, in kg's own seed format, for benchmarks and fault tests.

`generate(folder, entities=10_000, seed=7)` writes registries of actors and source files whose
facts link them: about five relationships per entity, with a realistic skew (a few hubs that
many facts point at, many leaves; a few sources that cite many facts). The same arguments always
write the same files. Everything it writes passes `kg validate`.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

#: share of entities per label
MIX = {"Person": 0.40, "PoliceAgency": 0.15, "Unit": 0.10, "Organization": 0.10, "Conference": 0.08,
       "OversightBody": 0.05, "Vendor": 0.04, "Product": 0.08}
#: (type, from label, to label, weight, properties maker)
RELATIONS: list[tuple[str, str, str, float]] = [
    ("HOLDS_ROLE", "Person", "PoliceAgency", 0.22),
    ("PART_OF", "Unit", "PoliceAgency", 0.08),
    ("USED", "PoliceAgency", "Product", 0.14),
    ("HAD_ACCESS", "Unit", "Product", 0.08),
    ("ATTENDED", "PoliceAgency", "Conference", 0.10),
    ("LEARNED_OF_AT", "PoliceAgency", "Conference", 0.06),
    ("PRESENTED_AT", "Product", "Conference", 0.05),
    ("MAKES", "Vendor", "Product", 0.04),
    ("HAS_JURISDICTION_OVER", "OversightBody", "PoliceAgency", 0.07),
    ("CRITICIZED", "Person", "PoliceAgency", 0.10),
    ("ORDERED_STOP", "OversightBody", "PoliceAgency", 0.06),
]
WORDS = ("police", "service", "officers", "facial", "recognition", "trial", "access", "review", "privacy",
         "commissioner", "statement", "investigation", "conference", "vendor", "product", "app", "images",
         "database", "oversight", "approval", "chief", "units")
ACTORS_PER_FILE = 20_000


@dataclass(frozen=True)
class Written:
    folder: Path
    entities: int
    relations: int
    statements: int
    sources: int
    files: int


def _zipf_pick(rng: random.Random, ids: list[str], hub_share: float = 0.02) -> str:
    """Mostly leaves, sometimes one of the few hubs."""
    hubs = max(1, int(len(ids) * hub_share))
    return ids[rng.randrange(hubs)] if rng.random() < 0.35 else ids[rng.randrange(len(ids))]


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _date(rng: random.Random) -> str:
    year = rng.choice((2018, 2019, 2020, 2021))
    precision = rng.random()
    if precision < 0.2:
        return str(year)
    if precision < 0.6:
        return f"{year}-{rng.randint(1, 12):02d}"
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _props(rng: random.Random, rel_type: str) -> dict[str, Any]:
    if rel_type == "USED":
        return {"mode": rng.choice(("trial", "evaluation", "research", "test", "operational")),
                "officers": rng.randint(1, 40), "start": _date(rng), "approved": rng.random() < 0.5}
    if rel_type == "HAD_ACCESS":
        return {"mode": rng.choice(("trial", "free_trial", "account")), "start": _date(rng)}
    if rel_type == "HOLDS_ROLE":
        return {"title": rng.choice(("Chief", "Deputy Chief", "Supt.", "Const.", "spokesperson")),
                "role": rng.choice(("chief", "deputy_chief", "superintendent", "constable", "spokesperson"))}
    if rel_type == "ORDERED_STOP":
        return {"kind": rng.choice(("order", "request", "directive")), "date": _date(rng)}
    if rel_type in ("ATTENDED", "CRITICIZED"):
        return {"date": _date(rng)}
    return {}


def _dump(path: Path, data: dict[str, Any]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        yaml.dump(data, f, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False,
                  allow_unicode=True, width=1000)


def generate(folder: Path, entities: int = 10_000, seed: int = 7, rels_per_entity: float = 5.0) -> Written:
    """Write a synthetic seed of about `entities` actors into `folder` (created; files replaced)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    (folder / "actors").mkdir(parents=True, exist_ok=True)
    (folder / "sources").mkdir(parents=True, exist_ok=True)
    for old in (*folder.glob("actors/*.yaml"), *folder.glob("sources/*.yaml")):
        old.unlink()
    by_label: dict[str, list[str]] = {label: [] for label in MIX}
    actors: list[dict[str, Any]] = []
    for label, share in MIX.items():
        for i in range(max(2, int(entities * share))):
            ident = f"{label.lower()}-{i}"
            by_label[label].append(ident)
            actors.append({"id": ident, "label": label, "name": f"{label} {i} {_text(rng, 2)}",
                           "aliases": [f"{label[:3].upper()}{i}"]})
    outlet = {"id": "synthetic-news", "label": "Organization", "name": "Synthetic News", "kind": "news_outlet"}
    actors.append(outlet)
    files = 0
    for start in range(0, len(actors), ACTORS_PER_FILE):
        _dump(folder / "actors" / f"actors-{start // ACTORS_PER_FILE:04d}.yaml",
              {"actors": actors[start:start + ACTORS_PER_FILE]})
        files += 1

    # relations, deduplicated by identity, dealt to sources with a skew: a few sources cite many facts
    total = int(len(actors) * rels_per_entity)
    weights = [w for *_, w in RELATIONS]
    seen: set[tuple[str, str, str]] = set()
    relations: list[dict[str, Any]] = []
    while len(relations) < total * 0.9:
        rel_type, src_label, dst_label, _ = rng.choices(RELATIONS, weights)[0]
        start_id = by_label[src_label][rng.randrange(len(by_label[src_label]))]
        end_id = _zipf_pick(rng, by_label[dst_label])
        if (start_id, rel_type, end_id) in seen:
            continue
        seen.add((start_id, rel_type, end_id))
        relations.append({"type": rel_type, "from": start_id, "to": end_id, **_props(rng, rel_type),
                          "quote": _text(rng, 8), "confidence": rng.choice(("high", "medium", "low"))})
    statements = max(1, total // 20)
    n_sources = max(2, len(actors) // 100)
    size_weights = [1.0 / (i + 1) ** 0.8 for i in range(n_sources)]
    # accumulated once: `choices(weights=...)` accumulates them on every call, O(sources) per fact
    # (hours at 1M entities); the picks are the same
    cum = list(itertools.accumulate(size_weights))
    sources = range(n_sources)
    buckets: list[list[dict[str, Any]]] = [[] for _ in range(n_sources)]
    for rel in relations:
        buckets[rng.choices(sources, cum_weights=cum)[0]].append(rel)
    speakers = by_label["Person"]
    statement_nodes: list[list[dict[str, Any]]] = [[] for _ in range(n_sources)]
    for i in range(statements):
        speaker = _zipf_pick(rng, speakers)
        agency = _zipf_pick(rng, by_label["PoliceAgency"])
        statement_nodes[rng.choices(sources, cum_weights=cum)[0]].append({
            "id": f"st-{i}", "label": "Statement", "name": f"Statement {i}", "date": _date(rng),
            "stance": rng.choice(("denial", "admission", "explanation", "criticism")),
            "summary": _text(rng, 10), "quote": _text(rng, 12), "confidence": "high",
            "links": [{"type": "MADE", "from": speaker}, {"type": "ON_BEHALF_OF", "to": agency}],
        })
    for i in range(n_sources):
        doc = {
            "source": {"id": f"src-synthetic-{i:05d}", "title": f"Synthetic article {i}", "publisher": "synthetic-news",
                       "published": _date(rng)},
            "nodes": statement_nodes[i],
            "relations": buckets[i],
        }
        _dump(folder / "sources" / f"source-{i:05d}.yaml", doc)
        files += 1
    return Written(folder, len(actors), len(relations) + 2 * statements, statements, n_sources, files)
