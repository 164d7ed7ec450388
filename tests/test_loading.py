"""kg/loading.py, the one load entry point: `kg load` and `kg.load()` both call it, so the whole-seed
rule (no paths, or the project's seed/ folder itself, is the whole seed: what no file declares any
more is removed) is the same in Python and on the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import kg
from kg.graph.db import Database
from kg.seed.loader import labels_of

from .conftest import ROOT, ServerHandle, run_kg

TEXTS = ROOT.parent / "shared" / "sources"
EXTRA = "\n  - {id: test-only-agency, label: PoliceAgency, name: Test-only Police}\n"


@pytest.mark.db
@pytest.mark.parametrize("how", ["kg.load(db, 'seed')", "kg.load(db)", "kg load seed/", "kg load"])
def test_the_seed_folder_is_the_whole_seed_in_python_and_on_the_command_line(
        how: str, server: ServerHandle, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "seed", project / "seed")
    shutil.copytree(ROOT / "cypher", project / "cypher")
    (project / "pyproject.toml").write_text("")
    registry = project / "seed" / "actors" / "actors.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text + EXTRA, encoding="utf-8")
    env = {**server.env(), "KG_PROJECT": str(project), "KG_TEXTS": str(TEXTS)}
    assert run_kg("load", env=env, cwd=project).returncode == 0
    assert labels_of(db, ["test-only-agency"]) == {"test-only-agency": "PoliceAgency"}

    registry.write_text(text, encoding="utf-8")  # the actor deleted from the registry
    if how.startswith("kg.load"):
        monkeypatch.setenv("KG_PROJECT", str(project))
        paths = [str(project / "seed")] if "'seed'" in how else []
        summary = kg.load(db, *paths, texts=str(TEXTS))
    else:
        args = [str(project / "seed")] if "seed/" in how else []
        proc = run_kg("load", *args, env=env, cwd=project)
        assert proc.returncode == 0, proc.stderr
        summary = proc.stderr
    assert "and 1 nodes and 0 relationships no seed file declares any more" in summary, summary
    assert labels_of(db, ["test-only-agency"]) == {}
    assert labels_of(db, ["toronto-police"]) == {"toronto-police": "PoliceAgency"}


@pytest.mark.db
def test_some_files_only_leave_what_they_do_not_mention(server: ServerHandle, db: Database, tmp_path: Path) -> None:
    """A load of some files is not the whole seed: an actor of the database that they do not declare stays."""
    kg.load(db, str(ROOT / "seed"), texts=str(TEXTS))
    before = labels_of(db, ["toronto-police", "clearview-app"])
    one = tmp_path / "one.yaml"
    one.write_text("actors:" + EXTRA, encoding="utf-8")
    summary = kg.load(db, str(one))
    assert "no seed file declares any more" not in summary, summary
    assert labels_of(db, ["test-only-agency", "toronto-police", "clearview-app"]) == {
        **before, "test-only-agency": "PoliceAgency"}
