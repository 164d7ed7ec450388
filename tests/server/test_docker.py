"""The Docker paths: docker-compose.yml, `kg db up --backend docker`, and the testcontainers fixture.

`make test-docker` runs these (KG_TEST_BACKEND=docker, a pytest run of its own after the main suite,
which deselects them), with the seed and question tests on the fixture's container, against the
images of KG_NEO4J_IMAGE, KG_GUIDE_IMAGE and KG_WEB_IMAGE: the Makefile names those
tests/docker/build-images builds offline (the web one from the users' Dockerfile, on wheels made
beforehand); users' defaults stay the official images, and for the web service an image Compose
builds. Every container runs with host networking on free ports of 127.0.0.1
(tests/docker/compose.test.yml), and whatever a test starts is removed at its end, also when it
fails; `tests/docker/leftovers` checks that nothing stayed.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from kg import versions
from kg.config import Settings
from kg.graph.db import Database
from kg.server.docker import DEFAULT_GUIDE_IMAGE, DEFAULT_NEO4J_IMAGE, compose_command
from kg.server.ports import free_port
from tests.conftest import ROOT, ServerHandle, docker_neo4j, run_kg

pytestmark = pytest.mark.docker

TEST_OVERRIDE = ROOT / "tests" / "docker" / "compose.test.yml"
PROJECT_PREFIX = "kgtest-"
#: docker-compose.yml's image for its web service, which Compose builds from the Dockerfile
DEFAULT_WEB_IMAGE = "kg/web:local"


def docker(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, check=False)


def compose_files(folder: Path) -> list[Path]:
    """docker-compose.yml as the tests run it: without its published ports, which docker-compose 1.x
    refuses beside host networking (`docker compose` v2 ignores them), without the web service's
    `build:` (Compose never builds here, which would reach PyPI: the image is build-images' one, and a
    missing image fails the test), and with the project's folders as absolute paths; then
    tests/docker/compose.test.yml over it. Nothing else is changed."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    for service in compose["services"].values():
        service.pop("ports", None)
        service.pop("build", None)
        service["volumes"] = [str(ROOT / v[2:]) if v.startswith("./") else v for v in service.get("volumes", [])]
    base = folder / "docker-compose.yml"
    base.write_text(yaml.safe_dump(compose, sort_keys=False), encoding="utf-8")
    return [base, TEST_OVERRIDE]


@dataclass
class Project:
    """A compose project of docker-compose.yml on free ports, with its own name and password."""

    name: str
    files: list[Path]
    env: dict[str, str]

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.env['KG_BOLT_PORT']}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.env['KG_WEB_PORT']}"

    def compose(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        files = [arg for f in self.files for arg in ("-f", str(f))]
        return subprocess.run([*compose_command(), *files, "-p", self.name, *args], capture_output=True, text=True,
                              env=self.env, cwd=ROOT, timeout=timeout, check=False)

    def containers(self, all_states: bool = True, service: str | None = None) -> list[str]:
        flags = ["-a"] if all_states else []
        if service:
            flags += ["--filter", f"label=com.docker.compose.service={service}"]
        out = docker("ps", *flags, "-q", "--filter", f"label=com.docker.compose.project={self.name}").stdout
        return out.split()

    def volumes(self) -> list[str]:
        out = docker("volume", "ls", "-q", "--filter", f"label=com.docker.compose.project={self.name}").stdout
        return out.split()

    def health(self) -> dict[str, str]:
        ids = self.containers()
        if not ids:
            return {}
        fmt = "{{index .Config.Labels \"com.docker.compose.service\"}} {{.State.Status}}" \
              "{{if .State.Health}}/{{.State.Health.Status}}{{end}}"
        return dict(line.split(" ", 1) for line in docker("inspect", "-f", fmt, *ids).stdout.splitlines())

    def remove(self) -> None:
        """`down -v`, and then whatever is still there, so that nothing outlives the test."""
        self.compose("down", "-v", "--remove-orphans")
        for container in self.containers():
            docker("rm", "-f", "-v", container)
        for volume in self.volumes():
            docker("volume", "rm", "-f", volume)


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "KG_", "COMPOSE_"))}
    env.update(NEO4J_PASSWORD=secrets.token_urlsafe(18),
               KG_NEO4J_IMAGE=os.environ.get("KG_NEO4J_IMAGE") or DEFAULT_NEO4J_IMAGE,
               KG_GUIDE_IMAGE=os.environ.get("KG_GUIDE_IMAGE") or DEFAULT_GUIDE_IMAGE,
               KG_WEB_IMAGE=os.environ.get("KG_WEB_IMAGE") or DEFAULT_WEB_IMAGE,
               KG_BOLT_PORT=str(free_port()), KG_HTTP_PORT=str(free_port()), KG_GUIDE_PORT=str(free_port()),
               KG_WEB_PORT=str(free_port()))
    if os.environ.get("KG_TEXTS"):
        env["KG_TEXTS"] = os.environ["KG_TEXTS"]
    proj = Project(f"{PROJECT_PREFIX}{secrets.token_hex(4)}", compose_files(tmp_path), env)
    try:
        yield proj
    finally:
        proj.remove()
    assert proj.containers() == [] and proj.volumes() == [], "the compose project outlived its test"


