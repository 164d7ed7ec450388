"""Exports at growing scale: does memory stay flat? Written to docs/benchmarks-exports.md.

    .venv/bin/python bench/exports.py [--scales 10000 100000]     (also part of `make bench`)

One dedicated local Neo4j; at each scale the synthetic graph (kg/synth.py, the same generator as
bench/run.py) is loaded, then each format is exported by the real command (`kg export`, a
subprocess) and its wall time and peak memory (max RSS) are taken. `kg stats` in the same run is
the baseline: the cost of starting kg and talking to the server at all. Peak memory is the
process's own VmHWM, read from /proc while it runs (Linux). Memory is flat when an
export's peak at the largest scale is within 1.25x of its peak at the smallest, while the graph
grows 10x. Every figure in the report comes from the run that writes it.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.config import Settings  # noqa: E402
from kg.graph.db import Database  # noqa: E402
from kg.seed.loader import load, wipe  # noqa: E402
from kg.seed.validate import validate  # noqa: E402
from kg.server.local import LocalServer  # noqa: E402
from kg.server.ports import free_port  # noqa: E402
from kg.synth import generate  # noqa: E402

FORMATS = ("jsonl", "graphml", "gexf", "csv", "ftm")
FLAT = 1.25


def _hwm_kb(pid: int) -> int:
    """The process's own peak resident memory (VmHWM, reset at exec), or 0 once it has gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    line = next((ln for ln in status.splitlines() if ln.startswith("VmHWM:")), "VmHWM: 0 kB")
    return int(line.split()[1])


def measure(args: list[str], env: dict[str, str]) -> dict[str, float]:
    """Wall time and peak memory of `kg ARGS`. The peak is read from /proc while the process runs:
    `ru_maxrss` from wait4 would report the parent's high-water mark, which a child inherits
    across fork and exec on Linux (this parent holds a whole synthetic graph)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "kg", *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _hwm_kb(proc.pid))
        time.sleep(0.02)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"kg {' '.join(args)} failed: {proc.stderr.read() if proc.stderr else ''}")
    return {"wall": wall, "max_rss_mb": peak / 1024}


def dedicated_server(work: Path) -> tuple[LocalServer, Settings, dict[str, str]]:
    """A local Neo4j of the benchmark's own, started (free ports, a random password), its settings, and
    the environment a kg subprocess reaches it with (nothing else of NEO4J_* or KG_* kept)."""
    server = LocalServer(work / "neo4j", bolt_port=free_port(), http_port=free_port(), heap="2g", pagecache="1g")
    password = "bench-" + os.urandom(8).hex()
    server.start("neo4j", password, timeout=300)
    settings = Settings(uri=server.bolt_uri, username="neo4j", password=password)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "KG_"))}
    env.update(NEO4J_URI=settings.uri, NEO4J_USERNAME="neo4j", NEO4J_PASSWORD=password)
    return server, settings, env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks-exports.md")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kg-bench-exports-"))
    server, settings, env = dedicated_server(work)
    results: dict[int, dict[str, Any]] = {}
    try:
        for scale in args.scales:
            folder = work / f"seed-{scale}"
            generate(folder, entities=scale, seed=7)
            with Database(settings) as db:
                wipe(db)
                load(db, validate([folder]))
                nodes = db.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
                rels = db.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
            row: dict[str, Any] = {"nodes": nodes, "relationships": rels, "stats": measure(["stats"], env)}
            for fmt in FORMATS:
                target = work / f"out-{scale}.{fmt}"
                row[fmt] = measure(["export", "--format", fmt, "--out", str(target)], env)
                print(f"{scale}: {fmt} {row[fmt]}", file=sys.stderr)
            results[scale] = row
    finally:
        server.stop()
    args.out.write_text(render(results), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


def render(results: dict[int, dict[str, Any]]) -> str:
    scales = sorted(results)
    small, large = scales[0], scales[-1]
    lines = [
        "# Exports at scale",
        "",
        "Generated by `bench/exports.py` (part of `make bench`); every figure below comes from the run that",
        f"wrote this file, on {platform.machine()} with {os.cpu_count()} cores, Python {platform.python_version()}.",
        "Each export is the real `kg export --format F --out PATH` (a subprocess) against a dedicated local",
        "Neo4j holding the synthetic graph; `kg stats` in the same run is the baseline cost of starting kg",
        "and talking to the server.",
        "",
        "| scale (entities) | nodes | relationships | format | wall (s) | peak memory (MB) | memory / `kg stats` |",
        "| ---: | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    for scale in scales:
        row = results[scale]
        base = row["stats"]["max_rss_mb"]
        lines.append(f"| {scale:,} | {row['nodes']:,} | {row['relationships']:,} | (`kg stats`) | "
                     f"{row['stats']['wall']:.1f} | {base:.0f} | 1.00x |")
        for fmt in FORMATS:
            m = row[fmt]
            lines.append(f"| {scale:,} | | | {fmt} | {m['wall']:.1f} | {m['max_rss_mb']:.0f} | "
                         f"{m['max_rss_mb'] / base:.2f}x |")
    growth = results[large]["nodes"] + results[large]["relationships"]
    growth /= max(1, results[small]["nodes"] + results[small]["relationships"])
    lines += [
        "",
        f"## Target: memory flat from {small:,} to {large:,} entities (the graph grows {growth:.1f}x)",
        "",
        f"Flat means an export's peak memory at {large:,} is at most {FLAT}x its peak at {small:,}.",
        "",
        "| format | peak at small (MB) | peak at large (MB) | ratio | met |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for fmt in FORMATS:
        a, b = results[small][fmt]["max_rss_mb"], results[large][fmt]["max_rss_mb"]
        lines.append(f"| {fmt} | {a:.0f} | {b:.0f} | {b / a:.2f}x | {'met' if b / a <= FLAT else 'not met'} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
