"""A soak of `kg serve`: a bounded load on loopback for ten minutes, during which Neo4j is stopped
and started twice. Written into docs/security.md (its section between the soak's markers).

    .venv/bin/python bench/soak.py [--minutes 10]        (`make soak`)

A local Neo4j of its own (`kg db up --backend local` in a state folder of its own, free ports)
holding the seed (`kg load`), `kg serve --workers 2` on a free port of 127.0.0.1 (a subprocess), and
a few client threads asking a mix of its pages one after another (every page once, in an order
of the client's own, then again), each over a new connection (so that both workers take them).
Every request is recorded: when it started and ended, its status, and whether a page that is not
a 200 says why. Every few seconds the resident memory of each worker
(the uvicorn parent's children) is read from /proc. At fixed times `kg db down` stops Neo4j and
`kg db up` starts it again; a probe reads from the graph's database every 0.1 s from the start
command on, to know when Neo4j answers again.

An outage lasts from the stop command's start to that answer; a request is in it when its own
time overlaps it. The criteria (the issue "Trust under stress"):

- no worker dies: the same worker pids at every sample and at the end, and none in the server's
  log as died;
- requests fail only during an outage, and there each answer that is not a 200 is a 503 whose page
  says the database does not answer (no traceback); each outage answered at least one such 503;
- pages succeed again within RECOVER seconds of Neo4j answering (the first 200 after it);
- each worker's memory grows at most GROWTH from the sample at minute 2 to the last.

The tests run a short soak (tests/web/test_soak.py, one outage) through the same `soak()`. Every
figure in the section comes from the run that writes it; the exit code is 1 when a criterion is
not met.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx2 as httpx

from bench.web import serve, stop
from kg.config import Settings
from kg.errors import KgError
from kg.graph.db import Database
from kg.questions.catalogue import catalogue
from kg.server.ports import bolt_uri, free_port
from kg.web.app import AWAY

ROOT = Path(__file__).resolve().parent.parent
TEXTS = Path(os.environ.get("KG_TEXTS") or ROOT.parent / "shared" / "sources")
DOC = ROOT / "docs" / "security.md"
BEGIN = "<!-- soak: written by bench/soak.py (make soak) from the run it names; change that, not this -->"
END = "<!-- /soak -->"
GROWTH = 0.10  # at most this much more memory per worker, from the baseline sample to the last
RECOVER = 10.0  # seconds from Neo4j answering again to the first page served


class Failed(Exception):
    """A step of the soak's set-up failed (a kg command, the server)."""


@dataclass(frozen=True)
class Plan:
    """When things happen, in seconds from the start of the load."""

    seconds: float  # the load runs at least this long
    outages: tuple[tuple[float, float], ...]  # (stop at, start at)
    baseline: float  # the memory sample growth is measured from
    tail: float  # the load runs at least this long after Neo4j is back from an outage before the next (or the end)

    @classmethod
    def of_minutes(cls, minutes: float) -> Plan:
        """Ten minutes: Neo4j stopped at 3:00 and 6:30, started 30 s after each; memory from minute
        2. Other lengths in proportion."""
        scale = minutes / 10
        return cls(minutes * 60, ((180 * scale, 210 * scale), (390 * scale, 420 * scale)), 120 * scale, 30 * scale)


@dataclass(frozen=True)
class Hit:
    """One request: its start and end (seconds from the start of the load), its status (0 when no
    answer came), and, when it is not a 200, whether its page says the database does not answer
    and whether it shows a traceback."""

    start: float
    end: float
    path: str
    status: int
    says: bool = False
    leaks: bool = False
    why: str = ""  # what a page that is not a 200 says


@dataclass(frozen=True)
class Outage:
    stop: float  # `kg db down` started
    stopped: float  # it returned
    start: float  # `kg db up` started
    back: float | None  # the graph's database answered a read again
    up: float  # `kg db up` returned

    @property
    def end(self) -> float:
        return self.back if self.back is not None else self.up


@dataclass(frozen=True)
class Sample:
    at: float
    rss_kb: dict[int, int]  # worker pid: resident memory
    cpu_s: dict[int, float]  # worker pid: processor time so far


