"""All of kg's loading and question benchmarks in one run, written to docs/benchmarks.md (and its
chart, docs/benchmarks-growth.png).

    make bench        # or: .venv/bin/python bench/run.py [--scales 10000 100000 1000000]

Everything is measured side by side on one dedicated local Neo4j, started here the way a user
starts one (`kg db up`, in a state folder of its own, on free ports), and reported as ratios,
because this machine is shared and noisy: an absolute number is only comparable with its
neighbour in the same run.

At each scale, a synthetic seed (kg/synth.py) is the whole seed of a project folder of its own, and:
- `kg validate`, `kg load` into an empty database, `kg load` again (no change) and `kg load --bulk`
  run as the real commands (subprocesses): wall time, the writing time `kg load` reports, and
  the process's own peak memory;
- the peers get the same rows ready-made (bench/peers.py, a process of its own, before their
  clocks start): `LOAD CSV` doing the same MERGEs server side (into an empty database, then again
  over the loaded one), py2neo's bulk API (the same two), a per-row loop of auto-commit MERGEs
  (on a sample);
- the questions: p50 and p95 of every named question over the seed plus the synthetic graph,
  against a `RETURN 1` round trip through the same code path.
The largest scale (1M entities by default) runs what stays affordable there: `kg validate`,
`kg load --bulk`, `LOAD CSV`, and `kg load` with a time limit. Also: `kg --help` against
`import typer`, and `kg load` with and without neo4j-rust-ext, alternating.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pty
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.exports import _hwm_kb  # noqa: E402  (a process's own peak memory)
from kg import versions  # noqa: E402
from kg.config import Settings  # noqa: E402
from kg.graph.db import Database  # noqa: E402
from kg.questions import catalogue  # noqa: E402
from kg.questions import run as queries  # noqa: E402
from kg.seed.loader import ensure_schema, wipe  # noqa: E402
from kg.server.ports import free_port  # noqa: E402
from kg.synth import generate  # noqa: E402

RESULTS = ROOT / "bench" / "results"
CHART = ROOT / "docs" / "benchmarks-growth.png"


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - start, value


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class Kg:
    """The real `kg` command, as a subprocess, in the benchmark's environment."""

    def __init__(self, env: dict[str, str], python: str = sys.executable) -> None:
        self.env, self.python = env, python

    def __call__(self, *args: str, project: Path | None = None, timeout: float | None = None,
                 python: str | None = None, check: bool = True) -> dict[str, Any]:
        """Wall time, peak memory (the process's own VmHWM, read from /proc while it runs: wait4's
        ru_maxrss would carry this parent's high-water mark across fork and exec), and what it said."""
        env = dict(self.env)
        if project is not None:
            env["KG_PROJECT"] = str(project)
        start = time.perf_counter()
        with tempfile.TemporaryFile("w+", encoding="utf-8") as log:
            proc = subprocess.Popen([python or self.python, "-m", "kg", *args], cwd=ROOT, env=env,
                                    stdout=subprocess.DEVNULL, stderr=log, text=True)
            peak = 0
            timed_out = False
            while proc.poll() is None:
                peak = max(peak, _hwm_kb(proc.pid))
                if timeout is not None and time.perf_counter() - start > timeout:
                    proc.kill()
                    proc.wait()
                    timed_out = True
                    break
                time.sleep(0.02)
            wall = time.perf_counter() - start
            log.seek(0)
            stderr = log.read()
        if timed_out:
            return {"wall": wall, "timed_out": True, "max_rss_mb": peak / 1024}
        if proc.returncode != 0 and check:
            raise SystemExit(f"kg {' '.join(args)} failed ({proc.returncode}): {stderr[-2000:]}")
        match = re.search(r" in ([\d.]+) ?s;", stderr)
        out: dict[str, Any] = {"wall": wall, "max_rss_mb": peak / 1024, "rc": proc.returncode,
                               "said": stderr.strip().splitlines()[-3:]}
        if match:
            out["write"] = float(match.group(1))
        counts = re.search(r"ok: (\d+) files, (\d+) sources, (\d+) nodes, (\d+) relationships", stderr)
        if counts:
            out["counts"] = dict(zip(("files", "sources", "nodes", "relationships"), map(int, counts.groups()),
                                     strict=True))
        return out