def wait_healthy(proj: Project, timeout: float = 180) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        health = proj.health()
        if health and all(state == "running/healthy" for state in health.values()):
            return health
        assert not any("exited" in s or "unhealthy" in s for s in health.values()), health
        time.sleep(1)
    raise AssertionError(f"not healthy within {timeout}s: {proj.health()}")


def kg_env(proj: Project, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in proj.env.items() if not k.startswith("KG_") or k == "KG_TEXTS"}
    env.update(NEO4J_URI=proj.bolt_uri, NEO4J_USERNAME="neo4j", **extra)
    return env


def fetch(url: str) -> tuple[int, str, str]:
    """The status, the headers (as text) and the body of a GET, also of one that answers an error."""
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, str(resp.headers), resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, str(e.headers), e.read().decode()


def listening(container: str, port: str) -> set[str]:
    """The addresses a socket listens on at `port`, read from /proc/net/tcp and tcp6 inside the container
    (with host networking, the host's sockets: only the container's own can hold the free port it was given)."""
    out = docker("exec", container, "cat", "/proc/net/tcp", "/proc/net/tcp6").stdout
    found = set()
    for line in out.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 4 or fields[3] != "0A" or ":" not in fields[1]:  # 0A: LISTEN
            continue
        address, hex_port = fields[1].rsplit(":", 1)
        if int(hex_port, 16) != int(port):
            continue
        raw = bytes.fromhex(address)
        # the kernel writes each 32-bit word of the address in the host's (little-endian) order
        words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
        found.add(str(ipaddress.ip_address(words)))
    return found


