"""Validation reads clean files fast, without positions (kg/seed/reader.py's fast_read), and
reads a file again with positions only when a message needs a line. These tests hold the fast
path to the careful reader: the same data, the same Seed, the same `file:line: message`s.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest

from kg.errors import ValidationFailed
from kg.seed.reader import ReadError, fast_read, read
from kg.seed.validate import validate
from kg.seed.validated import Seed
from kg.synth import generate
from tests.conftest import ROOT

validate_module = importlib.import_module("kg.seed.validate")  # kg.seed.validate is also the function
BAD = ROOT / "tests" / "bad_seeds"
BASE = BAD / "_base" / "actors.yaml"


def careful_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation as it was before the fast path: every file read with positions."""
    monkeypatch.setattr(validate_module, "fast_reads", lambda paths, total_bytes: (None for _ in paths))


def outcome(paths: list[Path]) -> tuple[list[str], Seed | None]:
    try:
        return [], validate(paths)
    except ValidationFailed as e:
        return list(e.problems), None


def seed_shape(seed: Seed) -> Any:
    """Everything the loader uses of a Seed, positions included."""
    return (seed.files, seed.counts(),
            {k: (s.props, s.publisher, s.authors, sorted(s.mentions), s.node_ids, s.rel_keys, str(s.where))
             for k, s in seed.sources.items()},
            {k: (n.label, n.props, n.in_registry, str(n.where)) for k, n in seed.nodes.items()},
            {k: (r.type, r.start, r.end, r.props, str(r.where)) for k, r in seed.rels.items()})


