"""Fixtures that give every database test a real Neo4j.

Which server, in order:
1. NEO4J_URI (with NEO4J_USERNAME/NEO4J_PASSWORD) when set: a server you run. The suite refuses to
   wipe it if it already holds data, unless KG_TEST_ALLOW_WIPE=1.
2. A testcontainers Neo4jContainer (neo4j:5.26-community) when a Docker engine answers.
3. Otherwise a local server started by kg itself (kg/server.py) on free ports, in a temporary
   folder, stopped at the end of the session.
KG_TEST_BACKEND=env|docker|local forces one of them.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kg import versions
from kg.config import Settings
from kg.db import Database
from kg.server import LocalServer, docker_available, free_port

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class ServerHandle:
    settings: Settings
    backend: str
    http_url: str | None
    local: LocalServer | None = None

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for running the `kg` command against this server."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "KG_"))}
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
    return "docker" if docker_available() else "local"


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHandle]:
    backend = _chosen_backend()
    if backend == "env":
        settings = Settings.resolve()
        yield ServerHandle(settings, "env", None)
        return
    password = secrets.token_urlsafe(18)
    if backend == "docker":
        from testcontainers.neo4j import Neo4jContainer

        with Neo4jContainer(f"neo4j:{versions.NEO4J_SERIES}-community", password=password) as container:
            uri = container.get_connection_url()
            http = f"http://{container.get_container_host_ip()}:{container.get_exposed_port(7474)}"
            yield ServerHandle(Settings(uri=uri, username="neo4j", password=password), "docker", http)
        return
    home = tmp_path_factory.mktemp("neo4j-server")
    server = LocalServer(home, bolt_port=free_port(), http_port=free_port(), heap="1g", pagecache="256m")
    server.start("neo4j", password, timeout=240)
    try:
        yield ServerHandle(Settings(uri=server.bolt_uri, username="neo4j", password=password), "local",
                         f"http://127.0.0.1:{server.http_port}", server)
    finally:
        server.stop()


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


def run_kg(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
           timeout: float = 600, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `kg` command (the console script of this environment)."""
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True,
                          env=env, cwd=cwd or ROOT, timeout=timeout, input=input, check=False)


@pytest.fixture(scope="module")
def seeded(_guarded: ServerHandle) -> Iterator[Database]:
    """A database holding exactly the project's seed/, loaded once per test module (read-only use)."""
    from kg.seed import validate
    from kg.seed.loader import load

    with Database(_guarded.settings) as database:
        _wipe(database)
        load(database, validate([ROOT / "seed"]))
        yield database