def test_compose_up_waits_for_health_then_loads_and_answers(project: Project) -> None:
    up = project.compose("up", "-d")
    assert up.returncode == 0, up.stderr
    assert wait_healthy(project) == {"neo4j": "running/healthy", "kg-guide": "running/healthy",
                                     "web": "running/healthy"}
    password = project.env["NEO4J_PASSWORD"]
    assert password not in up.stdout + up.stderr

    # the image is the one asked for, on the host's network (no container address, no published port)
    fmt = "{{.Config.Image}} {{.HostConfig.NetworkMode}} {{json .HostConfig.PortBindings}}"
    shown = docker("inspect", "-f", fmt, *project.containers()).stdout.split("\n")
    assert sorted(line for line in shown if line) == sorted(
        [f"{project.env[image]} host {{}}" for image in ("KG_NEO4J_IMAGE", "KG_GUIDE_IMAGE", "KG_WEB_IMAGE")])
    # the password reaches every container through its environment only: never an argument
    fmt = "{{json .Path}} {{json .Args}} {{json .Config.Cmd}} {{json .Config.Entrypoint}}"
    commands = docker("inspect", "-f", fmt, *project.containers()).stdout
    assert commands.count("\n") == 3 and password not in commands

    env = kg_env(project)
    loaded = run_kg("load", env=env)
    assert loaded.returncode == 0, loaded.stderr
    answer = run_kg("query", "run", "denied-then-admitted", "--format", "json", env=env)
    assert answer.returncode == 0, answer.stderr
    rows = json.loads(answer.stdout)
    assert [r["agency_id"] for r in rows] == ["eps", "hamilton-police", "niagara-police", "toronto-police"]

    # Neo4j Browser and kg's guide, from the two services, on 127.0.0.1 only
    http, guide = project.env["KG_HTTP_PORT"], project.env["KG_GUIDE_PORT"]
    with urllib.request.urlopen(f"http://127.0.0.1:{http}/browser/", timeout=10) as resp:
        assert resp.status == 200
    with urllib.request.urlopen(f"http://127.0.0.1:{guide}/kg-guide.html", timeout=10) as resp:
        assert resp.status == 200 and resp.headers["Access-Control-Allow-Origin"] == "*"

    # kg serve, from the web service, on the graph just loaded
    status, headers, body = fetch(f"{project.web_url}/entity/eps.json")
    assert status == 200, body
    responses = [headers, body]
    eps = json.loads(body)
    assert eps["id"] == "eps" and eps["name"] == "Edmonton Police Service" and eps["kind"] == "PoliceAgency"
    assert eps["groups"] and all(eps["groups"].values())  # its facts, by relationship
    status, headers, body = fetch(f"{project.web_url}/question/denied-then-admitted.json")
    assert status == 200, body
    responses += [headers, body]
    web_rows = json.loads(body)["rows"]
    assert [r["agency_id"] for r in web_rows] == ["eps", "hamilton-police", "niagara-police", "toronto-police"]
    for path, expected in (("/", 200), ("/index.json", 200), ("/entity/eps", 200), ("/entity/no-such-one.json", 404),
                           ("/question/denied-then-admitted.json?no_such_parameter=1", 400)):
        status, headers, body = fetch(project.web_url + path)
        assert status == expected, (path, body)
        responses += [headers, body]
    assert not any(password in text for text in responses)

    # the web container: kg serve as docker-compose.yml and the test's file say, the password in no
    # process's command line, and a socket on 127.0.0.1 only
    web = project.containers(service="web")
    assert len(web) == 1
    cmd = json.loads(docker("inspect", "-f", "{{json .Config.Cmd}}", web[0]).stdout)
    assert cmd == ["kg", "serve", "--host", "127.0.0.1", "--port", project.env["KG_WEB_PORT"]]
    cmdlines = docker("exec", web[0], "sh", "-c", "cat /proc/[0-9]*/cmdline | tr '\\0' ' '")
    assert cmdlines.returncode == 0 and "kg serve" in cmdlines.stdout and password not in cmdlines.stdout
    assert listening(web[0], project.env["KG_WEB_PORT"]) == {"127.0.0.1"}
    logs = docker("logs", web[0])
    assert password not in logs.stdout + logs.stderr


