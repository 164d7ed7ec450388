"""The web pages at scale: `kg serve` against the Cypher it runs, under a concurrent load, and `kg site`
against `kg export --format jsonl`. Written to docs/benchmarks-web.md.

    .venv/bin/python bench/web.py [--scale 100000]        (also part of `make bench`)

One dedicated local Neo4j holding the seed plus the synthetic graph of `--scale` entities (kg/synth.py,
as bench/run.py makes it). Then, side by side in this one run, because the machine is shared and noisy:

1. **Pages against their Cypher.** Each page is asked once in process with the driver's
   `ManagedTransaction.run` recorded, which gives the statements and parameters the page runs, and
   in which transactions. Then, alternating, the page is fetched from the real `kg serve` (a
   subprocess, over loopback HTTP) and its statements are run through the driver in the same
   transactions (`Database.in_read`, rows made as the page makes them): p95 of each; the target is a
   page's p95 at most 2x its Cypher's.
2. **A concurrent load** (locust, headless, a subprocess): the same mix of pages from `kg serve
   --workers N`, then from a bare endpoint (bench/bare.py: Starlette, the same workers) that runs the
   same statements and returns their rows as JSON. Target: no errors, and at least half the bare
   endpoint's requests per second.
3. **`kg site`** of the whole graph (neighbourhoods drawn, as by default, and `--no-graphs`) against
   `kg export --format jsonl`, all the real commands: target at most 3x.

Every figure in the report comes from the run that writes it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.exports import dedicated_server, measure  # noqa: E402  (a server of its own; a kg command's cost)
from bench.run import synthetic  # noqa: E402  (the synthetic seed, made once and kept)
from kg.config import Settings  # noqa: E402
from kg.graph.db import Database, answer  # noqa: E402
from kg.questions.catalogue import catalogue  # noqa: E402
from kg.seed.loader import load, wipe  # noqa: E402
from kg.seed.validate import validate  # noqa: E402
from kg.server.ports import free_port  # noqa: E402

TEXTS = Path(os.environ.get("KG_TEXTS") or ROOT.parent / "shared" / "sources")
PAGE_RATIO, LOAD_SHARE, SITE_RATIO = 2.0, 0.5, 3.0


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def pages(db: Database) -> dict[str, str]:
    """The pages measured, by a short name: the front page, entities (the most connected one, a
    typical one, as JSON too), a source, every named question with its defaults or its example, a
    search, a neighbourhood."""
    hub = db.read("MATCH (n:Entity) WHERE NOT n:Source RETURN n.id AS id, COUNT { (n)--() } AS d "
                  "ORDER BY d DESC, id LIMIT 1")[0]["id"]
    typical = db.read("MATCH (n:Entity) WHERE NOT n:Source WITH n, COUNT { (n)--() } AS d WHERE d >= 3 "
                      "RETURN n.id AS id ORDER BY id LIMIT 1")[0]["id"]
    source = db.read("MATCH (s:Source) RETURN s.id AS id, COUNT { (s)--() } AS d ORDER BY d DESC, id LIMIT 1")[0]["id"]
    chosen = {"front page": "/", "entity (most links)": f"/entity/{hub}", "entity": "/entity/eps",
              "entity (synthetic)": f"/entity/{typical}", "entity .json": "/entity/eps.json",
              "source (most cited)": f"/source/{source}", "source (seed)": "/source/src-ctv-edmonton-2020-02-28",
              "search": "/search?q=police", "neighbourhood": "/entity/eps/graph"}
    for query in catalogue().values():
        needs = any(p.required for p in query.params.values())
        asked = query.example_args(optional=False) if needs else {}
        chosen[f"question {query.name}"] = str(httpx.URL(f"/question/{query.name}", params=asked))
    return chosen


Statements = list[list[tuple[str, dict[str, Any]]]]  # a page's transactions, each its statements in order


def record(settings: Settings, urls: dict[str, str]) -> dict[str, Statements]:
    """The statements (and parameters) each page runs, transaction by transaction: the page made once
    in process, every statement the driver runs for it recorded (`ManagedTransaction.run`)."""
    import neo4j
    from starlette.testclient import TestClient

    from kg.web import app as web_app

    seen: list[tuple[int, str, dict[str, Any]]] = []
    plain_run = neo4j.ManagedTransaction.run

    def recording(self: Any, query: Any, parameters: Any = None, **kw: Any) -> Any:
        seen.append((id(self), str(query), {**dict(parameters or {}), **kw}))
        return plain_run(self, query, parameters, **kw)

    neo4j.ManagedTransaction.run = recording  # type: ignore[method-assign]
    try:
        with TestClient(web_app.create_app(settings, TEXTS)) as client:
            statements: dict[str, Statements] = {}
            for name, url in urls.items():
                seen.clear()
                response = client.get(url)
                if response.status_code != 200:
                    raise SystemExit(f"{url}: {response.status_code} {response.text[:300]}")
                groups: Statements = []
                last = None
                for tx, cypher, params in seen:
                    if tx != last:
                        groups.append([])
                        last = tx
                    groups[-1].append((cypher, params))
                statements[name] = groups
    finally:
        neo4j.ManagedTransaction.run = plain_run  # type: ignore[method-assign]
    return statements


def replay(db: Database, groups: Statements) -> list[Any]:
    """A page's statements through the driver, in the same transactions as the page ran them."""
    def work(group: list[tuple[str, dict[str, Any]]]) -> Any:
        return db.in_read(lambda tx: [answer(tx, cypher, params) for cypher, params in group])
    return [work(group) for group in groups]


