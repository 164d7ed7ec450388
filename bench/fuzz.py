"""`make fuzz`: the fuzz targets of tests/fuzz/ run long (KG_FUZZ=long: their long budgets times
--scale, fresh random cases each run), then their figures written into docs/security.md between its
fuzz markers: the cases each target ran, the failures (none expected: a failure is a crash to fix,
then a regression case), the time, the commit. Exit 1 when a target failed.

    python bench/fuzz.py [--scale 1.0] [--doc docs/security.md] [-- extra pytest arguments]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- fuzz: written by make fuzz (bench/fuzz.py); edits between these lines are replaced -->", \
    "<!-- fuzz: end -->"


def _commit() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=False).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "kg", "tests"], cwd=ROOT, capture_output=True,
                           text=True, check=False).stdout.strip()
    return head + (" with uncommitted changes" if dirty else "")


def run(scale: float, extra: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        counts, junit = Path(tmp) / "counts.json", Path(tmp) / "junit.xml"
        env = {**os.environ, "KG_FUZZ": "long", "KG_FUZZ_SCALE": str(scale), "KG_FUZZ_REPORT": str(counts)}
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "pytest", "tests/fuzz", "-q", "-p", "no:cacheprovider",
                               f"--junitxml={junit}", *extra], cwd=ROOT, env=env, check=False)
        seconds = time.monotonic() - started
        cases = json.loads(counts.read_text()) if counts.exists() else {}
        failures = []
        if junit.exists():
            for case in ET.parse(junit).iter("testcase"):  # noqa: S314 (pytest wrote it, just now)
                for bad in (*case.iter("failure"), *case.iter("error")):
                    first = (bad.get("message") or "").strip().splitlines()[:1]
                    failures.append(f"{case.get('name')}: {first[0][:300] if first else 'failed'}")
    return {"cases": cases, "failures": failures, "seconds": seconds, "exit": proc.returncode, "scale": scale}


def render(result: dict[str, Any], commit: str) -> str:
    cases: dict[str, int] = result["cases"]
    failures: list[str] = result["failures"]
    total = sum(cases.values())
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [START, "",
             f"The last `make fuzz` ran on commit {commit}, {when}, budgets x{result['scale']}: "
             f"**{total:,} generated cases** in {result['seconds'] / 60:.1f} min, "
             f"{'**no failure**' if not failures else f'**{len(failures)} failing targets**'}"
             f" (at least 100,000 cases asked: {'met' if total >= 100_000 else 'not met'}).", "",
             "| target | cases |", "| --- | ---: |"]
    lines += [f"| {name} | {n:,} |" for name, n in sorted(cases.items())]
    lines += [f"| **all** | **{total:,}** |", ""]
    if failures:
        lines += ["Failures of this run (each becomes a fix and a regression case):", ""]
        lines += [f"- {f}" for f in failures] + [""]
    lines.append(END)
    return "\n".join(lines)


def write(doc: Path, section: str) -> None:
    text = doc.read_text(encoding="utf-8")
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    doc.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="times each target's long budget")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "security.md")
    parser.add_argument("pytest_args", nargs="*", help="more arguments for pytest (after --)")
    args = parser.parse_args(argv)
    result = run(args.scale, args.pytest_args)
    section = render(result, _commit())
    write(args.doc, section)
    print(section)
    return 0 if result["exit"] == 0 and not result["failures"] else 1


if __name__ == "__main__":
    sys.exit(main())
