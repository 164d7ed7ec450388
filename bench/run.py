"""All of kg's benchmarks in one run, written to docs/benchmarks.md.

    make bench                       # or: .venv/bin/python bench/run.py [--scales 1000 10000 100000]

Everything is measured side by side on one dedicated local Neo4j (started here on free ports)
and reported as ratios, because this machine is shared and noisy: an absolute number is only
comparable with its neighbour in the same run.

- loading: `kg load` (the real command, a subprocess: parse, validate, write) against
  (a) a naive loop of one auto-commit `MERGE` per row through the driver (timed on a sample),
  (b) the server doing the same MERGEs itself with `LOAD CSV ... CALL { } IN TRANSACTIONS`
      from CSV files of the same rows (the CSV files are written before the clock starts),
  (c) py2neo's bulk `merge_nodes` / `merge_relationships` over Bolt;
  plus `kg load`'s peak memory (max RSS of the process);
- questions: p50 and p95 of every named question (with its example parameters, on the seed
  plus the synthetic graph) against a `RETURN 1` round trip through the same code path;
- the CLI: `kg --help` against `python -c "import typer"`;
- neo4j-rust-ext: `kg load` with and without the driver's Rust extension (a second venv);
- views: bench/viz.py (build time, Chromium's time to a stabilised page) at 500, 2,000, 5,000 nodes.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import catalogue, queries, versions  # noqa: E402
from kg.config import Settings  # noqa: E402
from kg.db import Database  # noqa: E402
from kg.schema import BASE_LABEL  # noqa: E402
from kg.seed import validate  # noqa: E402
from kg.seed.loader import ensure_schema, load, wipe  # noqa: E402
from kg.seed.validate import Seed  # noqa: E402
from kg.server import LocalServer, free_port  # noqa: E402
from kg.synth import generate  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - start, value


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run_kg_load(python: str, folder: Path, env: dict[str, str]) -> dict[str, float]:
    """The real `kg load` as a subprocess: wall time, peak memory, and the write phase it reports.
    The peak is the process's own VmHWM, read from /proc while it runs: wait4's ru_maxrss would
    carry this parent's high-water mark (it holds a whole synthetic seed) across fork and exec."""
    from bench.exports import _hwm_kb

    start = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:
        proc = subprocess.Popen([python, "-m", "kg", "load", str(folder)], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=log, text=True)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _hwm_kb(proc.pid))
            time.sleep(0.02)
        wall = time.perf_counter() - start
        log.seek(0)
        stderr = log.read()
    if proc.returncode != 0:
        raise SystemExit(f"kg load failed: {stderr}")
    match = re.search(r" in ([\d.]+)s;", stderr)
    return {"wall": wall, "write": float(match.group(1)) if match else float("nan"), "max_rss_mb": peak / 1024}


# --- the peers ---------------------------------------------------------------------------------------

Rows = dict[str, list[dict[str, Any]]]


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