CASES = sorted(p for p in BAD.iterdir() if p.name != "_base")


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_every_bad_seed_gives_the_same_messages_with_or_without_the_fast_path(
        case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [case] if case.is_dir() else [BASE, case]
    fast, _ = outcome(paths)
    careful_only(monkeypatch)
    careful, _ = outcome(paths)
    assert fast, f"{case.name} should be refused"
    assert fast == careful


def test_the_repository_seed_validates_to_the_same_seed_with_or_without_the_fast_path(
        monkeypatch: pytest.MonkeyPatch) -> None:
    seed_dir = ROOT / "seed"
    assert any(fast_read(p) is not None for p in seed_dir.rglob("*.yaml"))  # the fast path is taken
    fast = validate([seed_dir])
    careful_only(monkeypatch)
    assert seed_shape(fast) == seed_shape(validate([seed_dir]))


def test_a_synthetic_seed_validates_to_the_same_seed_and_the_same_cross_file_messages(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seed_dir = tmp_path / "seed"
    generate(seed_dir, entities=300, seed=5)
    files = sorted(seed_dir.rglob("*.yaml"))
    assert all(fast_read(p) is not None for p in files)
    fast = seed_shape(validate([seed_dir]))
    # cross-file problems between files read fast: an id declared again, an unknown id, a fact
    # declared again with other properties; their lines come from reading those files again
    found = re.search(r"- id: (\S+)", (seed_dir / "actors" / "actors-0000.yaml").read_text())
    assert found is not None
    first_actor = found.group(1)
    (seed_dir / "zz-actors.yaml").write_text(f"actors:\n- id: {first_actor}\n  label: Person\n  name: X\n",
                                             encoding="utf-8")
    source = files[-1].read_text(encoding="utf-8")
    source = re.sub(r"id: src-(\S+)", r"id: src-again-\1", source, count=1)
    source = source.replace("from: person-", "from: nobody-", 1)
    source = re.sub(r"name: Statement (\d+)", r"name: Statement \1 again", source, count=1)
    (seed_dir / "zz-source.yaml").write_text(source, encoding="utf-8")
    bad_fast, _ = outcome([seed_dir])
    careful_only(monkeypatch)
    bad_careful, _ = outcome([seed_dir])
    assert bad_fast and bad_fast == bad_careful
    assert any("unknown id 'nobody-" in m for m in bad_fast)
    assert any(f"duplicate id {first_actor!r} (first declared at " in m for m in bad_fast)
    assert any("is declared again with name=" in m for m in bad_fast)
    for path in (seed_dir / "zz-actors.yaml", seed_dir / "zz-source.yaml"):
        path.unlink()
    assert fast == seed_shape(validate([seed_dir]))


@pytest.mark.parametrize("text, why", [
    ("actors:\n- &a\n  id: a\n", "an anchor"),
    ("actors:\n- id: a\n  name: *a\n", "an alias"),
    ("actors:\n- !!python/object:os.system\n  id: a\n", "a tag"),
    ("actors:\n- id: a\n  name: !include x.yaml\n", "a custom tag"),
    ("actors:\n- id: a\n  id: b\n", "a duplicate key"),
    ("actors:\n- id: a\n  name: yes\n", "`yes` (a bool in YAML 1.1, text in 1.2)"),
    ("actors:\n- id: a\n  founded: 017\n", "`017` (15 in YAML 1.1, 17 in 1.2)"),
    ("actors:\n- id: a\n  size: 1e3\n", "a float"),
    ("actors:\n- id: a\n  2020: x\n", "a key that is not text"),
    ("actors:\n- id: a\n---\nactors: []\n", "two documents"),
    ("actors:\n- id: a\n  name: [1, 2\n", "a syntax error"),
])
def test_what_the_fast_reader_leaves_to_the_careful_one(tmp_path: Path, text: str, why: str) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    assert fast_read(path) is None, why


@pytest.mark.parametrize("text", [
    "actors:\n- id: a\n  date: 2020-02-05\n",  # a plain date stays text in both
    "actors:\n- id: a\n  date: '2018'\n  n: 12\n",  # a quoted year is text; a plain int is the same
    "actors:\n- id: a\n  name: 'yes'\n  note: \"on\"\n",  # quoted, these are text in both
    "actors:\n- id: a\n  name: Jean & Co *2020* !\n",  # `&`, `*` and `!` in text
])
def test_what_the_fast_reader_reads_as_the_careful_one_does(tmp_path: Path, text: str) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        careful = read(path).data
    except ReadError:  # pragma: no cover - each text here is clean
        raise
    fast = fast_read(path)
    assert fast is None or fast == careful
    if "&" not in text:
        assert fast == careful


def test_a_problem_in_a_file_read_fast_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "actors.yaml"
    path.write_text("actors:\n- id: a\n  label: Person\n  name: A\n- id: b\n  label: Person\n  name: B\n"
                    "  colour: red\n", encoding="utf-8")
    assert fast_read(path) is not None
    problems, _ = outcome([path])
    assert problems == [f"{path}:8: unknown property 'colour' for Person (allowed: "
                        + problems[0].split("(allowed: ", 1)[1]]


def test_progress_is_told_every_file(tmp_path: Path) -> None:
    generate(tmp_path / "seed", entities=100, seed=1)
    told: list[tuple[str, int]] = []
    validate([tmp_path / "seed"], progress=lambda name, size: told.append((name, size)))
    files = sorted((tmp_path / "seed").rglob("*.yaml"))
    assert told == [(p.name, p.stat().st_size) for p in files]


def test_a_large_seed_read_in_other_processes_gives_the_same_seed_and_messages(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large seed's files are parsed in other processes (reader.fast_reads) while validation checks
    the ones before: the same Seed, and the same messages for a broken seed."""
    import kg.seed.reader as reader

    synth = tmp_path / "synth"
    generate(synth, entities=400)
    serial = seed_shape(validate([synth]))
    monkeypatch.setattr(reader, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(reader, "READ_AHEAD", 2)
    assert seed_shape(validate([synth])) == serial
    victim = sorted((synth / "sources").glob("*.yaml"))[3]
    victim.write_text(victim.read_text().replace("confidence: high", "confidence: certain", 1))
    parallel, _ = outcome([synth])
    monkeypatch.setattr(reader, "PARALLEL_BYTES", 1 << 40)
    assert parallel and parallel == outcome([synth])[0]
