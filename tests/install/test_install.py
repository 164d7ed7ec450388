"""Every install path: the wheel installed as a user installs it, then every command once.

The wheel is built from this checkout, then installed with its dependencies from the package index
into fresh virtual environments outside the checkout: one with the pip Python ships (`python -m
venv`, not upgraded: 23.2 for Python 3.11, the pip that once resolved kg without lxml_html_clean),
and one with the newest pip. In each, against the test server: `kg validate`, `kg load`, every
`kg export` format, `kg viz`, `kg source add` of a .txt, a saved .html and a .pdf (each scaffolds a
source that validates, a new publisher included), `kg serve` answering a page, and `kg query
run-all`. Slow (pip installs everything twice), so a run of its own: `make test-install`
(KG_TEST_INSTALL=1), which `.ci/run` calls after `make test`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kg.server.ports import free_port
from tests.conftest import ROOT, ServerHandle
from tests.seed.test_curation import ARTICLE, _pdf

pytestmark = [pytest.mark.install, pytest.mark.db]
TEXTS = Path(os.environ.get("KG_TEXTS") or ROOT.parent / "shared" / "sources")


def _run(*cmd: str | Path, cwd: Path, env: dict[str, str] | None = None,
         timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout,
                          check=False)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    proc = _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", dist, ROOT,
                cwd=dist)
    assert proc.returncode == 0, proc.stderr
    (built,) = dist.glob("kg-*.whl")
    return built


@pytest.mark.parametrize("pip", ["shipped", "newest"])
def test_the_wheel_installed_with_pip_runs_every_command(pip: str, wheel: Path, server: ServerHandle,
                                                         tmp_path: Path) -> None:
    venv, home, work = tmp_path / "venv", tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    base = getattr(sys, "_base_executable", sys.executable)  # the Python, not this checkout's venv
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("KG_", "NEO4J_", "PIP_", "VIRTUAL_ENV")) and k != "PYTHONPATH"}
    clean.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"))
    assert _run(base, "-m", "venv", venv, cwd=work, env=clean).returncode == 0
    python, kg = venv / "bin" / "python", venv / "bin" / "kg"
    shipped = _run(python, "-m", "pip", "--version", cwd=work, env=clean).stdout.split()[1]
    if pip == "newest":
        up = _run(python, "-m", "pip", "install", "-q", "--upgrade", "pip", cwd=work, env=clean)
        assert up.returncode == 0, up.stderr
    version = _run(python, "-m", "pip", "--version", cwd=work, env=clean).stdout.split()[1]
    assert (version == shipped) == (pip == "shipped"), (pip, shipped, version)
    installed = _run(python, "-m", "pip", "install", "-q", wheel, cwd=work, env=clean)
    assert installed.returncode == 0, installed.stderr
    assert _run(python, "-c", "import kg; print(kg.__file__)", cwd=work, env=clean).stdout.startswith(str(venv))

    env = {**clean, **{k: v for k, v in server.env().items() if k.startswith("NEO4J_")}}
    texts = work / "texts"
    shutil.copytree(TEXTS, texts)
    env["KG_TEXTS"] = str(texts)

    def ok(*args: str, cwd: Path = work, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        proc = _run(kg, *args, cwd=cwd, env=env, timeout=timeout)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, f"kg {' '.join(args)}:\n{proc.stderr}"
        return proc

    assert "ok:" in ok("validate").stderr
    assert "loaded" in ok("load").stderr
    from kg.export import FORMATS

    (work / "exports").mkdir()
    for fmt in FORMATS:
        out = work / "exports" / f"graph.{fmt}"
        ok("export", "--format", fmt, "--out", str(out))
        assert out.exists() and (out.is_dir() or out.stat().st_size > 0), fmt
    ok("viz", "--out", str(work / "graph.html"))
    assert "Clearview" in (work / "graph.html").read_text(encoding="utf-8")
    ok("query", "run-all", "--out", str(work / "answers"))
    names = sorted(p.stem for p in (ROOT / "cypher").glob("*.cypher"))
    assert sorted(p.stem for p in (work / "answers").glob("*.json")) == names
    stop_orders = json.loads((work / "answers" / "stop-orders.json").read_text(encoding="utf-8"))
    assert "Mark Saunders" in json.dumps(stop_orders)

    # kg source add of each kind of article, into a project of its own (a copy of the seed)
    project = work / "project"
    shutil.copytree(ROOT / "seed", project / "seed")
    article = work / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    page = work / "page.html"
    body = "".join(f"<p>{p}</p>" for p in ARTICLE.split("\n\n")[2:])
    # (dated in the past: htmldate, which trafilatura reads dates with, takes no date after today)
    page.write_text("<!doctype html><html><head><title>Lakeshore police tried app | Kg Install Gazette</title>"
                    '<meta property="og:site_name" content="Kg Install Gazette">'
                    '<meta property="article:published_time" content="2020-03-05T09:00:00Z"></head>'
                    f"<body><article><h1>Lakeshore police quietly tried facial recognition app</h1>{body}"
                    "</article></body></html>", encoding="utf-8")
    pdf = work / "article.pdf"
    pdf.write_bytes(_pdf("The Lakeshore Regional Police Service used Clearview AI\nduring a two-week trial.",
                         "Lakeshore police tried app", "Test Writer", "20200305090000Z"))
    added = [
        ok("--project", str(project), "source", "add", str(article), "--id", "src-install-txt", "--publisher",
           "cbc-news", "--published", "2030-03-02"),
        ok("--project", str(project), "source", "add", str(page), "--id", "src-install-html"),
        ok("--project", str(project), "source", "add", str(pdf), "--id", "src-install-pdf", "--publisher",
           "kg-install-gazette"),
    ]
    assert "a new Organization of the registry" in added[1].stderr  # the page's outlet
    assert (project / "seed" / "actors" / "kg-install-gazette.yaml").is_file()
    checked = ok("--project", str(project), "validate", "--strict").stderr
    assert "ok:" in checked
    for sid in ("src-install-txt", "src-install-html", "src-install-pdf"):
        assert (project / "seed" / "sources" / f"{sid}.yaml").is_file(), sid

    # kg serve answers a page
    port = free_port()
    serve = subprocess.Popen([str(kg), "serve", "--port", str(port)], cwd=work, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        page_text = ""
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/entity/eps.json", timeout=5) as r:
                    page_text = r.read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert json.loads(page_text)["name"] == "Edmonton Police Service"
    finally:
        serve.terminate()
        serve.wait(timeout=30)