def load_csv(db: Database, seed: Seed, import_dir: Path) -> float:
    """The same MERGEs done by the server from CSV files (written before the clock starts)."""
    nodes, rels, mentions = rows_of(seed)
    statements = []
    for label, rows in nodes.items():
        path = import_dir / f"nodes-{label}.csv"
        _write_csv(path, rows)
        statements.append(
            f"LOAD CSV WITH HEADERS FROM 'file:///{path.name}' AS row CALL (row) {{ "
            f"MERGE (n:{BASE_LABEL} {{id: row.id}}) SET n += row, n:{label}, n.aliases = split(row.aliases, '|'), "
            "n.sources = split(row.sources, '|'), n.quotes = split(row.quotes, '|') } IN TRANSACTIONS OF 2000 ROWS")
    for rel_type, rows in rels.items():
        path = import_dir / f"rels-{rel_type}.csv"
        _write_csv(path, rows)
        statements.append(
            f"LOAD CSV WITH HEADERS FROM 'file:///{path.name}' AS row CALL (row) {{ "
            f"MATCH (a:{BASE_LABEL} {{id: row.src}}) MATCH (b:{BASE_LABEL} {{id: row.dst}}) "
            f"MERGE (a)-[r:{rel_type} {{key: row.key}}]->(b) SET r += row {{.*, src: null, dst: null}}, "
            "r.sources = split(row.sources, '|'), r.quotes = split(row.quotes, '|') } IN TRANSACTIONS OF 2000 ROWS")
    path = import_dir / "mentions.csv"
    _write_csv(path, mentions)
    statements.append(
        f"LOAD CSV WITH HEADERS FROM 'file:///{path.name}' AS row CALL (row) {{ "
        f"MATCH (s:{BASE_LABEL} {{id: row.src}}) MATCH (n:{BASE_LABEL} {{id: row.dst}}) MERGE (s)-[:MENTIONS]->(n) "
        "} IN TRANSACTIONS OF 2000 ROWS")
    start = time.perf_counter()
    for statement in statements:
        db.run_auto(statement)
    return time.perf_counter() - start


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    columns = sorted({k for row in rows for k in row})
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _flat(v) for k, v in row.items()})


def naive(db: Database, seed: Seed, sample: int) -> tuple[float, int]:
    """One auto-commit MERGE per row, on a sample of the rows (nodes first, then their relationships)."""
    nodes, rels, _ = rows_of(seed)
    all_nodes = [(label, row) for label, rows in nodes.items() for row in rows]
    all_rels = [(t, row) for t, rows in rels.items() for row in rows]
    rng = random.Random(3)  # noqa: S311
    share = min(1.0, sample / (len(all_nodes) + len(all_rels)))
    picked_nodes = [x for x in all_nodes if rng.random() < share]
    # relationships between sampled nodes are rare: take sampled relationships and MERGE their ends too
    picked_rels = [x for x in all_rels if rng.random() < share]
    start = time.perf_counter()
    with db.driver.session(database=db.settings.database) as session:
        for label, row in picked_nodes:
            session.run(f"MERGE (n:{BASE_LABEL} {{id: $id}}) SET n += $props, n:{label}", id=row["id"],
                        props=row).consume()
        for rel_type, row in picked_rels:
            props = {k: v for k, v in row.items() if k not in ("src", "dst")}
            session.run(f"MERGE (a:{BASE_LABEL} {{id: $src}}) MERGE (b:{BASE_LABEL} {{id: $dst}}) "
                        f"MERGE (a)-[r:{rel_type} {{key: $key}}]->(b) SET r += $props",
                        src=row["src"], dst=row["dst"], key=row["key"], props=props).consume()
    return time.perf_counter() - start, len(picked_nodes) + len(picked_rels)


PY2NEO_SCRIPT = r"""
import json, sys, time
from py2neo import Graph
from py2neo.bulk import merge_nodes, merge_relationships
uri, user, password, path = sys.argv[1:5]
data = json.load(open(path))
graph = Graph(uri, auth=(user, password), name="neo4j")
start = time.perf_counter()
for label, rows in data["nodes"].items():
    for i in range(0, len(rows), 2000):
        merge_nodes(graph.auto(), rows[i:i + 2000], ("Entity", "id"), labels={label})
for rel_type, rows in data["rels"].items():
    for i in range(0, len(rows), 2000):
        chunk = [(r["src"], {k: v for k, v in r.items() if k not in ("src", "dst")}, r["dst"])
                 for r in rows[i:i + 2000]]
        merge_relationships(graph.auto(), chunk, (rel_type, "key"), start_node_key=("Entity", "id"),
                            end_node_key=("Entity", "id"))
for i in range(0, len(data["mentions"]), 2000):
    chunk = [(r["src"], {}, r["dst"]) for r in data["mentions"][i:i + 2000]]
    merge_relationships(graph.auto(), chunk, "MENTIONS", start_node_key=("Entity", "id"), end_node_key=("Entity", "id"))
print(time.perf_counter() - start)
"""


