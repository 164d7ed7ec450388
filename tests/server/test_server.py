"""The foundation: a real Neo4j from each path, `kg db up/status/down`, connection errors."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from kg import versions
from kg.browser import guide as browser_guide
from kg.browser import urls as browser_urls
from kg.config import Settings
from kg.graph.db import Database
from kg.server.ports import free_port
from tests.conftest import ROOT, CheckoutServer, ServerHandle, clean_env, run_kg, run_kg_process

pytestmark = pytest.mark.db


def test_the_suite_runs_against_neo4j_5_26(db: Database) -> None:
    info = db.server_info()
    assert info.version.startswith(versions.NEO4J_SERIES + "."), info
    assert info.edition == "community"
    assert db.read("RETURN 1 AS one") == [{"one": 1}]


def test_routing_scheme_neo4j_works_against_a_single_server(server: ServerHandle) -> None:
    routed = Settings(uri=server.settings.uri.replace("bolt://", "neo4j://"), username=server.settings.username,
                      password=server.settings.password)
    with Database(routed) as db:
        db.write("CREATE (:Probe {id: 'routing'})")
        assert db.read("MATCH (p:Probe {id: 'routing'}) RETURN count(p) AS n") == [{"n": 1}]
        db.write("MATCH (p:Probe) DELETE p")


def test_env_path_configuration_reaches_the_server(server: ServerHandle, monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    for key, value in server.env().items():
        if key.startswith("NEO4J_"):
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("KG_STATE_DIR", str(tmp_path))
    settings = Settings.resolve(root=tmp_path)
    assert settings.origin == "environment"
    with Database(settings) as db:
        assert db.server_info().version.startswith(versions.NEO4J_SERIES)


def test_env_path_refuses_to_wipe_a_database_it_did_not_create(server: ServerHandle, db: Database) -> None:
    db.write("CREATE (:Precious {id: 'keep-me'})")
    env = server.env(KG_TEST_BACKEND="env")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/server/test_server.py::test_the_suite_runs_against_neo4j_5_26"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "refusing to wipe" in proc.stdout + proc.stderr
    assert db.read("MATCH (p:Precious) RETURN p.id AS id") == [{"id": "keep-me"}]


def test_db_up_status_guide_and_up_again(checkout_server: CheckoutServer) -> None:
    """`kg db up` (the session's checkout server), status, the guide, and up again (one server). Its
    `kg db down`, and status afterwards, are checked when the session ends (tests/conftest.py)."""
    server, up = checkout_server, checkout_server.up
    bolt, http = server.bolt_port, server.http_port
    assert f"bolt://127.0.0.1:{bolt}" in up.stdout
    assert f"http://127.0.0.1:{http}/browser/" in up.stdout
    assert "neo4j" in up.stdout
    password = (server.state / "password").read_text().strip()
    assert password not in up.stdout + up.stderr
    assert oct((server.state / "password").stat().st_mode & 0o777) == "0o600"

    with urllib.request.urlopen(f"http://127.0.0.1:{http}/browser/", timeout=10) as resp:
        assert resp.status == 200
        assert "Neo4j Browser" in resp.read().decode()
    # the guide: a placeholder after `kg db up` (checked by the fixture) until `kg load` writes the real
    # one, which the running server serves
    base = browser_urls.local_base(http)
    load = server.run("load")
    assert load.returncode == 0, load.stderr
    assert f"wrote kg's guide; in Neo4j Browser: :guide {browser_urls.guide_url(base)}" in load.stderr
    guide, deadline = browser_guide.guide_html(base), time.monotonic() + 15
    while _get(browser_urls.guide_url(base)) != guide and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _get(browser_urls.guide_url(base)) == guide
    again_guide = server.run("db", "guide")
    assert again_guide.returncode == 0 and browser_urls.guide_url(base) in again_guide.stderr, again_guide.stderr

    status = server.run("db", "status")
    assert status.returncode == 0, status.stderr
    assert f"Neo4j {versions.NEO4J_SERIES}." in status.stdout

    again = server.run("db", "up", "--backend", "local")
    assert again.returncode == 0, again.stderr
    assert "already running" in again.stderr
    pids = subprocess.run(["pgrep", "-f", str(server.state / "neo4j")], capture_output=True, text=True)
    assert len(pids.stdout.split()) == 1, pids.stdout


def test_the_local_server_maps_the_archive_of_its_classes(checkout_server: CheckoutServer) -> None:
    """`make jars` (kg.server.local.install) made an archive of the server's classes once, in the cache;
    every start maps it (a JVM that refuses an archive leaves it unmapped, and says so in the
    console log). The Browser, which comes after the archived jars on the classpath, is still kg's
    (test_db_up_status_guide_and_up_again, tests/browser/test_browser.py)."""
    from kg.server.jars import java_command, java_version, resolve_jars, server_jars
    from kg.server.local import LocalServer, class_archive

    java = java_command()
    if "sharing" not in java_version(java):
        pytest.skip("this Java cannot share classes (not HotSpot, or without its own base archive)")
    archive = class_archive(java, server_jars(resolve_jars()))
    assert archive is not None and archive.stat().st_size > 10_000_000
    home = checkout_server.state / "neo4j"
    pid = LocalServer(home, bolt_port=checkout_server.bolt_port, http_port=checkout_server.http_port).pid()
    assert pid is not None
    assert str(archive) in Path(f"/proc/{pid}/maps").read_text()
    assert "shared archive" not in (home / "logs" / "console.log").read_text(errors="replace")


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return str(resp.read().decode())


def test_db_guide_without_a_local_server_is_one_line(tmp_path: Path) -> None:
    env = clean_env()
    env.update(KG_STATE_DIR=str(tmp_path / "state"))
    proc = run_kg("db", "guide", env=env)
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1 and "kg db up" in proc.stderr and "kg docs" in proc.stderr


def test_unreachable_server_is_one_line_and_exit_1() -> None:
    port = free_port()
    proc = run_kg("--uri", f"bolt://127.0.0.1:{port}", "db", "status")
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert f"bolt://127.0.0.1:{port}" in lines[0] and "kg db up" in lines[0] and "NEO4J_URI" in lines[0]
    assert "Traceback" not in proc.stderr


def test_wrong_password_is_one_line_and_never_echoed(server: ServerHandle) -> None:
    env = server.env(NEO4J_PASSWORD="wrong-password-9f8e7d")
    proc = run_kg("db", "status", env=env)
    assert proc.returncode == 1
    assert "refused the credentials" in proc.stderr
    assert "wrong-password-9f8e7d" not in proc.stderr + proc.stdout


@pytest.mark.parametrize("args", [["db", "nope"], ["--no-such-option"], ["db", "up", "--backend", "cloud"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    proc = run_kg(*args)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr


def test_version_and_help_with_examples() -> None:
    """End to end, in a process of its own: `python -m kg`, as the console script runs it."""
    version = run_kg_process("--version")
    assert version.returncode == 0 and versions.NEO4J_VERSION in version.stdout
    helptext = run_kg_process("--help").stdout
    assert "Examples:" in helptext and "kg db up" in helptext and "kg query run" in helptext


def test_configuration_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(key, raising=False)
    state = tmp_path / ".kg"
    state.mkdir()
    (state / "server.json").write_text('{"uri": "bolt://127.0.0.1:7001", "username": "neo4j"}')
    (state / "password").write_text("from-state\n")
    monkeypatch.setenv("KG_STATE_DIR", str(state))
    assert Settings.resolve(root=tmp_path).uri == "bolt://127.0.0.1:7001"
    assert Settings.resolve(root=tmp_path).password == "from-state"
    # the state's password also serves neo4j:// to the same address
    assert Settings.resolve(uri="neo4j://127.0.0.1:7001", root=tmp_path).password == "from-state"
    (tmp_path / ".env").write_text("NEO4J_URI=bolt://127.0.0.1:7002\nNEO4J_PASSWORD=from-dotenv\n")
    assert Settings.resolve(root=tmp_path).uri == "bolt://127.0.0.1:7002"
    assert Settings.resolve(root=tmp_path).password == "from-dotenv"
    monkeypatch.setenv("NEO4J_URI", "neo4j://127.0.0.1:7003")
    assert Settings.resolve(root=tmp_path).uri == "neo4j://127.0.0.1:7003"
    assert Settings.resolve(uri="bolt://127.0.0.1:7004", root=tmp_path).uri == "bolt://127.0.0.1:7004"
    assert "from-dotenv" not in repr(Settings.resolve(root=tmp_path))


def test_compose_uses_the_one_neo4j_version_and_loopback_only() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    service = compose["services"]["neo4j"]
    # the official image unless KG_NEO4J_IMAGE names another (kg's Docker tests: tests/docker/build-images)
    assert service["image"] == f"${{KG_NEO4J_IMAGE:-neo4j:{versions.NEO4J_SERIES}-community}}"
    assert "name" not in compose  # docker-compose 1.x refuses a top-level name
    assert all(port.startswith("127.0.0.1:") for port in service["ports"])
    assert "healthcheck" in service and "cypher-shell" in " ".join(service["healthcheck"]["test"])
    assert "${NEO4J_PASSWORD" in service["environment"]["NEO4J_AUTH"]
    assert versions.NEO4J_VERSION.startswith(versions.NEO4J_SERIES + ".")
    # Neo4j Browser: kg's guide and style come from the kg-guide service, on this machine only
    from kg.browser import urls as browser_urls

    env = service["environment"]
    assert env["NEO4J_browser_remote__content__hostname__whitelist"] == browser_urls.ALLOWLIST
    assert env["NEO4J_browser_post__connect__cmd"] == browser_urls.post_connect_cmd(browser_urls.COMPOSE_BASE)
    assert env["NEO4J_client_allow__telemetry"] == "false"
    guide = compose["services"]["kg-guide"]
    assert guide["image"] == "${KG_GUIDE_IMAGE:-python:3.12-alpine}"
    assert guide["ports"] == [f"127.0.0.1:{browser_urls.COMPOSE_PORT}:{browser_urls.COMPOSE_PORT}"]
    assert "./docs/browser:/srv/browser:ro" in guide["volumes"]
    assert "./kg/browser/guide_server.py:/srv/guide_server.py:ro" in guide["volumes"]
    assert guide["command"][-2:] == ["--port", str(browser_urls.COMPOSE_PORT)]
    # kg serve, built from the root Dockerfile, on this machine only, its password from the environment
    web = compose["services"]["web"]
    assert web["image"] == "${KG_WEB_IMAGE:-kg/web:local}" and web["build"] == {"context": "."}
    assert (ROOT / "Dockerfile").is_file() and (ROOT / ".dockerignore").read_text().count("\n*\n") == 1
    assert web["ports"] == ["127.0.0.1:${KG_WEB_PORT:-8000}:8000"]
    assert web["environment"]["NEO4J_PASSWORD"].startswith("${NEO4J_PASSWORD")
    assert not any("PASSWORD" in part for part in web["command"] + web["healthcheck"]["test"])
    assert web["depends_on"] == {"neo4j": {"condition": "service_healthy"}}
