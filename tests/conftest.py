"""Fixtures that give every database test a real Neo4j.

Which server, in order:
1. NEO4J_URI (with NEO4J_USERNAME/NEO4J_PASSWORD) when set: a server you run. The suite refuses to
   wipe it if it already holds data, unless KG_TEST_ALLOW_WIPE=1.
2. Otherwise a local server started by kg itself (kg/server/local.py) on free ports, in a temporary
   folder, stopped at the end of the session, also when a Docker engine answers.
3. With KG_TEST_BACKEND=docker (`make test-docker`, a second run after the main suite): a
   testcontainers Neo4jContainer of KG_NEO4J_IMAGE (default neo4j:5.26-community; the Makefile uses
   the image tests/docker/build-images builds), with host networking on free ports of 127.0.0.1.
   Only then do the tests marked `docker` run; the main suite leaves them out (deselected).
KG_TEST_BACKEND=env|docker|local forces one of them.
"""

from __future__ import annotations

import functools
import os
import secrets
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kg.config import Settings
from kg.graph.db import Database
from kg.server.docker import DEFAULT_NEO4J_IMAGE
from kg.server.local import LocalServer
from kg.server.ports import free_port

ROOT = Path(__file__).resolve().parent.parent

#: JVM options of every Neo4j server and neo4j-admin the tests start (kg/server/jars.py's
#: KG_JAVA_OPTS): the C1 compiler only. A test's server lives for seconds or minutes, in which C2's
#: compiling costs more CPU than it saves: on this 2-core machine a cold `kg db up` took 8.4 s
#: instead of 13.6 s, and the first load after it 15 s instead of 25 s. Users' servers keep the JVM's
#: defaults.
TEST_JAVA_OPTS = "-XX:TieredStopAtLevel=1"
os.environ.setdefault("KG_JAVA_OPTS", TEST_JAVA_OPTS)


def clean_env() -> dict[str, str]:
    """This environment without its NEO4J_* and KG_* variables (a user's configuration), but with the
    tests' JVM options."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "KG_"))}
    env["KG_JAVA_OPTS"] = os.environ["KG_JAVA_OPTS"]
    return env


@dataclass
class ServerHandle:
    settings: Settings
    backend: str
    http_url: str | None
    local: LocalServer | None = None

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for running the `kg` command against this server."""
        env = clean_env()
        env.update(NEO4J_URI=self.settings.uri, NEO4J_USERNAME=self.settings.username,
                   NEO4J_PASSWORD=self.settings.password or "", NEO4J_DATABASE=self.settings.database)
        env.update(extra)
        return env


def _chosen_backend() -> str:
    forced = os.environ.get("KG_TEST_BACKEND")
    if forced:
        return forced
    if os.environ.get("NEO4J_URI"):
        return "env"
    # not Docker just because an engine answers: the Docker tests are their own run (make test-docker)
    return "local"