@dataclass
class Report:
    plan: Plan
    clients: int
    pause: float
    paths: list[str]
    hits: list[Hit] = field(default_factory=list)
    outages: list[Outage] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    workers_first: list[int] = field(default_factory=list)
    workers_last: list[int] = field(default_factory=list)
    server_alive: bool = True
    log_died: int = 0  # lines of the server's log saying a worker died
    log_tracebacks: int = 0
    seconds: float = 0.0

    def during(self, hit: Hit) -> bool:
        """Whether the request's own time overlaps an outage."""
        return any(hit.start < o.end and hit.end > o.stop for o in self.outages)

    def recovered(self, outage: Outage) -> float | None:
        """Seconds from Neo4j answering again to the first 200 that ended after it."""
        if outage.back is None:
            return None
        ends = [h.end for h in self.hits if h.status == 200 and h.end >= outage.back]
        return min(ends) - outage.back if ends else None

    def in_outage(self, outage: Outage) -> list[Hit]:
        return [h for h in self.hits if h.start < outage.end and h.end > outage.stop]

    def baseline(self) -> Sample | None:
        return next((s for s in self.samples if s.at >= self.plan.baseline), None)

    def growth(self) -> dict[int, float]:
        """Each worker's memory at the last sample against the baseline sample (0.05: 5% more)."""
        first, last = self.baseline(), self.samples[-1] if self.samples else None
        if first is None or last is None:
            return {}
        return {pid: last.rss_kb[pid] / kb - 1 for pid, kb in first.rss_kb.items() if pid in last.rss_kb and kb}

    def criteria(self) -> list[tuple[str, bool, str]]:
        """(criterion, met, the figures that decide it)."""
        same = all(sorted(s.rss_kb) == self.workers_first for s in self.samples)
        alive = (self.server_alive and same and self.workers_last == self.workers_first and self.log_died == 0
                 and len(self.workers_first) > 0)
        outside = [h for h in self.hits if not self.during(h) and h.status != 200]
        inside = [h for h in self.hits if self.during(h) and h.status != 200]
        bad = [h for h in inside if h.status != 503 or not h.says or h.leaks]
        seen = all(any(h.status == 503 for h in self.in_outage(o)) for o in self.outages)
        times = [self.recovered(o) for o in self.outages]
        growth = self.growth()
        return [
            ("no worker died", alive,
             f"workers {', '.join(map(str, self.workers_first))} from start to end" if alive else
             f"workers {self.workers_first} at the start, {self.workers_last} at the end; server "
             f"{'alive' if self.server_alive else 'gone'}; {self.log_died} deaths in its log"),
            ("requests fail only while Neo4j is down", not outside and len(self.hits) > 0,
             f"{len(outside)} errors outside the outages" + (f" (first: {_hit(outside[0])})" if outside else "")),
            ("while it is down: a 503 that says so", not bad and seen and bool(self.outages),
             f"{len(inside)} errors during the outages, {len(bad)} of them not a 503 saying so"
             + (f" (first: {_hit(bad[0])})" if bad else "") + ("" if seen else "; an outage answered no 503")),
            (f"pages back within {RECOVER:g} s of Neo4j", bool(times) and all(t is not None and t <= RECOVER
                                                                         for t in times),
             ", ".join("never" if t is None else f"{t:.1f} s" for t in times)),
            (f"workers' memory grows at most {GROWTH:.0%} from {_clock(self.plan.baseline)}",
             bool(growth) and len(growth) == len(self.workers_first) and max(growth.values()) <= GROWTH,
             ", ".join(f"{g:+.1%}" for g in growth.values()) or "no samples"),
        ]

    @property
    def met(self) -> bool:
        return all(ok for _, ok, _ in self.criteria())


def _hit(hit: Hit) -> str:
    return f"{hit.status} for {hit.path} at {_clock(hit.start)}"


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


# --- the processes ------------------------------------------------------------------------------

def _proc(pid: int, name: str) -> str:
    try:
        return Path(f"/proc/{pid}/{name}").read_text(errors="replace")
    except OSError:
        return ""