def shows_progress(kg: Kg, project: Path) -> dict[str, bool]:
    """`kg load` in a pseudo-terminal: does it show its validating and loading bars?"""
    env = {**kg.env, "KG_PROJECT": str(project), "COLUMNS": "100"}
    master, slave = pty.openpty()
    proc = subprocess.Popen([kg.python, "-m", "kg", "load"], cwd=ROOT, env=env, stdin=slave, stdout=slave,
                            stderr=slave, close_fds=True)
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    proc.wait()
    os.close(master)
    text = seen.decode("utf-8", "replace")
    return {"validating": "validating" in text, "loading": "loading" in text, "exit": proc.returncode}


# --- the peers -------------------------------------------------------------------------------------------

def prepare_peers(seed: Path, import_dir: Path, work: Path, py2neo: bool, sample: int, env: dict[str, str]) -> float:
    cmd = [sys.executable, str(ROOT / "bench" / "peers.py"), str(seed), str(import_dir), str(work)]
    if py2neo:
        cmd.append("--py2neo")
    if sample:
        cmd += ["--sample", str(sample)]
    seconds, proc = timed(subprocess.run, cmd, capture_output=True, text=True, env=env)  # kg's settings
    if proc.returncode:
        raise SystemExit(f"bench/peers.py failed: {proc.stderr[-2000:]}")
    return float(seconds)


def load_csv(db: Database, work: Path) -> float:
    """The server doing kg's MERGEs itself from CSV files (bench/peers.py wrote them and the statements)."""
    statements = json.loads((work / "load-csv.json").read_text())
    start = time.perf_counter()
    for statement in statements:
        db.run_auto(statement)
    return time.perf_counter() - start


def naive(db: Database, work: Path) -> tuple[float, int]:
    """One auto-commit MERGE per row, on the sample bench/peers.py drew (nodes, then relationships)."""
    from kg.graph.schema import BASE_LABEL

    sample = json.loads((work / "naive-sample.json").read_text())
    start = time.perf_counter()
    with db.driver.session(database=db.settings.database) as session:
        for label, row in sample["nodes"]:
            session.run(f"MERGE (n:{BASE_LABEL} {{id: $id}}) SET n += $props, n:{label}", id=row["id"],
                        props=row).consume()
        for rel_type, row in sample["rels"]:
            props = {k: v for k, v in row.items() if k not in ("src", "dst")}
            session.run(f"MERGE (a:{BASE_LABEL} {{id: $src}}) MERGE (b:{BASE_LABEL} {{id: $dst}}) "
                        f"MERGE (a)-[r:{rel_type} {{key: $key}}]->(b) SET r += $props",
                        src=row["src"], dst=row["dst"], key=row["key"], props=props).consume()
    return time.perf_counter() - start, len(sample["nodes"]) + len(sample["rels"])


PY2NEO_SCRIPT = r"""
import json, sys, time
from py2neo import Graph
from py2neo.bulk import merge_nodes, merge_relationships
uri, user, path, times = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
data = json.load(open(path))
graph = Graph(uri, auth=(user, sys.stdin.readline().strip()), name="neo4j")
for _ in range(times):
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
        merge_relationships(graph.auto(), chunk, "MENTIONS", start_node_key=("Entity", "id"),
                            end_node_key=("Entity", "id"))
    print(time.perf_counter() - start, flush=True)
"""


