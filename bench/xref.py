"""`kg xref` at scale, written to docs/benchmarks-xref.md: does finding candidate duplicates grow no
faster than about n log n?

    make bench        # or: .venv/bin/python bench/xref.py [--scales 10000 100000 1000000]

At each scale, the synthetic seed of bench/run.py (kg/synth.py, made once and kept under
bench/results/synth/) plus planted twins: 0.5% of its actors get a twin in a registry file of its
own, under a varied name (the synthetic generator makes no near-duplicate names itself):
- an organisation: police-service forms added ("... Police Service"), a letter left out of a word,
  or the name in capitals with a comma;
- a person: a title and the first given name as an initial ("Dr. P. 12 ..."), a letter left out of
  the surname, or "Surname, Given" order.
Each scale runs in a process of its own (its own peak memory): the seed is validated (timed apart:
`kg xref` reads the validated seed), then xref runs at its default threshold, timed per step. The
figures reported are that run's: time, pairs compared (the distinct pairs blocking proposed), the
growth of the time against n log n, and how many planted twins were found.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import RESULTS, synthetic  # noqa: E402
from kg.errors import ValidationFailed  # noqa: E402
from kg.seed.validate import validate  # noqa: E402
from kg.seed.xref import DEFAULT_THRESHOLD, MAX_BLOCK, xref  # noqa: E402

DOC = ROOT / "docs" / "benchmarks-xref.md"
TWIN_SHARE = 0.005
TWINNED = ("PoliceAgency", "Unit", "OversightBody", "Organization", "Vendor", "Person")


def _drop_letter(word: str) -> str:
    return word if len(word) < 6 else word[:3] + word[4:]


def twin_name(label: str, name: str, variant: int) -> str:
    """A varied name of the same actor."""
    words = name.split()
    if label == "Person":
        if variant == 0:
            return " ".join(["Dr.", f"{words[0][0]}.", *words[1:]])
        if variant == 1:
            return " ".join([*words[:-2], _drop_letter(words[-2]), words[-1]])
        return f"{' '.join(words[2:])}, {' '.join(words[:2])}"
    if variant == 0:
        return f"{name} Police Service"
    if variant == 1:
        return " ".join([*words[:-1], _drop_letter(words[-1])])
    return f"{words[0].upper()} {words[1]}, {' '.join(words[2:]).upper()}"


def plant(synth: Path, folder: Path, seed: int = 11) -> list[tuple[str, str]]:
    """Write twins of a sample of the synthetic actors into `folder`/twins.yaml; the (actor, twin) pairs."""
    rng = random.Random(seed)  # noqa: S311 - reproducible data
    actors = []
    for path in sorted((synth / "actors").glob("*.yaml")):
        actors += [a for a in yaml.safe_load(path.read_text())["actors"] if a["label"] in TWINNED]
    chosen = rng.sample(actors, max(3, int(len(actors) * TWIN_SHARE)))
    twins = [{"id": f"twin-{a['id']}", "label": a["label"], "name": twin_name(a["label"], a["name"], i % 3)}
             for i, a in enumerate(chosen)]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "twins.yaml").write_text(yaml.safe_dump({"actors": twins}, sort_keys=False, width=1000))
    return [(a["id"], t["id"]) for a, t in zip(chosen, twins, strict=True)]


def one(n: int) -> dict[str, Any]:
    """One scale, measured in this process."""
    synth = synthetic(n)
    twins_dir = RESULTS / "xref-twins" / str(n)
    planted = plant(synth, twins_dir)
    start = time.perf_counter()
    try:
        seed = validate([synth, twins_dir])
    except ValidationFailed as e:
        raise SystemExit("\n".join(e.problems[:10])) from None
    validation = time.perf_counter() - start
    start = time.perf_counter()
    result = xref(seed)
    seconds = time.perf_counter() - start
    found = {(c.a, c.b) for c in result.candidates}
    hits = [p for p in planted if tuple(sorted(p)) in found]
    twin_ids = {t for _, t in planted}
    others = [c for c in result.candidates if c.a not in twin_ids and c.b not in twin_ids]
    s = result.stats
    return {"n": n, "actors": s.actors, "validate_s": validation, "xref_s": seconds, "steps": s.seconds,
            "keys": s.keys, "capped_keys": s.capped_keys, "capped_entries": s.capped_entries,
            "pairs_compared": s.pairs_compared, "pairs_scored": s.pairs_scored, "candidates": s.candidates,
            "planted": len(planted), "planted_found": len(hits), "other_candidates": len(others),
            "missed": [list(p) for p in planted if p not in hits][:5],
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()


def report(runs: list[dict[str, Any]], started: str, commit: str) -> str:
    lines = [
        "# Benchmark: `kg xref` at scale",
        "",
        f"Written by `bench/xref.py` (`make bench`) from its run of {started} on commit {commit}; "
        "every figure below is from that run. Machine: "
        f"{platform.machine()}, Python {platform.python_version()}, shared with other jobs (so times are noisy; "
        "the pair counts are not).",
        "",
        "The synthetic seed of `make bench` (kg/synth.py) at each scale, plus planted twins: 0.5% of its "
        "organisations and people get a twin under a varied name, in a registry file of their own (see the "
        "docstring of bench/xref.py). `kg xref` reads the validated seed; validation is timed apart. Default "
        f"threshold {DEFAULT_THRESHOLD}, blocks capped at {MAX_BLOCK} actors. Each scale ran in a process of its own.",
        "",
        "| actors | validation (s) | xref (s) | pairs compared | per actor | keys (capped) | pairs scored "
        "| candidates | planted twins found | other candidates | peak memory (MB) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in runs:
        lines.append(
            f"| {r['actors']:,} | {r['validate_s']:.1f} | {r['xref_s']:.1f} | {r['pairs_compared']:,} | "
            f"{r['pairs_compared'] / r['actors']:.2f} | {r['keys']:,} ({r['capped_keys']:,}) | {r['pairs_scored']:,} | "
            f"{r['candidates']:,} | {r['planted_found']:,} of {r['planted']:,} | {r['other_candidates']:,} | "
            f"{r['peak_mb']:,.0f} |")
    lines += ["", "## Growth against n log n", "",
              "The ratio of the time (and of the pairs compared) from one scale to the next, divided by the ratio of "
              "n log n: 1.0 grows as n log n, below 1 more slowly, above 1 faster.", "",
              "| from | to | time ratio | n log n ratio | time / n log n | pairs ratio | pairs / n log n |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for a, b in itertools.pairwise(runs):
        nlogn = (b["actors"] * math.log(b["actors"])) / (a["actors"] * math.log(a["actors"]))
        t, p = b["xref_s"] / a["xref_s"], b["pairs_compared"] / a["pairs_compared"]
        lines.append(f"| {a['actors']:,} | {b['actors']:,} | {t:.2f} | {nlogn:.2f} | {t / nlogn:.2f} | {p:.2f} | "
                     f"{p / nlogn:.2f} |")
    lines += ["", "## Where the time goes", "", "| actors | " + " | ".join(runs[0]["steps"]) + " |",
              "| ---: |" + " ---: |" * len(runs[0]["steps"])]
    for r in runs:
        lines.append(f"| {r['actors']:,} | " + " | ".join(f"{v:.1f} s" for v in r["steps"].values()) + " |")
    missed = [m for r in runs for m in r["missed"]]
    lines += ["", "Steps: names taken apart (and their keys), blocking (grouping the keys, pairs of each block), "
              "comparing the names of each pair, gathering the context of the pairs left (one pass over the "
              "relationships and the sources), scoring them with it.", ""]
    if missed:
        lines += [f"Planted twins missed (the first {len(missed)}, as actor and twin): "
                  + ", ".join(f"{a} / {b}" for a, b in missed) + ".", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return
    # the synthetic seed's largest source files are over the 32 MB a seed file may have by default
    # at 1M (bench/run.py raises the limit the same way)
    os.environ.setdefault("KG_MAX_SEED_FILE_MB", "256")
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    dirty = " (with changes not committed)" if _git("status", "--porcelain", "--", "kg", "bench") else ""
    commit = _git("rev-parse", "--short", "HEAD") + dirty  # when the run starts: what it measures
    runs = []
    for n in args.scales:
        print(f"xref benchmark: {n:,} actors ...", file=sys.stderr)
        proc = subprocess.run([sys.executable, __file__, "--one", str(n)], cwd=ROOT, capture_output=True, text=True,
                              check=False)
        if proc.returncode != 0:
            print(proc.stderr[-3000:], file=sys.stderr)
            print(f"xref benchmark: {n:,} actors failed; reporting the scales measured", file=sys.stderr)
            break
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(json.dumps(runs[-1]), file=sys.stderr)
        (RESULTS / "xref.json").write_text(json.dumps(runs, indent=2))
    if runs:
        DOC.write_text(report(runs, started, commit) + "\n")
        print(f"wrote {DOC}", file=sys.stderr)


if __name__ == "__main__":
    main()
