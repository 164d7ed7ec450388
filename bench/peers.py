"""The peers' inputs, made in a process of their own so that the benchmark itself never holds a
whole seed (at 1M entities that would be gigabytes in the parent, and its peak would leak into
every child's figures):

    python bench/peers.py SEED_DIR IMPORT_DIR WORK [--py2neo] [--sample N]

validates SEED_DIR with kg's own validator, then writes
- IMPORT_DIR/peer-*.csv: the rows for `LOAD CSV`, and WORK/load-csv.json: the statements reading them;
- WORK/py2neo-rows.json (with --py2neo): the same rows, ready-made for py2neo's bulk API;
- WORK/naive-sample.json (with --sample N): about N random rows for the per-row loop.
Nothing here is timed: the peers get their rows ready-made, before their clocks start.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.graph.schema import BASE_LABEL  # noqa: E402
from kg.seed.validate import validate  # noqa: E402
from kg.seed.validated import Seed  # noqa: E402

Rows = dict[str, list[dict[str, Any]]]
TX_ROWS = 2000


def rows_of(seed: Seed) -> tuple[Rows, Rows, list[dict[str, str]]]:
    nodes: Rows = defaultdict(list)
    for src in seed.sources.values():
        nodes["Source"].append(src.props)
    for node in seed.nodes.values():
        nodes[node.label].append(node.props)
    rels: Rows = defaultdict(list)
    for rel in seed.rels.values():
        rels[rel.type].append({"src": rel.start, "dst": rel.end, **rel.props})
    mentions = [{"src": s.id, "dst": m} for s in seed.sources.values() for m in sorted(s.mentions)]
    return nodes, rels, mentions


def _flat(value: Any) -> Any:
    return "|".join(map(str, value)) if isinstance(value, list) else value


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    columns = sorted({k for row in rows for k in row})
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _flat(v) for k, v in row.items()})


def load_csv_files(nodes: Rows, rels: Rows, mentions: list[dict[str, str]], import_dir: Path) -> list[str]:
    """CSV files of the rows in the server's import folder, and the `LOAD CSV` statements doing
    kg's MERGEs from them, server side, in transactions of TX_ROWS rows (run with auto-commit)."""
    statements = []
    for label, rows in nodes.items():
        path = import_dir / f"peer-nodes-{label}.csv"
        _write_csv(path, rows)
        statements.append(
            f"LOAD CSV WITH HEADERS FROM 'file:///{path.name}' AS row CALL (row) {{ "
            f"MERGE (n:{BASE_LABEL} {{id: row.id}}) SET n += row, n:{label}, n.aliases = split(row.aliases, '|'), "
            "n.sources = split(row.sources, '|'), n.quotes = split(row.quotes, '|') } "
            f"IN TRANSACTIONS OF {TX_ROWS} ROWS")
    for rel_type, rows in rels.items():
        path = import_dir / f"peer-rels-{rel_type}.csv"
        _write_csv(path, rows)
        statements.append(
            f"LOAD CSV WITH HEADERS FROM 'file:///{path.name}' AS row CALL (row) {{ "
            f"MATCH (a:{BASE_LABEL} {{id: row.src}}) MATCH (b:{BASE_LABEL} {{id: row.dst}}) "
            f"MERGE (a)-[r:{rel_type} {{key: row.key}}]->(b) SET r += row {{.*, src: null, dst: null}}, "
            f"r.sources = split(row.sources, '|'), r.quotes = split(row.quotes, '|') }} "
            f"IN TRANSACTIONS OF {TX_ROWS} ROWS")
    path = import_dir / "peer-mentions.csv"
    _write_csv(path, mentions)
    statements.append(
        f"LOAD CSV WITH HEADERS FROM 'file:///{path.name}' AS row CALL (row) {{ "
        f"MATCH (s:{BASE_LABEL} {{id: row.src}}) MATCH (n:{BASE_LABEL} {{id: row.dst}}) MERGE (s)-[:MENTIONS]->(n) "
        f"}} IN TRANSACTIONS OF {TX_ROWS} ROWS")
    return statements


def naive_sample(nodes: Rows, rels: Rows, sample: int) -> dict[str, list[Any]]:
    """About `sample` random rows: nodes, and relationships (whose ends the loop MERGEs too)."""
    all_nodes = [(label, row) for label, rows in nodes.items() for row in rows]
    all_rels = [(t, row) for t, rows in rels.items() for row in rows]
    rng = random.Random(3)  # noqa: S311
    share = min(1.0, sample / (len(all_nodes) + len(all_rels)))
    return {"nodes": [x for x in all_nodes if rng.random() < share],
            "rels": [x for x in all_rels if rng.random() < share]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("seed", type=Path)
    parser.add_argument("import_dir", type=Path)
    parser.add_argument("work", type=Path)
    parser.add_argument("--py2neo", action="store_true")
    parser.add_argument("--sample", type=int, default=0)
    args = parser.parse_args()
    seed = validate([args.seed])
    nodes, rels, mentions = rows_of(seed)
    del seed
    statements = load_csv_files(nodes, rels, mentions, args.import_dir)
    (args.work / "load-csv.json").write_text(json.dumps(statements))
    if args.py2neo:
        (args.work / "py2neo-rows.json").write_text(
            json.dumps({"nodes": nodes, "rels": rels, "mentions": mentions}, default=str))
    if args.sample:
        (args.work / "naive-sample.json").write_text(json.dumps(naive_sample(nodes, rels, args.sample), default=str))


if __name__ == "__main__":
    main()