def py2neo_bulk(settings: Settings, seed: Seed, work: Path) -> float | str:
    try:
        import py2neo  # noqa: F401
    except ImportError:
        return "py2neo is not installed (pip install 'kg[py2neo]')"
    nodes, rels, mentions = rows_of(seed)
    path = work / "py2neo-rows.json"
    path.write_text(json.dumps({"nodes": nodes, "rels": rels, "mentions": mentions}, default=str))
    script = work / "py2neo_bulk.py"
    script.write_text(PY2NEO_SCRIPT)
    proc = subprocess.run([sys.executable, str(script), settings.uri, settings.username, settings.password or "",
                           str(path)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return "failed: " + " ".join(proc.stderr.strip().splitlines()[-1:])
    return float(proc.stdout.strip())


# --- questions -----------------------------------------------------------------------------------------

def latencies(db: Database, runs: int) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}

    def measure(fn: Any) -> dict[str, float]:
        for _ in range(3):
            fn()
        samples = [timed(fn)[0] * 1000 for _ in range(runs)]
        return {"p50": statistics.median(samples), "p95": percentile(samples, 0.95)}

    out["RETURN 1"] = measure(lambda: db.read("RETURN 1 AS one"))
    for name, query in catalogue.catalogue().items():
        args = query.example_args(optional=True)  # targeted: an answer that does not grow with the graph
        out[name] = measure(lambda q=query, a=args: queries.run(db, q, a))
        out[name]["rows"] = len(queries.run(db, query, args).rows)
    return out


# --- the CLI and the driver's Rust extension -------------------------------------------------------------

def help_ratio(runs: int = 10) -> dict[str, float]:
    def wall(cmd: list[str]) -> float:
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True, cwd=ROOT)
            samples.append(time.perf_counter() - start)
        return statistics.median(samples)

    kg_help = wall([sys.executable, "-m", "kg", "--help"])
    typer_import = wall([sys.executable, "-c", "import typer"])
    return {"kg_help_s": kg_help, "import_typer_s": typer_import, "ratio": kg_help / typer_import}


def has_rust_ext() -> bool:
    import importlib.util

    return importlib.util.find_spec("neo4j._rust") is not None


def other_venv() -> str | None:
    """A second environment that differs from this one only in having or not having
    neo4j-rust-ext (kg depends on it, so usually: one without it), made once under bench/results/."""
    without = has_rust_ext()
    venv = RESULTS / ("venv-without-rust" if without else "venv-rust")
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        steps = [["install", "-q", "-e", str(ROOT)]]
        steps.append(["uninstall", "-q", "-y", "neo4j-rust-ext"] if without else ["install", "-q", "neo4j-rust-ext"])
        for step in steps:
            if subprocess.run([str(python), "-m", "pip", *step], capture_output=True, check=False).returncode:
                return None
    return str(python)


# --- the report ------------------------------------------------------------------------------------------

