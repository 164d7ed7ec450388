"""kg as a tool: the wheel carries the named questions, the seed and the Browser guide, and kg
installed from it works outside any checkout (kg/project.py decides where content and state are).

The wheel is built once per session from this checkout (no build isolation, nothing downloaded)
and installed into a throwaway venv that sees the running venv's dependencies through a .pth
file; that venv's kg is the wheel's, never the checkout's (checked). Its commands run in a
temporary folder outside the checkout, with HOME and XDG_DATA_HOME of their own.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kg import config, project
from kg.errors import UsageError
from kg.graph.db import Database
from tests.conftest import ROOT, ServerHandle, run_kg

NAMES = sorted(p.stem for p in (ROOT / "cypher").glob("*.cypher"))
EXTRA = """/*
name: extra-question
title: An extra question
description: Only in the temporary project.
*/
MATCH (n:Entity) RETURN n.id AS id ORDER BY id LIMIT 1
"""


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    home: Path

    def env(self, base: dict[str, str] | None = None, **extra: str) -> dict[str, str]:
        """The environment of a user outside the checkout: none of the test run's kg, Neo4j or
        Python path settings, a home and data folder of its own."""
        env = base or {k: v for k, v in os.environ.items() if not k.startswith(("KG_", "NEO4J_"))}
        env = {k: v for k, v in env.items() if k != "PYTHONPATH"}
        env.update(HOME=str(self.home), XDG_DATA_HOME=str(self.home / "data"), **extra)
        return env

    def kg(self, *args: str, cwd: Path, env: dict[str, str] | None = None,
           timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.venv / "bin" / "kg"), *args], capture_output=True, text=True,
                              cwd=cwd, env=env or self.env(), timeout=timeout, check=False)


def _run(*cmd: str | Path, cwd: Path | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the tests may run the checkout's kg
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=cwd, env=env, check=False)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    try:
        import hatchling  # noqa: F401  (the build backend, for a build without isolation)
    except ImportError:
        pytest.fail("hatchling is not installed in this venv: run pip install -e '.[dev]' (make setup)")
    base = tmp_path_factory.mktemp("packaging")
    dist, venv, home = base / "dist", base / "venv", base / "home"
    home.mkdir()
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", dist, ROOT)
    (wheel,) = dist.glob("kg-*.whl")
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").strip())
    # the running venv's dependencies, after the throwaway venv's own packages; a plain path line,
    # so the .pth files there (the editable install's finder of kg) are not run
    ours = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    (site / "_deps_of_the_test_venv.pth").write_text("\n".join(ours) + "\n")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel)
    where = Path(_run(python, "-c", "import kg; print(kg.__file__)", cwd=home).strip())
    assert where.is_relative_to(venv), f"the throwaway venv imports kg from {where}, not from the wheel"
    return Installed(wheel, venv, home)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    assert project.root(folder) is None, "the temporary folder must be outside any checkout"
    return folder


def _names(listing: str) -> list[str]:
    return [line.split(",", 1)[0] for line in listing.splitlines()[1:]]


def test_the_wheel_carries_questions_seed_and_browser_assets(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    expected = {f"kg/_content/cypher/{p.name}" for p in (ROOT / "cypher").iterdir() if p.is_file()}
    expected |= {f"kg/_content/seed/{p.relative_to(ROOT / 'seed').as_posix()}"
                 for p in (ROOT / "seed").rglob("*") if p.is_file()}
    expected |= {f"kg/_content/browser/{p.name}" for p in (ROOT / "docs" / "browser").iterdir()}
    expected |= {f"kg/resources/{p.relative_to(ROOT / 'kg' / 'resources').as_posix()}"
                 for p in (ROOT / "kg" / "resources").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert {"kg/resources/vendor/sigma.min.js", "kg/resources/vendor/sigma.min.js.LICENSES.txt"} <= expected
    assert len([n for n in expected if n.endswith(".cypher")]) == len(NAMES) == 15
    assert expected <= names, sorted(expected - names)
    assert not any(n.startswith(("cypher/", "seed/", "tests/", "docs/")) for n in names)


def test_query_list_and_show_outside_a_checkout(installed: Installed, outside: Path) -> None:
    listed = installed.kg("query", "list", "--format", "csv", cwd=outside)
    assert listed.returncode == 0, listed.stderr
    assert _names(listed.stdout) == NAMES
    shown = installed.kg("query", "show", "timeline", cwd=outside)
    assert shown.returncode == 0, shown.stderr
    assert "name: timeline" in shown.stdout and shown.stdout == run_kg("query", "show", "timeline").stdout
    assert sorted(p.name for p in outside.iterdir()) == []  # nothing written where kg ran


def test_validate_outside_a_checkout(installed: Installed, outside: Path) -> None:
    from kg.seed.validate import validate

    c = validate([ROOT / "seed"]).counts()
    texts = os.environ.get("KG_TEXTS")  # relative to the checkout, where the suite runs
    given = {"KG_TEXTS": str((ROOT / texts).resolve())} if texts else {}
    proc = installed.kg("validate", cwd=outside, env=installed.env(None, **given))
    assert proc.returncode == 0, proc.stderr
    assert (f"ok: {c['files']} files, {c['sources']} sources, {c['nodes']} nodes, {c['relationships']} "
            "relationships") in proc.stderr


@pytest.mark.db
def test_load_and_viz_outside_a_checkout(installed: Installed, outside: Path, server: ServerHandle,
                                        db: Database) -> None:
    from kg.seed.validate import validate

    seed = validate([ROOT / "seed"])
    c = seed.counts()
    env = installed.env(server.env())
    loaded = installed.kg("load", cwd=outside, env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert (f"loaded {c['files']} files: {c['sources']} sources, {c['nodes']} nodes, {c['relationships']} "
            "relationships") in loaded.stderr
    ids = [*seed.nodes, *seed.sources]
    assert db.read("MATCH (n) WHERE n.id IN $ids RETURN count(n) AS n", {"ids": ids})[0]["n"] == len(ids)
    out = outside / "graph.html"
    viz = installed.kg("viz", "--out", str(out), cwd=outside, env=env)
    assert viz.returncode == 0, viz.stderr
    match = re.search(r"wrote .*graph\.html \((\d+) nodes, (\d+) edges\)", viz.stderr)
    assert match and int(match[1]) >= c["nodes"] and int(match[2]) > 0, viz.stderr
    assert out.is_file() and "Clearview" in out.read_text(encoding="utf-8")
    assert sorted(p.name for p in outside.iterdir()) == ["graph.html"]  # no .kg/ in the working directory


def _project_with_extra_question(folder: Path) -> Path:
    (folder / "cypher").mkdir(parents=True)
    for name in NAMES:
        shutil.copy(ROOT / "cypher" / f"{name}.cypher", folder / "cypher")
    (folder / "cypher" / "extra-question.cypher").write_text(EXTRA, encoding="utf-8")
    return folder


def test_project_option_and_env_choose_the_project(installed: Installed, outside: Path, tmp_path: Path) -> None:
    mine = _project_with_extra_question(tmp_path / "my-project")
    for args, env in (((("--project", str(mine))), installed.env()), ((), installed.env(KG_PROJECT=str(mine)))):
        listed = installed.kg(*args, "query", "list", "--format", "csv", cwd=outside, env=env)
        assert listed.returncode == 0, listed.stderr
        assert _names(listed.stdout) == sorted([*NAMES, "extra-question"])
    # the project has no seed/: the installed one is read
    assert installed.kg("--project", str(mine), "validate", cwd=outside).returncode == 0
    missing = installed.kg("--project", str(tmp_path / "nowhere"), "query", "list", cwd=outside)
    assert missing.returncode == 2 and "nowhere" in missing.stderr


def test_a_checkout_wins_over_the_installed_questions(installed: Installed, tmp_path: Path) -> None:
    checkout = _project_with_extra_question(tmp_path / "checkout")
    shutil.copytree(ROOT / "seed", checkout / "seed")
    changed = (checkout / "cypher" / "timeline.cypher").read_text(encoding="utf-8").replace(
        "title: Timeline", "title: Timeline of this checkout")
    (checkout / "cypher" / "timeline.cypher").write_text(changed, encoding="utf-8")
    below = checkout / "seed" / "sources"  # anywhere inside it
    listed = installed.kg("query", "list", "--format", "csv", cwd=below)
    assert listed.returncode == 0, listed.stderr
    assert "extra-question" in _names(listed.stdout)
    assert "Timeline of this checkout" in installed.kg("query", "show", "timeline", cwd=below).stdout


def test_the_installed_tool_keeps_state_in_the_user_data_folder(installed: Installed, outside: Path) -> None:
    code = ("from kg.config import state_dir; from kg.seed.texts import texts_dir; "
            "print(state_dir()); print(texts_dir())")
    proc = subprocess.run([str(installed.venv / "bin" / "python"), "-c", code], capture_output=True, text=True,
                          cwd=outside, env=installed.env(), check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [str(installed.home / "data" / "kg"), "None"]
    # commands that write into a project refuse, rather than write into site-packages or here
    docs = installed.kg("docs", cwd=outside)
    assert docs.returncode == 2 and "kg docs writes into a project" in docs.stderr
    assert sorted(p.name for p in outside.iterdir()) == []


# --- kg/project.py, in this process -----------------------------------------------------------------

@pytest.fixture
def user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fake home with its own data folder; no KG_* settings; the working directory outside any checkout."""
    home = tmp_path / "home"
    (home / "elsewhere").mkdir(parents=True)
    for name in ("KG_PROJECT", "KG_STATE_DIR", "KG_TEXTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg"))
    monkeypatch.chdir(home / "elsewhere")
    project.use(None)
    yield home
    project.use(None)