def py2neo_bulk(settings: Settings, work: Path) -> list[float] | str:
    """py2neo's bulk API over the same rows: into an empty database, then again (no change)."""
    try:
        import py2neo  # noqa: F401
    except ImportError:
        return "py2neo is not installed (pip install 'kg[py2neo]')"
    script = work / "py2neo_bulk.py"
    script.write_text(PY2NEO_SCRIPT)
    proc = subprocess.run([sys.executable, str(script), settings.uri, settings.username,
                           str(work / "py2neo-rows.json"), "2"], input=(settings.password or "") + "\n",
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return "failed: " + " ".join(proc.stderr.strip().splitlines()[-1:])
    return [float(x) for x in proc.stdout.split()]


# --- questions -----------------------------------------------------------------------------------------

def latencies(db: Database, runs: int) -> dict[str, dict[str, float]]:
    """p50 and p95, in ms, of `RETURN 1` and every named question over `runs` rounds. Each round times
    each of them once, in an order rotated round by round, so that the yardstick and the questions
    share the same moments (a server settling after a load, the machine's other work): measured one
    after the other, `RETURN 1`'s 30 runs could fall in a quieter second than a question's."""
    calls: dict[str, Any] = {"RETURN 1": lambda: db.read("RETURN 1 AS one")}
    rows: dict[str, int] = {}
    for name, query in catalogue.catalogue().items():
        args = query.example_args(optional=True)  # targeted: an answer that does not grow with the graph
        calls[name] = lambda q=query, a=args: queries.run(db, q, a)
        rows[name] = len(queries.run(db, query, args).rows)
    names = list(calls)
    for _ in range(3):
        for fn in calls.values():
            fn()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for i in range(runs):
        k = i % len(names)
        for name in names[k:] + names[:k]:
            samples[name].append(timed(calls[name])[0] * 1000)
    out: dict[str, dict[str, float]] = {}
    for name in names:
        out[name] = {"p50": statistics.median(samples[name]), "p95": percentile(samples[name], 0.95)}
        if name in rows:
            out[name]["rows"] = rows[name]
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
    # every time: kg's dependencies may have changed since the venv was made
    steps = [["install", "-q", "-e", str(ROOT)]]
    steps.append(["uninstall", "-q", "-y", "neo4j-rust-ext"] if without else ["install", "-q", "neo4j-rust-ext"])
    for step in steps:
        if subprocess.run([str(python), "-m", "pip", *step], capture_output=True, check=False).returncode:
            return None
    return str(python)



# --- profiles of the misses --------------------------------------------------------------------------------

def profile_kg(kg: Kg, project: Path, work: Path, *args: str) -> dict[str, Any]:
    """One more run of `kg ARGS` under cProfile: where its own (Python) time goes, by function."""
    import pstats

    out = work / "profile.out"
    env = {**kg.env, "KG_PROJECT": str(project)}
    start = time.perf_counter()
    proc = subprocess.run([kg.python, "-m", "cProfile", "-o", str(out), "-m", "kg", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode:
        return {"error": proc.stderr[-500:]}
    stats = pstats.Stats(str(out))
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (file, line, name), (_cc, _nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append({"function": f"{Path(file).name}:{line}({name})", "own_s": tt, "cumulative_s": ct})
    rows.sort(key=lambda r: -r["own_s"])
    return {"wall_profiled": wall, "total_s": total, "top": rows[:12]}


def profile_question(db: Database, name: str) -> list[dict[str, Any]]:
    """The operators of a question's plan that touch the store most (PROFILE, db hits and rows)."""
    from kg.questions.entities import resolve_entity
    from kg.questions.params import bind

    query = catalogue.catalogue()[name]
    params = bind(query, query.example_args(optional=True))
    for param in query.params.values():  # as kg.questions.run.run does
        if param.type == "entity" and params[param.name] is not None:
            params[param.name] = resolve_entity(db, str(params[param.name]))
    ops: list[dict[str, Any]] = []
    with db.driver.session(database=db.settings.database) as session:
        summary = session.run("PROFILE " + query.cypher, params).consume()

    def walk(plan: Any) -> None:
        if plan is None:
            return
        ops.append({"operator": plan.get("operatorType", "?"), "db_hits": plan.get("dbHits", 0),
                    "rows": plan.get("rows", 0)})
        for child in plan.get("children", []):
            walk(child)

    walk(summary.profile)
    ops.sort(key=lambda o: -o["db_hits"])
    return ops[:4]


# --- the report ------------------------------------------------------------------------------------------

def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "0")
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    disk = shutil.disk_usage(tempfile.gettempdir())
    return (f"{os.cpu_count()} cores ({cpu}), {int(mem) // 1048576} GiB, Linux {platform.release()}, "
            f"Python {platform.python_version()}, {java}, Neo4j {versions.NEO4J_VERSION} community; "
            f"{disk.free // 2**30} GiB free on the disk of {tempfile.gettempdir()}")


def synthetic(n: int) -> Path:
    """The synthetic seed of `n` entities, made once and kept under bench/results/synth/ (kg/synth.py
    always writes the same files for the same arguments; a change to it makes them again)."""
    import hashlib

    version = hashlib.sha256((ROOT / "kg" / "synth.py").read_bytes()).hexdigest()[:12]
    folder = RESULTS / "synth" / str(n)
    marker = folder / ".made-by"
    if not (marker.exists() and marker.read_text() == version):
        print(f"scale {n}: generating the synthetic seed ...", file=sys.stderr)
        shutil.rmtree(folder, ignore_errors=True)
        generate(folder, entities=n)
        marker.write_text(version)
    return folder


def counts(db: Database) -> tuple[int, int]:
    """kg's nodes (not its bookkeeping node) and all relationships."""
    from kg.graph.schema import BASE_LABEL

    return (db.read(f"MATCH (n:{BASE_LABEL}) RETURN count(n) AS n")[0]["n"],
            db.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"])


def save(report: dict[str, Any]) -> None:
    (RESULTS / "results.json").write_text(json.dumps(report, indent=2, default=str))


def measure_scale(n: int, r: dict[str, Any], kg: Kg, settings: Settings, work: Path, args: Any,
                  keep: Any = lambda: None) -> None:
    """Everything measured at one scale, into `r`. Above --full-upto, the database is emptied by
    starting it afresh (deleting millions of rows would take longer than the loads), and `kg load`
    runs last, with a time limit."""
    full = n <= args.full_upto
    project = work / f"project-{n}"
    project.mkdir(parents=True)
    (project / "seed").symlink_to(synthetic(n))
    import_dir = work / "state" / "neo4j" / "import"
    r.update(full=full, bytes=sum(p.stat().st_size for p in synthetic(n).rglob("*.yaml")))

    def empty() -> None:
        if full:
            with Database(settings) as db:
                wipe(db)
            return
        kg("db", "down")
        for sub in ("databases", "transactions"):
            shutil.rmtree(work / "state" / "neo4j" / "data" / sub / "neo4j", ignore_errors=True)
        kg("db", "up", "--backend", "local")

    def step(what: str) -> None:
        keep()  # what is measured so far is saved before each step: a failure loses only that step
        print(f"{time.strftime('%H:%M:%S')} scale {n}: {what} ...", file=sys.stderr)

    step("kg validate")
    r["validate"] = kg("validate", project=project)
    c = r["validate"]["counts"]
    r.update(files=c["files"], nodes=c["nodes"], relationships=c["relationships"],
             rows=c["sources"] + c["nodes"] + c["relationships"])
    empty()
    if full:
        step("kg load (empty database, then no change)")
        r["kg_load"] = kg("load", project=project)
        with Database(settings) as db:
            r["graph_nodes"], r["graph_relationships"] = counts(db)
        r["kg_reload"] = kg("load", project=project)
        empty()
    step("kg load --bulk")
    r["bulk"] = kg("load", "--bulk", project=project, check=False)
    if r["bulk"].get("rc") == 0:
        with Database(settings) as db:
            r["bulk_graph"] = list(counts(db))
    empty()
    step("the peers' rows")
    import_dir.mkdir(parents=True, exist_ok=True)
    r["peers_prepare_s"] = prepare_peers(project / "seed", import_dir, work, py2neo=full,
                                         sample=args.naive_sample if full else 0, env=kg.env)
    with Database(settings) as db:
        ensure_schema(db)  # the same constraints kg load makes: LOAD CSV's MATCHes use them
        step("LOAD CSV")
        r["load_csv_s"] = load_csv(db, work)
        r["load_csv_graph"] = list(counts(db))
        if full:
            r["load_csv_reload_s"] = load_csv(db, work)
    for f in import_dir.glob("peer-*.csv"):
        f.unlink()
    empty()
    if not full and args.large_load_limit > 0:
        step(f"kg load (at most {args.large_load_limit:.0f} s)")
        r["kg_load"] = kg("load", project=project, timeout=args.large_load_limit)
        if not r["kg_load"].get("timed_out"):
            with Database(settings) as db:
                r["graph_nodes"], r["graph_relationships"] = counts(db)
        empty()
    if not full:
        return
    with Database(settings) as db:
        step("per-row loop (sample)")
        naive_s, naive_rows = naive(db, work)
        r["naive"] = {"seconds": naive_s, "rows": naive_rows}
        wipe(db)
    step("py2neo")
    r["py2neo"] = py2neo_bulk(settings, work)
    empty()
    if n == 10_000 and args.rust_pairs:
        python = other_venv()
        if python:
            step("kg load with and without neo4j-rust-ext, alternating")
            runs: dict[str, list[dict[str, Any]]] = {"with": [], "without": []}
            this = "with" if has_rust_ext() else "without"
            that = "without" if this == "with" else "with"
            for i in range(args.rust_pairs):
                order = [(this, None), (that, python)] if i % 2 == 0 else [(that, python), (this, None)]
                for label, py in order:
                    empty()
                    runs[label].append(kg("load", project=project, python=py))
            empty()
            r["rust"] = runs
        step("progress in a terminal")
        r["progress"] = shows_progress(kg, project)
        empty()
    step("questions")
    kg("load", str(ROOT / "seed"), str(project / "seed"), project=project)
    with Database(settings) as db:
        r["questions"] = latencies(db, args.runs)
        base = r["questions"]["RETURN 1"]["p95"]
        r["question_profiles"] = {name: profile_question(db, name) for name, q in r["questions"].items()
                                  if name != "RETURN 1" and q["p95"] > 5 * base}
    empty()
    if n == args.full_upto:
        load = r["kg_load"]
        share = (load["wall"] - load.get("write", 0)) / load["wall"]
        p2n = r["py2neo"]
        slow = (r["load_csv_s"] < load["wall"] or share > 0.25
                or (isinstance(p2n, list) and p2n[0] < load["wall"]))
        if slow:
            step("a profile of kg load")
            r["load_profile"] = profile_kg(kg, project, work, "load")
            empty()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--full-upto", type=int, default=100_000,
                        help="larger scales run only kg validate, kg load --bulk, LOAD CSV and a time-limited kg load")
    parser.add_argument("--large-load-limit", type=float, default=1200.0,
                        help="seconds `kg load` may take at the scales above --full-upto (0: not run there)")
    parser.add_argument("--runs", type=int, default=200,
                        help="rounds timing RETURN 1 and every question once each (interleaved)")
    parser.add_argument("--rust-pairs", type=int, default=5, help="alternating pairs of kg load with/without rust")
    parser.add_argument("--naive-sample", type=int, default=3_000, help="rows timed for the per-row loop")
    parser.add_argument("--viz-nodes", type=int, nargs="*", default=[500, 2_000, 5_000])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a kill still stops the benchmark's server
    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    password = "bench-" + os.urandom(8).hex()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "KG_"))}
    # the largest synthetic sources outgrow the 32 MB default limit for one seed file at 1M entities
    env.update(KG_STATE_DIR=str(work / "state"), NEO4J_PASSWORD=password, KG_NEO4J_HEAP="4g",
               KG_NEO4J_PAGECACHE="4g", NO_COLOR="1", KG_MAX_SEED_FILE_MB="256")
    kg = Kg(env)
    bolt, http = free_port(), free_port()
    print(f"starting a dedicated Neo4j (kg db up) in {work / 'state'} ...", file=sys.stderr)
    started = kg("db", "up", "--backend", "local", "--bolt-port", str(bolt), "--http-port", str(http))
    settings = Settings(uri=f"bolt://127.0.0.1:{bolt}", username="neo4j", password=password)
    report: dict[str, Any] = {"machine": machine(), "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                              "server_start_s": started["wall"], "scales": {}, "question_rounds": args.runs,
                              "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                                       capture_output=True, text=True).stdout.strip()}
    try:
        for n in args.scales:
            report["scales"][n] = r = {}
            measure_scale(n, r, kg, settings, work, args, keep=lambda: save(report))
            save(report)
        report["help"] = help_ratio()
        if args.viz_nodes:
            print("views ...", file=sys.stderr)
            proc = subprocess.run([sys.executable, str(ROOT / "bench" / "viz.py"), "--nodes",
                                   *map(str, args.viz_nodes)], capture_output=True, text=True, cwd=ROOT)
            report["viz"] = (json.loads((RESULTS / "viz.json").read_text()) if proc.returncode == 0
                             else {"error": proc.stderr[-500:]})
        report["finished"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        save(report)
    finally:
        kg("db", "down", check=False)
        shutil.rmtree(work, ignore_errors=True)
    write_report(report, args.out)


def write_report(report: dict[str, Any], out: Path) -> None:
    from bench.report import chart, render

    chart(report, CHART)
    out.write_text(render(report, CHART.name), encoding="utf-8")
    print(f"wrote {out} and {CHART}", file=sys.stderr)


if __name__ == "__main__":
    main()