def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "0")
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    return (f"{os.cpu_count()} cores ({cpu}), {int(mem) // 1048576} GiB, Linux {platform.release()}, "
            f"Python {platform.python_version()}, {java}, Neo4j {versions.NEO4J_VERSION} community")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=30, help="timed runs per question")
    parser.add_argument("--naive-sample", type=int, default=3_000, help="rows timed for the per-row loop")
    parser.add_argument("--viz-nodes", type=int, nargs="*", default=[500, 2_000, 5_000])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--only-questions", action="store_true",
                        help="measure the questions again and keep the rest of bench/results/results.json")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    server = LocalServer(work / "neo4j", bolt_port=free_port(), http_port=free_port(), heap="2g", pagecache="1g")
    password = "bench-" + os.urandom(8).hex()
    print(f"starting a dedicated Neo4j in {server.home} ...", file=sys.stderr)
    server.start("neo4j", password, timeout=300)
    settings = Settings(uri=server.bolt_uri, username="neo4j", password=password)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "KG_"))}
    env.update(NEO4J_URI=settings.uri, NEO4J_USERNAME="neo4j", NEO4J_PASSWORD=password)
    report: dict[str, Any] = {"machine": machine(), "scales": {}}
    if args.only_questions:
        report = json.loads((RESULTS / "results.json").read_text())
        report["scales"] = {int(k): v for k, v in report["scales"].items()}
    try:
        with Database(settings) as db:
            ensure_schema(db)
            for n in args.scales:
                print(f"scale {n}: generating ...", file=sys.stderr)
                folder = work / f"synth-{n}"
                generate(folder, entities=n)
                validate_s, seed = timed(validate, [folder])
                if args.only_questions:
                    wipe(db)
                    load(db, validate([ROOT / "seed"]))
                    load(db, seed)
                    report["scales"][n]["questions"] = latencies(db, args.runs)
                    wipe(db)
                    (RESULTS / "results.json").write_text(json.dumps(report, indent=2, default=str))
                    continue
                rows = len(seed.sources) + len(seed.nodes) + len(seed.rels)
                r: dict[str, Any] = {"rows": rows, "nodes": len(seed.nodes), "relationships": len(seed.rels),
                                     "files": len(seed.files), "validate_s": validate_s,
                                     "bytes": sum(p.stat().st_size for p in folder.rglob("*.yaml"))}
                wipe(db)
                print(f"scale {n}: kg load ...", file=sys.stderr)
                r["kg_load"] = run_kg_load(sys.executable, folder, env)
                counts = db.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
                r["graph_nodes"] = counts
                r["graph_relationships"] = db.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
                wipe(db)
                print(f"scale {n}: LOAD CSV ...", file=sys.stderr)
                r["load_csv_s"] = load_csv(db, seed, server.home / "import")
                wipe(db)
                print(f"scale {n}: per-row loop (sample) ...", file=sys.stderr)
                naive_s, naive_rows = naive(db, seed, args.naive_sample)
                r["naive"] = {"seconds": naive_s, "rows": naive_rows}
                wipe(db)
                print(f"scale {n}: py2neo ...", file=sys.stderr)
                r["py2neo"] = py2neo_bulk(settings, seed, work)
                wipe(db)
                if n == 10_000 or (n == args.scales[-1] and 10_000 not in args.scales):
                    python = other_venv()
                    if python:
                        print(f"scale {n}: kg load with and without neo4j-rust-ext ...", file=sys.stderr)
                        other = run_kg_load(python, folder, env)
                        wipe(db)
                        again = run_kg_load(sys.executable, folder, env)
                        wipe(db)
                        this = [r["kg_load"], again]
                        r["rust"] = ({"with": this, "without": [other]} if has_rust_ext()
                                     else {"with": [other], "without": this})
                print(f"scale {n}: questions ...", file=sys.stderr)
                load(db, validate([ROOT / "seed"]))
                load(db, seed)
                r["questions"] = latencies(db, args.runs)
                wipe(db)
                report["scales"][n] = r
                (RESULTS / "results.json").write_text(json.dumps(report, indent=2, default=str))
        if not args.only_questions:
            report["help"] = help_ratio()
        if args.viz_nodes and not args.only_questions:
            print("views ...", file=sys.stderr)
            proc = subprocess.run([sys.executable, str(ROOT / "bench" / "viz.py"), "--nodes",
                                   *map(str, args.viz_nodes)], capture_output=True, text=True, cwd=ROOT)
            report["viz"] = (json.loads((RESULTS / "viz.json").read_text()) if proc.returncode == 0
                             else {"error": proc.stderr[-500:]})
        (RESULTS / "results.json").write_text(json.dumps(report, indent=2, default=str))
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    args.out.write_text(render(report), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


def render(report: dict[str, Any]) -> str:
    from bench.report import render as markdown

    return markdown(report)


if __name__ == "__main__":
    main()