def test_outside_a_checkout_state_goes_to_the_user_data_folder(user: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert project.root() is None
    assert config.state_dir() == user / "xdg" / "kg"
    assert project.texts_default() == user / "xdg" / "kg" / "texts"
    assert config.project_root() == user / "elsewhere"  # its .env is still read
    # the installed content: here, the checkout this kg is imported from
    assert project.cypher_dir() == ROOT / "cypher" and project.seed_dir() == ROOT / "seed"
    with pytest.raises(UsageError, match="kg source add writes into a project"):
        project.writable_seed_dir()
    monkeypatch.setenv("KG_STATE_DIR", str(user / "state"))
    assert config.state_dir() == user / "state"


def test_a_checkout_or_a_chosen_project_keeps_its_state_in_dot_kg(user: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checkout = user / "checkout"
    (checkout / "cypher").mkdir(parents=True)
    (checkout / "seed" / "sources").mkdir(parents=True)
    monkeypatch.chdir(checkout / "seed" / "sources")
    assert project.root() == checkout
    assert config.state_dir() == checkout / ".kg" and project.texts_default() == checkout / ".kg" / "texts"
    assert project.cypher_dir() == checkout / "cypher" and project.writable_seed_dir() == checkout / "seed"

    chosen = user / "chosen"
    chosen.mkdir()
    monkeypatch.setenv("KG_PROJECT", str(chosen))
    assert project.root() == chosen and config.state_dir() == chosen / ".kg"
    assert project.cypher_dir() == ROOT / "cypher"  # it has no cypher/ of its own
    project.use(checkout)  # --project wins over KG_PROJECT
    assert project.root() == checkout


def test_the_old_rule_still_finds_a_project_by_dot_kg_or_pyproject(user: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for marker in (".kg", "pyproject.toml"):
        folder = user / f"by{marker}"
        (folder / "sub").mkdir(parents=True)
        (folder / marker).mkdir() if marker == ".kg" else (folder / marker).write_text("")
        monkeypatch.chdir(folder / "sub")
        assert config.project_root() == folder and config.state_dir() == folder / ".kg"


def test_a_project_of_only_a_seed_gets_the_installed_guide(user: Path) -> None:
    """A project with a seed/ and no cypher/ asks the installed questions, and so tells their story:
    a load into its server writes kg's guide (it once looked for the project's own cypher/guide.yaml)."""
    from kg.browser import story

    only_seed = user / "only-seed"
    (only_seed / "seed").mkdir(parents=True)
    project.use(only_seed)
    assert project.cypher_dir() == ROOT / "cypher"
    assert story.default_path() == ROOT / "cypher" / "guide.yaml"
    assert story.load().questions  # readable, and names the installed questions
    (only_seed / "cypher").mkdir()
    (only_seed / "cypher" / "guide.yaml").write_text("title: mine\n", encoding="utf-8")
    assert story.default_path() == only_seed / "cypher" / "guide.yaml"
