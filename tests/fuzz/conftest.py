"""Generated bad input (Hypothesis): the budgets of the fuzz targets, the count of the cases run, and
what every case must show.

`make test` runs each target with a small, derandomised budget (the same cases on every run, so a
failure is reproducible); `make fuzz` (bench/fuzz.py) sets KG_FUZZ=long, a budget of its own per
target (KG_FUZZ_SCALE times the long budgets below) with fresh random cases, and KG_FUZZ_REPORT, the
file the session's counts are written to, from which docs/security.md is written.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings

LONG = os.environ.get("KG_FUZZ") == "long"
SCALE = float(os.environ.get("KG_FUZZ_SCALE", "1"))
#: the cases each target ran in this session, by target name
CASES: Counter[str] = Counter()

F = TypeVar("F", bound=Callable[..., Any])


def budget(ci: int, long: int) -> Callable[[F], F]:
    """The settings of a fuzz target: `ci` examples in `make test`, `long` (times KG_FUZZ_SCALE) in
    `make fuzz`; no deadline (the machine is shared), no example database (nothing is kept between
    runs: a crash found becomes an explicit regression case)."""
    common: dict[str, Any] = {"deadline": None, "database": None,
                              "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                                                        HealthCheck.function_scoped_fixture,
                                                        HealthCheck.filter_too_much]}
    if LONG:
        return settings(max_examples=max(1, int(long * SCALE)), **common)
    return settings(max_examples=ci, derandomize=True, **common)


def counted(target: str) -> None:
    """Count one case of `target` (called at the start of every example)."""
    CASES[target] += 1


@pytest.fixture(scope="session", autouse=True)
def _report_counts() -> Iterator[None]:
    yield
    report = os.environ.get("KG_FUZZ_REPORT")
    if report:
        Path(report).write_text(json.dumps(dict(sorted(CASES.items())), indent=2) + "\n")


PROBLEM = re.compile(r"^(?P<file>[^\n:]+):(?P<line>\d+): \S")


def assert_clean(proc: subprocess.CompletedProcess[str], files: list[str] | None = None,
                 names: tuple[str, ...] = ()) -> None:
    """What every generated case must show: exit 0, or 1 or 2 with no traceback and a message that
    says where: for a refused seed, each problem line `file:line: message` naming one of `files`, then
    `kg: ...; nothing was written`; for any other refusal one `kg: ` line (naming one of `names`,
    the parameters given, when there are any); or click's usage error, exit 2."""
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out, out
    assert proc.returncode in (0, 1, 2), f"exit {proc.returncode}\n{out}"
    if proc.returncode == 0:
        return
    lines = proc.stderr.strip().splitlines()
    if proc.returncode == 2 and lines and lines[-1].startswith("Error: "):
        return  # click's usage error: the usage, then what is wrong (an unknown option, a missing value)
    assert lines and lines[-1].startswith("kg: "), proc.stderr
    if lines[-1].endswith("nothing was written") and files is not None:
        problems = lines[:-1]
        assert problems, proc.stderr
        for line in problems:
            m = PROBLEM.match(line)
            assert m and m["file"] in files and int(m["line"]) >= 1, f"not file:line: {line!r}\n{proc.stderr}"
    elif names:
        assert any(name in proc.stderr for name in names), f"names none of {names}:\n{proc.stderr}"