def workers(parent: int) -> list[int]:
    """The uvicorn parent's worker processes (its spawned children; not multiprocessing's tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _proc(int(entry.name), "stat")
            fields = stat.rsplit(")", 1)[-1].split()
            if len(fields) > 1 and fields[1] == str(parent) and "spawn_main" in _proc(int(entry.name), "cmdline"):
                found.append(int(entry.name))
    return sorted(found)


def rss_kb(pid: int) -> int | None:
    line = next((ln for ln in _proc(pid, "status").splitlines() if ln.startswith("VmRSS:")), None)
    return int(line.split()[1]) if line else None


def cpu_seconds(pid: int) -> float:
    fields = _proc(pid, "stat").rsplit(")", 1)[-1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") if len(fields) > 12 else 0.0


# --- the load -----------------------------------------------------------------------------------

def mix(db: Database) -> list[str]:
    """The pages asked: the front page, a dozen entities (as pages and JSON, one drawn), every
    source (also at a date), every named question (with its example when it needs one, also as
    JSON), searches and suggestions. Only pages that read the graph (no static file)."""
    entities = [r["id"] for r in db.read("MATCH (n:Entity) WHERE NOT n:Source RETURN n.id AS id ORDER BY id")]
    sources = [r["id"] for r in db.read("MATCH (s:Source) RETURN s.id AS id ORDER BY id")]
    if not entities or not sources:
        raise Failed("the graph holds no seed to ask for")
    chosen = entities[:: max(1, len(entities) // 12)][:12]
    paths = ["/", "/index.json", f"/entity/{chosen[0]}/graph"]
    paths += [p for e in chosen for p in (f"/entity/{e}", f"/entity/{e}.json")]
    paths += [p for s in sources for p in (f"/source/{s}", f"/source/{s}.json", f"/source/{s}?as_of=2020-01")]
    for query in catalogue().values():
        asked = query.example_args() if any(p.required for p in query.params.values()) else {}
        tail = f"?{urlencode(asked)}" if asked else ""
        paths += [f"/question/{query.name}{tail}", f"/question/{query.name}.json{tail}"]
    paths += ["/search?q=police", "/search.json?q=Clearview", "/search?q=auto+theft&kind=PoliceAgency",
              "/suggest.json?q=tor"]
    return paths


def _client(url: str, paths: list[str], seed: int, pause: float, clock: Callable[[], float],
            done: threading.Event, hits: list[Hit]) -> None:
    rng = random.Random(seed)  # noqa: S311  (the order of the pages, not a secret)
    order: list[str] = []
    with httpx.Client(base_url=url, timeout=60, headers={"Connection": "close"}) as client:
        while not done.is_set():
            if not order:  # every page once, in an order of its own, then again
                order = rng.sample(paths, len(paths))
            path = order.pop()
            start = clock()
            try:
                response = client.get(path)
            except httpx.HTTPError:
                hits.append(Hit(start, clock(), path, 0))
            else:
                end = clock()
                if response.status_code == 200:
                    hits.append(Hit(start, end, path, 200))
                else:
                    text = html.unescape(response.text)
                    hits.append(Hit(start, end, path, response.status_code, AWAY in text, "Traceback" in text,
                                    _why(response.text)))
            done.wait(pause)


def _why(body: str) -> str:
    """The message of an error page (kg/web/templates/error.html) or of its JSON."""
    try:
        return str(json.loads(body).get("error"))[:300]
    except (ValueError, AttributeError):
        found = re.search(r'<p class="error">(.*?)</p>', body, re.S)
        return html.unescape(found.group(1))[:300] if found else body[:300]


def _sampler(parent: int, every: float, clock: Callable[[], float], done: threading.Event,
             samples: list[Sample]) -> None:
    while True:
        at = clock()
        pids = workers(parent)
        memory = {pid: kb for pid in pids if (kb := rss_kb(pid)) is not None}
        samples.append(Sample(at, memory, {pid: cpu_seconds(pid) for pid in memory}))
        if done.wait(every):
            return


def _probe(settings: Settings, clock: Callable[[], float], cancelled: threading.Event) -> float | None:
    """When the graph's database answers a read again (tried every 0.1 s), or None once cancelled."""

    class Once(Database):
        retry_seconds = 0.0  # one try each: the probe does its own retrying

    while not cancelled.is_set():
        try:
            with Once(settings) as db:
                db.read("RETURN 1 AS one")
            return clock()
        except KgError:
            cancelled.wait(0.1)
    return None