def test_compose_accepts_the_users_file_with_its_web_service(tmp_path: Path) -> None:
    """docker-compose.yml alone, as users run it (`docker compose -p kg up -d --wait`), with the Compose
    the tests have (docker-compose 1.x here): the web service builds from the root Dockerfile, waits for
    Neo4j's health, and is published on 127.0.0.1 only; its password comes from the environment."""
    password = secrets.token_urlsafe(18)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "KG_", "COMPOSE_"))}
    env["NEO4J_PASSWORD"] = password
    shown = subprocess.run([*compose_command(), "-f", str(ROOT / "docker-compose.yml"), "-p", "kg", "config"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False)
    assert shown.returncode == 0, shown.stderr
    web = yaml.safe_load(shown.stdout)["services"]["web"]
    assert web["image"] == DEFAULT_WEB_IMAGE and Path(web["build"]["context"]) == ROOT
    assert (ROOT / web["build"].get("dockerfile", "Dockerfile")).is_file()
    assert web["command"] == ["kg", "serve", "--host", "0.0.0.0", "--port", "8000"]
    assert web["environment"] == {"NEO4J_URI": "bolt://neo4j:7687", "NEO4J_USERNAME": "neo4j",
                                  "NEO4J_PASSWORD": password}
    assert web["depends_on"] == {"neo4j": {"condition": "service_healthy"}}
    published = [p if isinstance(p, str) else f"{p['host_ip']}:{p['published']}:{p['target']}" for p in web["ports"]]
    assert [p.removesuffix("/tcp") for p in published] == ["127.0.0.1:8000:8000"]
    assert "index.json" in " ".join(web["healthcheck"]["test"]) and password not in json.dumps(web["healthcheck"])
    assert web["restart"] == "unless-stopped"


def test_kg_db_up_docker_status_down_and_up_again_keeps_the_data(project: Project, tmp_path: Path) -> None:
    state = tmp_path / "state"
    env = {k: v for k, v in project.env.items() if k not in ("NEO4J_PASSWORD", "KG_BOLT_PORT", "KG_HTTP_PORT")}
    env.update(KG_STATE_DIR=str(state), COMPOSE_FILE=":".join(str(f) for f in project.files),
               COMPOSE_PROJECT_NAME=project.name)
    bolt, http = project.env["KG_BOLT_PORT"], project.env["KG_HTTP_PORT"]
    up = run_kg("db", "up", "--backend", "docker", "--bolt-port", bolt, "--http-port", http, env=env)
    assert up.returncode == 0, up.stderr
    # the database and its guide; not the web service (kg db up builds nothing, and waits for Neo4j only)
    assert project.health() == {"neo4j": "running/healthy", "kg-guide": "running/healthy"}
    assert f"bolt://127.0.0.1:{bolt}" in up.stdout and f"http://127.0.0.1:{http}/browser/" in up.stdout
    assert f"Neo4j {versions.NEO4J_SERIES}." in up.stderr and "(docker)" in up.stderr
    password = (state / "password").read_text().strip()
    assert password not in up.stdout + up.stderr
    assert oct((state / "password").stat().st_mode & 0o777) == "0o600"
    saved = json.loads((state / "server.json").read_text())
    assert saved["backend"] == "docker" and saved["compose"]["project"] == project.name
    assert password not in json.dumps(saved)

    status = run_kg("db", "status", env=env)
    assert status.returncode == 0, status.stderr
    assert f"reachable: bolt://127.0.0.1:{bolt}  Neo4j {versions.NEO4J_SERIES}." in status.stdout
    loaded = run_kg("load", env=env)
    assert loaded.returncode == 0, loaded.stderr
    settings = Settings(uri=f"bolt://127.0.0.1:{bolt}", username="neo4j", password=password)
    with Database(settings) as db:
        nodes = db.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
    assert nodes > 0

    again = run_kg("db", "up", env=env)  # auto: the backend and ports kg db up saved
    assert again.returncode == 0, again.stderr
    assert "already running" in again.stderr and "(docker)" in again.stderr

    down = run_kg("db", "down", env=env)
    assert down.returncode == 0, down.stderr
    assert "stopped" in down.stderr and project.name in down.stderr
    assert project.containers() == []  # down removes the containers ...
    assert len(project.volumes()) == 1  # ... and keeps the data volume
    after = run_kg("db", "status", env=env)
    assert after.returncode == 1
    assert f"bolt://127.0.0.1:{bolt}" in after.stderr

    back = run_kg("db", "up", env=env)
    assert back.returncode == 0, back.stderr
    assert "is up" in back.stderr
    with Database(settings) as db:
        assert db.read("MATCH (n) RETURN count(n) AS n")[0]["n"] == nodes
    down = run_kg("db", "down", env=env)
    assert down.returncode == 0, down.stderr


def test_the_fixture_runs_neo4j_5_26_from_the_chosen_image_on_the_host_network(server: ServerHandle) -> None:
    assert server.backend == "docker"
    with Database(server.settings) as db:
        info = db.server_info()
    assert info.version.startswith(versions.NEO4J_SERIES + ".") and info.edition == "community"
    assert server.settings.uri.startswith("bolt://127.0.0.1:")
    fmt = "{{.Name}} {{.Config.Image}} {{.HostConfig.NetworkMode}}"
    shown = docker("ps", "-q", "--filter", f"name=^/{PROJECT_PREFIX}neo4j-").stdout.split()
    rows = [docker("inspect", "-f", fmt, cid).stdout.split() for cid in shown]
    image = os.environ.get("KG_NEO4J_IMAGE") or DEFAULT_NEO4J_IMAGE
    assert any(row[1:] == [image, "host"] for row in rows), rows


def test_the_image_honours_neo4j_auth_and_settings() -> None:
    """What kg relies on from the official image: NEO4J_AUTH sets the password (a wrong one is refused),
    NEO4J_* variables become settings, and the log says when the server is ready; and the image's own
    health check (docker run, no Compose) passes."""
    password = secrets.token_urlsafe(18)
    with docker_neo4j(password, f"{PROJECT_PREFIX}neo4j-auth-{secrets.token_hex(4)}", heap="512m",
                      pagecache="64m") as container:
        uri = container.get_connection_url()
        with Database(Settings(uri=uri, username="neo4j", password=password)) as db:
            rows = db.read("SHOW SETTINGS YIELD name, value WHERE name IN ['server.memory.heap.initial_size', "
                           "'server.memory.heap.max_size', 'server.memory.pagecache.size'] RETURN name, value")
        assert {r["name"]: r["value"] for r in rows} == {
            "server.memory.heap.initial_size": "512.00MiB", "server.memory.heap.max_size": "512.00MiB",
            "server.memory.pagecache.size": "64.00MiB"}
        refused = run_kg("--uri", uri, "db", "status", env={**os.environ, "NEO4J_PASSWORD": "wrong-password-1a2b3c"})
        assert refused.returncode == 1 and "refused the credentials" in refused.stderr
        cid = container.get_wrapped_container().id
        logs = docker("logs", cid)
        assert "Remote interface available at" in logs.stdout + logs.stderr
        assert password not in logs.stdout + logs.stderr
        deadline, health = time.monotonic() + 120, ""
        while time.monotonic() < deadline and health != "healthy":
            time.sleep(2)
            health = docker("inspect", "-f", "{{if .State.Health}}{{.State.Health.Status}}{{end}}", cid).stdout.strip()
        assert health == "healthy"


def test_auto_uses_docker_when_the_engine_has_the_images() -> None:
    from kg.server import docker as server

    assert server.docker_usable()  # KG_NEO4J_IMAGE and KG_GUIDE_IMAGE are there: nothing is pulled


def test_auto_says_why_and_falls_back_to_local_when_an_image_cannot_be_pulled(monkeypatch: pytest.MonkeyPatch) -> None:
    """An engine that answers without the official image (no registry) must not break `kg db up`."""
    from kg.server import docker as server

    asked: list[tuple[str, ...]] = []

    def no_image(*args: str, timeout: float | None = 60) -> subprocess.CompletedProcess[str]:
        asked.append(args)  # nothing reaches the engine: no pull is attempted for real
        return subprocess.CompletedProcess(["docker", *args], 1, "", "Error response from daemon: no such host")

    monkeypatch.setattr(server, "docker_available", lambda: True)
    monkeypatch.setattr(server, "compose_command", lambda: ["docker-compose"])
    monkeypatch.setattr(server, "docker", no_image)
    monkeypatch.delenv("KG_NEO4J_IMAGE", raising=False)
    said: list[str] = []
    assert server.docker_usable(said.append) is False
    assert asked == [("image", "inspect", DEFAULT_NEO4J_IMAGE), ("pull", "-q", DEFAULT_NEO4J_IMAGE)]
    assert said[-1] == (f"Docker answers but cannot pull {DEFAULT_NEO4J_IMAGE} (Error response from daemon: "
                        "no such host); using the local server")