def pytest_report_header(config: pytest.Config) -> str:
    backend = _chosen_backend()
    if backend == "docker":
        return f"Neo4j for the tests: Docker, image {os.environ.get('KG_NEO4J_IMAGE') or DEFAULT_NEO4J_IMAGE}"
    return f"Neo4j for the tests: {backend} (tests marked docker run with KG_TEST_BACKEND=docker: make test-docker)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave the Docker tests out unless the Docker backend was chosen, the install tests unless
    KG_TEST_INSTALL=1, and the short soak unless KG_TEST_SOAK=1 (deselected, not skipped: each is a
    run of its own, `make test-docker`, `make test-install`, `make test-soak`, which .ci/run calls)."""
    left_out = set()
    if _chosen_backend() != "docker":
        left_out.add("docker")
    if os.environ.get("KG_TEST_INSTALL") != "1":
        left_out.add("install")
    if os.environ.get("KG_TEST_SOAK") != "1":
        left_out.add("soak")
    out = [item for item in items if any(item.get_closest_marker(m) for m in left_out)]
    if out:
        config.hook.pytest_deselected(items=out)
        items[:] = [item for item in items if not any(item.get_closest_marker(m) for m in left_out)]


def _neo4j_container_class() -> type[Any]:
    try:
        from testcontainers.community.neo4j import Neo4jContainer
    except ImportError:  # testcontainers before 4.14
        from testcontainers.neo4j import Neo4jContainer
    return Neo4jContainer


def docker_neo4j(password: str, name: str, heap: str = "1g", pagecache: str = "256m") -> Any:
    """A testcontainers Neo4jContainer of KG_NEO4J_IMAGE with host networking, listening on free ports
    of 127.0.0.1 only: the test engine has no bridge network, so no container address is ever used.
    Ryuk (testcontainers' reaper, an image of its own) is off: the `with` block removes the container
    and its volumes, also when a test fails."""
    os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")
    base = _neo4j_container_class()
    bolt, http = free_port(), free_port()

    class HostNetworkNeo4j(base):  # type: ignore[misc, valid-type]
        bolt_port, http_port = bolt, http

        def get_connection_url(self) -> str:
            return f"bolt://127.0.0.1:{bolt}"

    container = HostNetworkNeo4j(os.environ.get("KG_NEO4J_IMAGE") or DEFAULT_NEO4J_IMAGE, password=password)
    container.ports = {}  # host networking publishes nothing
    container.with_kwargs(network="host")
    container.with_name(name)
    settings = {
        "NEO4J_server_default__listen__address": "127.0.0.1",
        "NEO4J_server_bolt_listen__address": f"127.0.0.1:{bolt}",
        "NEO4J_server_bolt_advertised__address": f"127.0.0.1:{bolt}",
        "NEO4J_server_http_listen__address": f"127.0.0.1:{http}",
        "NEO4J_server_http_advertised__address": f"127.0.0.1:{http}",
        "NEO4J_server_memory_heap_initial__size": heap,
        "NEO4J_server_memory_heap_max__size": heap,
        "NEO4J_server_memory_pagecache_size": pagecache,
        "NEO4J_dbms_usage__report_enabled": "false",
    }
    for key, value in settings.items():
        container.with_env(key, value)
    return container


@pytest.fixture(scope="session")
def neo4j_server(request: pytest.FixtureRequest) -> Iterator[ServerHandle]:
    """The suite's server. Local: the session's checkout server (`kg db up`, below), one server for
    the whole suite, since every start costs seconds."""
    backend = _chosen_backend()
    if backend == "env":
        settings = Settings.resolve()
        yield ServerHandle(settings, "env", None)
        return
    password = secrets.token_urlsafe(18)
    if backend == "docker":
        with docker_neo4j(password, f"kgtest-neo4j-{secrets.token_hex(4)}") as container:
            yield ServerHandle(Settings(uri=container.get_connection_url(), username="neo4j", password=password),
                               "docker", f"http://127.0.0.1:{container.http_port}")
        return
    checkout: CheckoutServer = request.getfixturevalue("checkout_server")
    local = LocalServer(checkout.state / "neo4j", bolt_port=checkout.bolt_port, http_port=checkout.http_port)
    yield ServerHandle(Settings(uri=local.bolt_uri, username="neo4j", password=KNOWN_PASSWORD), "local",
                       f"http://127.0.0.1:{local.http_port}", local)


def _wipe(db: Database) -> None:
    from kg.seed.loader import wipe

    wipe(db)


@pytest.fixture(scope="session")
def _guarded(neo4j_server: ServerHandle) -> ServerHandle:
    """Refuse to touch a database the suite did not create, unless told to."""
    if neo4j_server.backend == "env" and os.environ.get("KG_TEST_ALLOW_WIPE") != "1":
        with Database(neo4j_server.settings) as db:
            count = db.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
        if count:
            pytest.exit(f"refusing to wipe {neo4j_server.settings.uri}: it holds {count} nodes the tests did "
                        "not create; use an empty database or set KG_TEST_ALLOW_WIPE=1", returncode=3)
    return neo4j_server


@pytest.fixture
def db(_guarded: ServerHandle) -> Iterator[Database]:
    """A connection to an empty database."""
    with Database(_guarded.settings) as database:
        _wipe(database)
        yield database


@pytest.fixture
def server(_guarded: ServerHandle) -> ServerHandle:
    return _guarded


@functools.cache
def _command() -> Any:
    """kg's click command, built from the Typer app once: typer's own CliRunner builds it again for
    every run, which was 80% of a `kg validate` of two small files (65 of 81 ms)."""
    import typer

    from kg.cli import app

    return typer.main.get_command(app)


def run_kg(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
           timeout: float = 600, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the `kg` command in this process, through typer's CliRunner, as a subprocess would see it:
    `env` is the whole environment (None: this one), `cwd` the working directory, and stdout, stderr
    and the exit code come back apart. An exception kg does not handle is printed on stderr with its
    traceback and exits 1, as Python would, so "no traceback" assertions stay honest. (`timeout` is
    for the process variant; tests that need a real process, signals or the console script use
    `run_kg_process`.)"""
    import traceback

    from click.testing import CliRunner

    from kg import project

    overrides: dict[str, str | None] | None = None
    if env is not None:
        overrides = {k: None for k in os.environ if k not in env}
        overrides.update(env)
    here = Path.cwd()
    os.chdir(cwd or ROOT)
    try:
        result = CliRunner().invoke(_command(), list(args), env=overrides, input=input, catch_exceptions=True)
    finally:
        os.chdir(here)
        project.use(None)  # a --project given to this run must not outlive it
    stderr, code = result.stderr, result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
        code = 1
    return subprocess.CompletedProcess(["kg", *args], code, result.stdout, stderr)


def run_kg_process(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
                   timeout: float = 600, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `kg` command in a process of its own (`python -m kg`, as the console script does)."""
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True,
                          env=env, cwd=cwd or ROOT, timeout=timeout, input=input, check=False)


@pytest.fixture(scope="module")
def seeded(_guarded: ServerHandle) -> Iterator[Database]:
    """A database holding exactly the project's seed/, loaded once per test module (read-only use)."""
    from kg.seed.loader import load
    from kg.seed.validate import validate

    with Database(_guarded.settings) as database:
        _wipe(database)
        load(database, validate([ROOT / "seed"]))
        yield database


def _no_content(*_args: Any, **_kwargs: Any) -> Any:
    raise AssertionError("a server start read seed/ or cypher/")


#: the password the checkout server is started with (tests/test_security.py greps everything for it)
KNOWN_PASSWORD = "Kn0wn-Test-Secret-4f9b2c"


@dataclass
class CheckoutServer:
    """The server `kg db up --backend local` starts for a checkout, with its state in a folder of its
    own: one per test session, used by the tests of `kg db up/status/guide/dump/restore/down`, of
    secrets and of faults (which kill it and bring it back), and, with the local backend, by every
    other test too (`neo4j_server`), since each start costs many seconds. Every output of `kg` run
    through `run` is kept in `printed`, so the security test can look for the password in all of it."""

    state: Path
    bolt_port: int
    http_port: int
    up: subprocess.CompletedProcess[str]
    printed: list[str]

    def env(self, **extra: str) -> dict[str, str]:
        env = clean_env()
        env.update(KG_STATE_DIR=str(self.state), KG_NEO4J_HEAP="1g", KG_NEO4J_PAGECACHE="256m",
                   NEO4J_PASSWORD=KNOWN_PASSWORD)
        env.update(extra)
        return env

    def run(self, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        proc = run_kg(*args, env=self.env(**extra))
        self.printed.append(proc.stdout + proc.stderr)
        return proc


@pytest.fixture(scope="session")
def checkout_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckoutServer]:
    """`kg db up` once, with everything that reads seed/ or cypher/ made to fail (a server start must
    not read content), and the placeholder guide served; at the end of the session `kg db down` must
    stop it, and then `kg db status` must say in one line that nothing answers (checked here: a failure
    shows as an error at teardown)."""
    state = tmp_path_factory.mktemp("checkout") / "state"
    bolt, http = free_port(), free_port()
    handle = CheckoutServer(state, bolt, http, subprocess.CompletedProcess([], 0), [])
    with pytest.MonkeyPatch.context() as patch:  # starting a server reads neither seed/ nor cypher/
        import kg.cli  # noqa: F401  (every module a command may call, imported)
        from kg.browser import guide, story
        from kg.questions import catalogue
        from kg.seed import validate

        originals = {id(f) for f in (validate.validate, catalogue.catalogue, story.load, guide.guide_html,
                                     guide._seed)}
        for module in [m for n, m in sys.modules.items() if n == "kg" or n.startswith("kg.")]:
            for name, value in vars(module).items():  # the functions, under whatever name a module took them
                if id(value) in originals:
                    patch.setattr(module, name, _no_content)
        handle.up = handle.run("db", "up", "--backend", "local", "--bolt-port", str(bolt), "--http-port", str(http))
    try:
        assert handle.up.returncode == 0, handle.up.stderr
        # until `kg load` (or `kg db guide`) writes the guide, the Browser is offered a placeholder
        from kg.browser import guide as browser_guide
        from kg.browser import urls as browser_urls

        base = browser_urls.local_base(http)
        with urllib.request.urlopen(browser_urls.guide_url(base), timeout=10) as resp:
            assert resp.read().decode() == browser_guide.placeholder_html(base)
        yield handle
    finally:
        down = handle.run("db", "down")
    assert down.returncode == 0 and "stopped" in down.stderr, down.stderr
    after = handle.run("db", "status")
    assert after.returncode == 1 and len(after.stderr.strip().splitlines()) == 1, after.stderr
    assert f"bolt://127.0.0.1:{bolt}" in after.stderr and "kg db up" in after.stderr
    assert all(KNOWN_PASSWORD not in text for text in handle.printed)
    for log in (state / "neo4j" / "logs").glob("*"):
        assert KNOWN_PASSWORD not in log.read_text(errors="replace"), log