def serve(env: dict[str, str], workers: int, port: int, *argv: str, log: Path | None = None
          ) -> subprocess.Popen[bytes]:
    """`kg serve` (or another uvicorn app with argv), started and answering; its stderr into `log`
    when given (bench/soak.py reads it for a worker's death or a traceback)."""
    cmd = [sys.executable, "-m", "kg", "serve", "--port", str(port), "--workers", str(workers)] if not argv else \
        [sys.executable, "-m", "uvicorn", *argv, "--port", str(port), "--workers", str(workers), "--log-level",
         "warning"]
    with open(log or os.devnull, "ab") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=30).status_code < 500:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"{' '.join(cmd)} did not answer within 120 s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def latencies(settings: Settings, env: dict[str, str], urls: dict[str, str],
              statements: dict[str, Statements], rounds: int) -> dict[str, dict[str, Any]]:
    """p50 and p95 of each page over HTTP and of its statements through the driver, alternating."""
    port = free_port()
    proc = serve(env, 1, port)
    out: dict[str, dict[str, Any]] = {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client, Database(settings) as db:
            for name, url in urls.items():
                page_times, cypher_times = [], []
                for i in range(rounds + 3):  # three to warm up, not counted
                    t0 = time.perf_counter()
                    response = client.get(url)
                    t1 = time.perf_counter()
                    replay(db, statements[name])
                    t2 = time.perf_counter()
                    if response.status_code != 200:
                        raise SystemExit(f"{url}: {response.status_code}")
                    if i >= 3:
                        page_times.append(t1 - t0)
                        cypher_times.append(t2 - t1)
                out[name] = {"url": url, "statements": sum(len(g) for g in statements[name]),
                             "transactions": len(statements[name]), "bytes": len(response.content),
                             "page_p50": statistics.median(page_times), "page_p95": p95(page_times),
                             "cypher_p50": statistics.median(cypher_times), "cypher_p95": p95(cypher_times)}
                print(f"  {name}: page p95 {out[name]['page_p95'] * 1000:.1f} ms, "
                      f"cypher p95 {out[name]['cypher_p95'] * 1000:.1f} ms", file=sys.stderr)
    finally:
        stop(proc)
    return out


def locust(host: str, paths: list[str], users: int, seconds: int, work: Path, tag: str) -> dict[str, float]:
    """A headless locust run of `users` over `paths` (each user asks them in turn, without pause)."""
    prefix = work / f"locust-{tag}"
    env = {**os.environ, "KG_BENCH_PATHS": json.dumps(paths)}
    subprocess.run([sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                    "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", host, "--csv", str(prefix),
                    "--only-summary", "--loglevel", "WARNING"], cwd=ROOT, env=env, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=seconds + 120)
    with open(f"{prefix}_stats.csv", newline="") as f:
        total = next(r for r in csv.DictReader(f) if r["Name"] == "Aggregated")
    return {"requests": int(total["Request Count"]), "failures": int(total["Failure Count"]),
            "rps": float(total["Requests/s"]), "p95_ms": float(total["95%"] or 0)}


def concurrent(env: dict[str, str], urls: dict[str, str], statements: dict[str, Statements],
               workers: int, users: int, seconds: int, work: Path) -> dict[str, dict[str, float]]:
    names = [n for n in urls if n != "neighbourhood"]  # the mix: every page but the drawing
    replay = work / "statements.json"
    replay.write_text(json.dumps([statements[n] for n in names]), encoding="utf-8")
    out = {}
    port = free_port()
    proc = serve(env, workers, port)
    try:
        out["kg serve"] = locust(f"http://127.0.0.1:{port}", [urls[n] for n in names], users, seconds, work, "serve")
    finally:
        stop(proc)
    port = free_port()
    proc = serve({**env, "KG_BENCH_STATEMENTS": str(replay)}, workers, port, "bench.bare:app")
    try:
        out["bare endpoint"] = locust(f"http://127.0.0.1:{port}", [f"/p/{i}" for i in range(len(names))], users,
                                      seconds, work, "bare")
    finally:
        stop(proc)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=40, help="requests per page for the p95s")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=60, help="of each concurrent load")
    parser.add_argument("--site-rounds", type=int, default=2, help="rounds of kg export --format jsonl, kg site "
                        "and kg site --no-graphs")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks-web.md")
    args = parser.parse_args()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    work = Path(tempfile.mkdtemp(prefix="kg-bench-web-"))
    server, settings, env = dedicated_server(work)
    env["KG_TEXTS"] = str(TEXTS)
    report: dict[str, Any] = {"scale": args.scale, "commit": commit, "started": started,
                              "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}}
    try:
        folder = synthetic(args.scale)
        print(f"{time.strftime('%H:%M:%S')} loading the seed and {args.scale:,} synthetic entities ...",
              file=sys.stderr)
        with Database(settings) as db:
            wipe(db)
            load(db, validate([ROOT / "seed", folder], texts=TEXTS), full=True)
            report["nodes"] = db.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
            report["relationships"] = db.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
            urls = pages(db)
        print(f"{time.strftime('%H:%M:%S')} kg export --format jsonl, kg site ...", file=sys.stderr)
        # in rounds, each command once per round, so that a slow spell of this shared machine falls on
        # all three alike
        report["site_runs"] = []
        for _ in range(args.site_rounds):
            # each command writes where nothing is yet, as in the first round (removing the last
            # round's 300,000 files is not part of the time)
            for old in ("graph.jsonl", "site", "site-nographs"):
                shutil.rmtree(work / old, ignore_errors=True)
                (work / old).unlink(missing_ok=True)
            report["site_runs"].append({
                "jsonl": measure(["export", "--format", "jsonl", "--out", str(work / "graph.jsonl")], env),
                "site": measure(["site", "--out", str(work / "site")], env),
                "site_nographs": measure(["site", "--no-graphs", "--out", str(work / "site-nographs")], env)})
        report["site_files"] = sum(1 for _ in (work / "site").rglob("*") if _.is_file())
        report["site_mb"] = sum(p.stat().st_size for p in (work / "site").rglob("*") if p.is_file()) / 2**20
        print(f"{time.strftime('%H:%M:%S')} pages against their Cypher ...", file=sys.stderr)
        statements = record(settings, urls)
        report["pages"] = latencies(settings, env, urls, statements, args.rounds)
        print(f"{time.strftime('%H:%M:%S')} concurrent load ...", file=sys.stderr)
        report["load"] = concurrent(env, urls, statements, args.workers, args.users, args.seconds, work)
    finally:
        server.stop()
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "web.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    args.out.write_text(render(report), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


def met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def render(r: dict[str, Any]) -> str:
    lines = [
        "# The web pages at scale",
        "",
        f"Generated by `bench/web.py` (part of `make bench`) at commit {r['commit']}, started {r['started']}, on",
        f"{platform.machine()} with {os.cpu_count()} cores, Python {platform.python_version()}; every figure below",
        "comes from the run that wrote this file. A dedicated local Neo4j held the seed plus the synthetic graph",
        f"of {r['scale']:,} entities: {r['nodes']:,} nodes and {r['relationships']:,} relationships.",
        "",
        "## Pages against the Cypher they run",
        "",
        "Each page from the real `kg serve` (one worker, over loopback HTTP), and, alternating with it, the",
        "statements that page runs (recorded from the driver) run through the driver in the same transactions,",
        f"{r['args']['rounds']} times each after three to warm up. Target: a page's p95 at most {PAGE_RATIO:g}x its "
        "Cypher's.",
        "",
        "| page | URL | statements | size (KB) | page p50 (ms) | page p95 (ms) | Cypher p50 (ms) | Cypher p95 (ms) "
        "| ratio at p95 | target |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    misses = []
    for name, p in r["pages"].items():
        ratio = p["page_p95"] / p["cypher_p95"] if p["cypher_p95"] else float("inf")
        if ratio > PAGE_RATIO:
            misses.append(name)
        lines.append(f"| {name} | `{p['url'][:60]}` | {p['statements']} | {p['bytes'] / 1024:.0f} | "
                     f"{p['page_p50'] * 1000:.1f} | {p['page_p95'] * 1000:.1f} | {p['cypher_p50'] * 1000:.1f} | "
                     f"{p['cypher_p95'] * 1000:.1f} | {ratio:.2f}x | {met(ratio <= PAGE_RATIO)} |")
    lines += ["", f"Pages within {PAGE_RATIO:g}x: {len(r['pages']) - len(misses)} of {len(r['pages'])}"
              + (f"; not: {', '.join(misses)}." if misses else "."), ""]
    serve_, bare = r["load"]["kg serve"], r["load"]["bare endpoint"]
    share = serve_["rps"] / bare["rps"] if bare["rps"] else 0.0
    a = r["args"]
    lines += [
        "## A concurrent load",
        "",
        f"locust, headless: {a['users']} users asking every page above but the drawing, in turn and without",
        f"pause, for {a['seconds']} s; against `kg serve --workers {a['workers']}`, then against a bare endpoint",
        f"(bench/bare.py, Starlette under uvicorn with {a['workers']} workers) that runs each page's statements and",
        "returns their rows as JSON. Target: no errors, and at least half the bare endpoint's requests per second.",
        "",
        "| server | requests | failures | requests/s | p95 (ms) |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| `kg serve` | {serve_['requests']:,} | {serve_['failures']} | {serve_['rps']:.1f} | "
        f"{serve_['p95_ms']:.0f} |",
        f"| bare endpoint | {bare['requests']:,} | {bare['failures']} | {bare['rps']:.1f} | {bare['p95_ms']:.0f} |",
        "",
        f"`kg serve` answered {share:.2f}x the bare endpoint's requests per second with {serve_['failures']} "
        f"failures: {met(share >= LOAD_SHARE and serve_['failures'] == 0)}.",
        "",
        "## `kg site` against `kg export --format jsonl`",
        "",
        "The real commands, on the whole graph; `kg site` with every neighbourhood (as by default) and without, in",
        f"{len(r['site_runs'])} rounds of the three commands one after the other. The ratio is of the rounds' total",
        "times.",
        "",
        "| round | `kg export --format jsonl` (s) | `kg site` (s) | `kg site --no-graphs` (s) | `kg site` ratio "
        "| `--no-graphs` ratio |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    runs = r["site_runs"]
    for i, run in enumerate(runs, 1):
        lines.append(f"| {i} | {run['jsonl']['wall']:.1f} | {run['site']['wall']:.1f} | "
                     f"{run['site_nographs']['wall']:.1f} | {run['site']['wall'] / run['jsonl']['wall']:.2f}x | "
                     f"{run['site_nographs']['wall'] / run['jsonl']['wall']:.2f}x |")
    peak = {key: max(run[key]["max_rss_mb"] for run in runs) for key in ("jsonl", "site", "site_nographs")}
    lines += ["", f"`kg site` wrote {r['site_files']:,} files ({r['site_mb']:,.0f} MB). Peak memory: "
              f"{peak['jsonl']:.0f} MB for the export, {peak['site']:.0f} MB for `kg site`, "
              f"{peak['site_nographs']:.0f} MB for `--no-graphs` (each process alone: the site's forked workers "
              "are not summed).", ""]
    jsonl = sum(run["jsonl"]["wall"] for run in runs)
    for label, key in (("`kg site`", "site"), ("`kg site --no-graphs`", "site_nographs")):
        ratio = sum(run[key]["wall"] for run in runs) / jsonl
        lines.append(f"- {label} took {ratio:.2f}x the export's time (target at most {SITE_RATIO:g}x): "
                     f"{met(ratio <= SITE_RATIO)}.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
