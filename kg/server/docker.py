"""Docker: docker-compose.yml, with `docker compose` (v2) or `docker-compose` (1.x); the images of
KG_NEO4J_IMAGE and KG_GUIDE_IMAGE, else the official ones."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kg import versions
from kg.config import project_root
from kg.errors import ServerError
from kg.server.ports import bolt_uri, browser_url

DEFAULT_NEO4J_IMAGE = f"neo4j:{versions.NEO4J_SERIES}-community"


DEFAULT_GUIDE_IMAGE = "python:3.12-alpine"


COMPOSE_PROJECT = "kg"


#: the service of docker-compose.yml that `kg db up` leaves alone: kg serve, in an image built from the
#: Dockerfile, which `docker compose up` starts. `kg db up` builds nothing and waits for the database only.
WEB_SERVICE = "web"


def docker_available() -> bool:
    docker = shutil.which("docker")
    if not docker:
        return False
    try:
        return subprocess.run([docker, "info"], capture_output=True, timeout=10, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def neo4j_image() -> str:
    """The Neo4j image of docker-compose.yml: `KG_NEO4J_IMAGE`, else the official image."""
    return os.environ.get("KG_NEO4J_IMAGE") or DEFAULT_NEO4J_IMAGE


def guide_image() -> str:
    """The image of the kg-guide service: `KG_GUIDE_IMAGE`, else the official Python image."""
    return os.environ.get("KG_GUIDE_IMAGE") or DEFAULT_GUIDE_IMAGE


def compose_command() -> list[str]:
    """`docker compose` (v2) when it answers, else `docker-compose` (1.x); the same files work with both."""
    docker = shutil.which("docker")
    if docker:
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            if subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30,
                              check=False).returncode == 0:
                return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    if legacy:
        return [legacy]
    raise ServerError("Docker Compose is not installed: neither `docker compose` nor `docker-compose` answers")


def docker(*args: str, timeout: float | None = 60) -> subprocess.CompletedProcess[str]:
    """`docker ARGS`; a command that cannot run or does not finish in time is a failed one."""
    try:
        return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        return subprocess.CompletedProcess(["docker", *args], 1, "", f"docker {args[0]}: {e}")


def docker_usable(log: Callable[[str], None] = lambda _: None) -> bool:
    """Whether `kg db up` (auto) can use Docker: an engine answers, Compose is installed, and the
    images are there or can be pulled. Says why not when an engine answers but cannot serve."""
    if not docker_available():
        return False
    try:
        compose_command()
    except ServerError as e:
        log(f"{e}; using the local server")
        return False
    for image in (neo4j_image(), guide_image()):
        if docker("image", "inspect", image).returncode == 0:
            continue
        log(f"Pulling {image} ...")
        pulled = docker("pull", "-q", image, timeout=1800)
        if pulled.returncode != 0:
            why = (pulled.stderr.strip().splitlines() or ["no reason given"])[-1]
            log(f"Docker answers but cannot pull {image} ({why}); using the local server")
            return False
    return True


@dataclass(frozen=True)
class ComposeSetup:
    """Which compose files, project, ports and images `kg db up --backend docker` uses."""

    files: tuple[str, ...]
    project: str
    bolt_port: int
    http_port: int
    neo4j_image: str
    guide_image: str

    @classmethod
    def current(cls, state: dict[str, Any], bolt_port: int, http_port: int) -> ComposeSetup:
        """The setup of the compose project `kg db up` started (from its state), else a new one: the
        files of COMPOSE_FILE (relative to the project folder) or docker-compose.yml, the project of
        COMPOSE_PROJECT_NAME or `kg`, the images of KG_NEO4J_IMAGE and KG_GUIDE_IMAGE or the official ones."""
        saved = state.get("compose") or {}
        root = project_root()
        if saved.get("files"):
            files = tuple(str(f) for f in saved["files"])
        elif os.environ.get("COMPOSE_FILE"):
            separator = os.environ.get("COMPOSE_PATH_SEPARATOR") or os.pathsep
            files = tuple(str(root / f) for f in os.environ["COMPOSE_FILE"].split(separator) if f)
        else:
            files = (str(root / "docker-compose.yml"),)
        project = str(saved.get("project") or os.environ.get("COMPOSE_PROJECT_NAME") or COMPOSE_PROJECT)
        neo4j = os.environ.get("KG_NEO4J_IMAGE") or str(saved.get("neo4j_image") or DEFAULT_NEO4J_IMAGE)
        guide = os.environ.get("KG_GUIDE_IMAGE") or str(saved.get("guide_image") or DEFAULT_GUIDE_IMAGE)
        return cls(files, project, bolt_port, http_port, neo4j, guide)

    @property
    def bolt_uri(self) -> str:
        return bolt_uri(self.bolt_port)

    @property
    def browser_url(self) -> str:
        return browser_url(self.http_port)

    def state(self) -> dict[str, Any]:
        return {"files": list(self.files), "project": self.project, "neo4j_image": self.neo4j_image,
                "guide_image": self.guide_image}

    def run(self, *args: str, password: str | None = None,
            timeout: float | None = None) -> subprocess.CompletedProcess[str]:
        """`docker compose ARGS` (or docker-compose) for this project; the password reaches Compose
        through its environment only."""
        env = {k: v for k, v in os.environ.items() if k not in ("COMPOSE_FILE", "COMPOSE_PROJECT_NAME")}
        env.update(KG_BOLT_PORT=str(self.bolt_port), KG_HTTP_PORT=str(self.http_port),
                   KG_NEO4J_IMAGE=self.neo4j_image, KG_GUIDE_IMAGE=self.guide_image)
        if password:
            env["NEO4J_PASSWORD"] = password
        files = [arg for f in self.files for arg in ("-f", f)]
        cmd = [*compose_command(), *files, "-p", self.project, *args]
        try:
            return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=project_root(),
                                  timeout=timeout, check=False)
        except subprocess.TimeoutExpired as e:
            raise ServerError(f"`{' '.join(cmd[:2])} {' '.join(args)}` did not finish within {timeout:.0f}s") from e

    def services(self, password: str | None = None) -> list[str]:
        """The services `kg db up` starts: those of the compose files, but WEB_SERVICE."""
        proc = self.run("config", "--services", password=password, timeout=120)
        if proc.returncode != 0:
            raise ServerError(f"docker compose config failed: {tail(proc)}")
        return [name for name in proc.stdout.split() if name != WEB_SERVICE]

    def containers(self, password: str | None = None) -> list[dict[str, str]]:
        """The project's containers but WEB_SERVICE's: name, status (running, exited, ...) and health ('' without
        a check)."""
        ids = self.run("ps", "-q", password=password, timeout=120).stdout.split()
        if not ids:
            return []
        fmt = ("{{.Name}}|{{.State.Status}}|{{if .State.Health}}{{.State.Health.Status}}{{end}}|"
               "{{index .Config.Labels \"com.docker.compose.service\"}}")
        out = docker("inspect", "-f", fmt, *ids).stdout
        rows = [line.split("|") for line in out.splitlines() if line.count("|") == 3]
        return [{"name": name.lstrip("/"), "status": status, "health": health}
                for name, status, health, service in rows if service != WEB_SERVICE]


def tail(proc: subprocess.CompletedProcess[str], lines: int = 3) -> str:
    return " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-lines:]) or f"exit code {proc.returncode}"


def wait_healthy(setup: ComposeSetup, password: str, timeout: float) -> None:
    """Wait until every container of the project (but WEB_SERVICE's) runs and passes its health check
    (what `docker compose up --wait` does, which docker-compose 1.x lacks)."""
    deadline = time.monotonic() + timeout
    while True:
        containers = setup.containers(password)
        failed = [c for c in containers if c["status"] in ("exited", "dead") or c["health"] == "unhealthy"]
        if failed:
            names = ", ".join(f"{c['name']} ({c['health'] or c['status']})" for c in failed)
            raise ServerError(f"docker compose: {names}; see `docker logs {failed[0]['name']}`")
        if containers and all(c["status"] == "running" and c["health"] in ("", "healthy") for c in containers):
            return
        if time.monotonic() > deadline:
            waiting = ", ".join(f"{c['name']} ({c['health'] or c['status']})" for c in containers) or "no container"
            raise ServerError(f"docker compose: not healthy within {timeout:.0f}s: {waiting}")
        time.sleep(1)