def soak(url: str, server: subprocess.Popen[bytes], settings: Settings, down: Callable[[], None],
         up: Callable[[], None], paths: list[str], plan: Plan, clients: int = 4, pause: float = 0.1,
         every: float = 5.0, log: Path | None = None, say: Callable[[str], None] = lambda _: None) -> Report:
    """The load on `url` (served by `server`, the uvicorn parent of the workers) following `plan`:
    `down()` and `up()` stop and start Neo4j (at `settings`). The report holds every request."""
    report = Report(plan, clients, pause, paths, workers_first=workers(server.pid))
    if not report.workers_first:
        raise Failed(f"kg serve (pid {server.pid}) has no worker processes")
    t0 = time.monotonic()

    def clock() -> float:
        return time.monotonic() - t0

    def until(at: float) -> None:
        time.sleep(max(0.0, at - clock()))

    done = threading.Event()
    threads = [threading.Thread(target=_client, args=(url, paths, i, pause, clock, done, report.hits), daemon=True)
               for i in range(clients)]
    threads.append(threading.Thread(target=_sampler, args=(server.pid, every, clock, done, report.samples),
                                    daemon=True))
    for thread in threads:
        thread.start()
    try:
        for n, (stop_at, start_at) in enumerate(plan.outages, 1):
            # an outage begins `tail` seconds after Neo4j is back from the one before, at the earliest
            later = report.outages[-1].end + plan.tail - stop_at if report.outages else 0.0
            stop_at, start_at = stop_at + max(0.0, later), start_at + max(0.0, later)
            until(stop_at)
            say(f"{_clock(clock())} outage {n}: kg db down")
            stopping = clock()
            down()
            stopped = clock()
            until(start_at)
            say(f"{_clock(clock())} outage {n}: kg db up")
            starting = clock()
            back: list[float | None] = []
            cancelled = threading.Event()
            probe = threading.Thread(target=lambda b=back, c=cancelled: b.append(_probe(settings, clock, c)),
                                     daemon=True)
            probe.start()
            try:
                up()
            except BaseException:
                cancelled.set()
                raise
            finally:
                probe.join(60)  # once `kg db up` is done, the database answers
                cancelled.set()
                report.outages.append(Outage(stopping, stopped, starting, back[0] if back else None, clock()))
            say(f"{_clock(clock())} outage {n}: Neo4j answered at {_clock(report.outages[-1].end)}")
        last = report.outages[-1].end + plan.tail if report.outages else 0.0
        until(max(plan.seconds, last))
    finally:
        done.set()
        for thread in threads:
            thread.join(90)
        report.seconds = clock()
        report.workers_last = workers(server.pid)
        report.server_alive = server.poll() is None
    if log is not None and log.is_file():
        text = log.read_text(errors="replace")
        report.log_died = sum("died" in line for line in text.splitlines())
        report.log_tracebacks = text.count("Traceback")
    return report


# --- the report ---------------------------------------------------------------------------------

def _ms(values: list[float], share: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] * 1000:,.0f} ms"


def figures(r: Report) -> list[tuple[str, str]]:
    """The soak's figures, as (what, value) rows."""
    by_status: dict[int, int] = {}
    for hit in r.hits:
        by_status[hit.status] = by_status.get(hit.status, 0) + 1
    outside = [h for h in r.hits if not r.during(h)]
    inside = [h for h in r.hits if r.during(h)]
    ok_times = [h.end - h.start for h in outside if h.status == 200]
    away = [h.end - h.start for h in inside if h.status == 503]
    waited = [h.end - h.start for h in inside if h.status == 200]
    statuses = ", ".join(f"{n:,} {s or 'no answer'}" for s, n in sorted(by_status.items()))
    rows = [
        ("requests", f"{len(r.hits):,} in {r.seconds:.0f} s ({len(r.hits) / max(r.seconds, 1):.1f} a second): "
                     f"{statuses}"),
        ("outside the outages", f"{len(outside):,} requests, {sum(h.status != 200 for h in outside)} errors; a page "
                                f"took {_ms(ok_times, 0.5)} (median), {_ms(ok_times, 0.95)} (p95)"),
        ("during the outages", f"{len(inside):,} requests: {sum(h.status == 200 for h in inside)} answered 200 "
                               f"(before the stop took hold, or once the database was back), "
                               f"{sum(h.status == 503 for h in inside)} a 503, "
                               f"{sum(h.status not in (200, 503) for h in inside)} anything else; "
                               f"{sum(h.status == 503 and h.says and not h.leaks for h in inside)} of the 503s said "
                               f"the database does not answer; a 503 took {_ms(away, 0.5)} (median), "
                               f"{_ms(away, 1.0)} (longest); the slowest 200 {_ms(waited, 1.0)}"),
    ]
    for n, o in enumerate(r.outages, 1):
        took = r.recovered(o)
        rows.append((f"outage {n}", f"`kg db down` at {_clock(o.stop)} ({o.stopped - o.stop:.1f} s), `kg db up` at "
                                    f"{_clock(o.start)} ({o.up - o.start:.1f} s); Neo4j answered again at "
                                    f"{_clock(o.end)}, {o.end - o.stop:.1f} s after the stop; the first page "
                                    + ("never came" if took is None else f"{took:.1f} s after that")))
    first, last = r.baseline(), r.samples[-1] if r.samples else None
    if first is not None and last is not None:
        memory = "; ".join(f"pid {pid}: {kb / 1024:.1f} → {last.rss_kb.get(pid, 0) / 1024:.1f} MB "
                           f"({r.growth().get(pid, float('nan')):+.1%})" for pid, kb in first.rss_kb.items())
        rows.append((f"memory (RSS) of each worker, {_clock(first.at)} to {_clock(last.at)}", memory))
        rows.append(("processor time of each worker",
                     ", ".join(f"{last.cpu_s.get(pid, 0):.0f} s" for pid in r.workers_first)))
    rows.append(("workers", f"pids {', '.join(map(str, r.workers_first))} at the start, "
                            f"{', '.join(map(str, r.workers_last)) or 'none'} at the end; the server's log: "
                            f"{r.log_died} deaths, {r.log_tracebacks} tracebacks"))
    return rows


def render(r: Report, commit: str, started: str) -> str:
    """The section of docs/security.md, between its markers."""
    stops = " and ".join(f"{_clock(o.stop)}" for o in r.outages) or "never"
    gaps = " and ".join(f"{o.start - o.stop:.0f} s" for o in r.outages)
    lines = [
        BEGIN,
        f"Written by `bench/soak.py` (`make soak`) from its run at commit {commit}, started {started}, on "
        f"{platform.machine()} with {os.cpu_count()} cores, Python {platform.python_version()}. `kg serve "
        f"--workers {len(r.workers_first)}` on 127.0.0.1 over a local Neo4j of its own holding the seed; "
        f"{r.clients} clients asked {len(r.paths)} pages (entities, sources, every named question, searches, "
        f"as HTML and JSON), each client every page in an order of its own and then again, {r.pause:g} s between "
        "one answer and the next request, each over a new connection. "
        f"Neo4j was stopped (`kg db down`) at {stops} and started (`kg db up`) {gaps} after; an outage lasts "
        "from the stop command "
        "to the graph's database answering a read again (a probe every 0.1 s).",
        "",
        "| figure | value |",
        "| --- | --- |",
        *(f"| {what} | {value} |" for what, value in figures(r)),
        "",
        "| criterion | met | from |",
        "| --- | --- | --- |",
        *(f"| {what} | {'met' if ok else '**not met**'} | {why} |" for what, ok, why in r.criteria()),
        END,
    ]
    return "\n".join(lines)


def write_section(doc: Path, section: str) -> None:
    """Replace the generated section of `doc` (between BEGIN and END), keeping the rest."""
    text = doc.read_text(encoding="utf-8")
    head, found, rest = text.partition(BEGIN)
    if not found:
        raise Failed(f"{doc} has no soak section ({BEGIN})")
    _, found, tail = rest.partition(END)
    if not found:
        raise Failed(f"{doc}: the soak section does not end ({END})")
    doc.write_text(head + section + tail, encoding="utf-8")


# --- the run ------------------------------------------------------------------------------------

def kg(env: dict[str, str], *args: str) -> str:
    """`kg ARGS` (a process of its own): its stderr, or Failed with it."""
    proc = subprocess.run([sys.executable, "-m", "kg", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    if proc.returncode != 0:
        raise Failed(f"kg {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--out", type=Path, default=DOC, help="the document whose soak section is written")
    args = parser.parse_args()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True, check=False).stdout.strip()
    work = Path(tempfile.mkdtemp(prefix="kg-soak-"))
    password = "soak-" + os.urandom(8).hex()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "KG_"))}
    env.update(KG_STATE_DIR=str(work / "state"), NEO4J_PASSWORD=password, KG_TEXTS=str(TEXTS))
    bolt = free_port()
    settings = Settings(uri=bolt_uri(bolt), username="neo4j", password=password)

    def say(text: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} {text}", file=sys.stderr)

    say("kg db up, kg load ...")
    kg(env, "db", "up", "--backend", "local", "--bolt-port", str(bolt), "--http-port", str(free_port()))
    try:
        kg(env, "load")
        with Database(settings) as db:
            paths = mix(db)
        port = free_port()
        proc = serve(env, 2, port, log=work / "serve.log")
        try:
            say(f"the soak: {args.minutes:g} min, {args.clients} clients, {len(paths)} pages")
            report = soak(f"http://127.0.0.1:{port}", proc, settings, lambda: say(kg(env, "db", "down").strip()),
                          lambda: say(kg(env, "db", "up").strip().splitlines()[-1]), paths,
                          Plan.of_minutes(args.minutes), clients=args.clients, log=work / "serve.log", say=say)
        finally:
            stop(proc)
    finally:
        kg(env, "db", "down")
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "soak.json").write_text(json.dumps(asdict(report), indent=1), encoding="utf-8")
    write_section(args.out, render(report, commit, started))
    for what, ok, why in report.criteria():
        say(f"{'met' if ok else 'NOT MET'}: {what} ({why})")
    say(f"wrote {args.out}")
    sys.exit(0 if report.met else 1)


if __name__ == "__main__":
    main()
