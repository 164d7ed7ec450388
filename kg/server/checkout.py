"""The checkout's server: `kg db up | down` start and stop Neo4j for this checkout (Docker when an
engine answers and has or can pull the images, else the local server) and remember it in the state
folder (`.kg/`), with the password: NEO4J_PASSWORD when given, else a random one kept in
`.kg/password`, readable by the owner only. Every other command finds that server there.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.config import (
    DEFAULT_USERNAME,
    Settings,
    address,
    dotenv_file,
    project_root,
    read_password_file,
    read_state,
    state_dir,
)
from kg.errors import KgError, ServerError
from kg.graph.db import Database
from kg.server.docker import ComposeSetup, docker_available, docker_usable, tail, wait_healthy
from kg.server.local import LocalServer

STATE_FILE = "server.json"


PASSWORD_FILE = "password"




@dataclass(frozen=True)
class UpResult:
    backend: str
    uri: str
    browser: str
    username: str
    version: str
    pid: int | None
    already_running: bool


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def _password_for_new_server(folder: Path) -> str:
    """NEO4J_PASSWORD (environment or .env) when given, else the saved or a new random one."""
    password = (os.environ.get("NEO4J_PASSWORD") or dotenv_file(project_root()).get("NEO4J_PASSWORD")
                or read_password_file(folder) or secrets.token_urlsafe(24))
    _write_private(folder / PASSWORD_FILE, password + "\n")
    return password


def _save_state(folder: Path, state: dict[str, Any]) -> None:
    _write_private(folder / STATE_FILE, json.dumps(state, indent=2) + "\n")


def up(backend: str = "auto", bolt_port: int = 7687, http_port: int = 7474, timeout: float = 180.0,
       log: Callable[[str], None] = lambda _: None) -> UpResult:
    folder = state_dir()
    folder.mkdir(parents=True, exist_ok=True)
    state = read_state(folder)
    if backend == "auto":
        # Docker needs a compose file: kg run as an installed tool, outside a checkout, has none
        has_compose = os.environ.get("COMPOSE_FILE") or (project_root() / "docker-compose.yml").is_file()
        backend = state.get("backend") or ("docker" if has_compose and docker_usable(log) else "local")
        if backend == "docker" and not docker_available():
            backend = "local"
    if backend not in ("docker", "local"):
        raise ServerError(f"unknown backend {backend!r}; use auto, docker or local")
    if state.get("backend") == backend:  # keep the ports of the server we already have
        bolt_port, http_port = int(state.get("bolt_port", bolt_port)), int(state.get("http_port", http_port))
    password = _password_for_new_server(folder)
    username = DEFAULT_USERNAME
    if backend == "docker":
        setup = ComposeSetup.current(state if state.get("backend") == "docker" else {}, bolt_port, http_port)
        return _up_docker(folder, setup, password, timeout, log)
    server = LocalServer(folder / "neo4j", bolt_port=bolt_port, http_port=http_port)
    already = server.pid() is not None
    pid = server.start(username, password, timeout, log)
    _save_state(folder, {"backend": "local", "uri": server.bolt_uri, "browser": server.browser_url,
                         "username": username, "bolt_port": bolt_port, "http_port": http_port,
                         "home": str(server.home)})
    version = _version(server.bolt_uri, username, password)
    return UpResult("local", server.bolt_uri, server.browser_url, username, version, pid, already)


def _up_docker(folder: Path, setup: ComposeSetup, password: str, timeout: float,
               log: Callable[[str], None]) -> UpResult:
    for file in setup.files:
        if not Path(file).is_file():
            raise ServerError(f"{file} not found")
    before = setup.containers(password)
    already = bool(before) and all(c["status"] == "running" and c["health"] in ("", "healthy") for c in before)
    log(f"Starting Neo4j ({setup.neo4j_image}) with docker compose, project {setup.project} ...")
    # every service but the web one (kg serve, whose image `docker compose up` builds from the Dockerfile)
    proc = setup.run("up", "-d", *setup.services(password), password=password, timeout=max(timeout, 600))
    if proc.returncode != 0:
        raise ServerError(f"docker compose up failed: {tail(proc)}")
    wait_healthy(setup, password, timeout)
    _save_state(folder, {"backend": "docker", "uri": setup.bolt_uri, "browser": setup.browser_url,
                         "username": DEFAULT_USERNAME, "bolt_port": setup.bolt_port, "http_port": setup.http_port,
                         "compose": setup.state()})
    version = _version(setup.bolt_uri, DEFAULT_USERNAME, password)
    return UpResult("docker", setup.bolt_uri, setup.browser_url, DEFAULT_USERNAME, version, None, already)


def _version(uri: str, username: str, password: str) -> str:
    with Database(Settings(uri=uri, username=username, password=password)) as db:
        return db.server_info().version


def down() -> str:
    folder = state_dir()
    state = read_state(folder)
    if state.get("backend") == "docker":
        setup = ComposeSetup.current(state, int(state.get("bolt_port", 7687)), int(state.get("http_port", 7474)))
        # Compose reads the whole file, whose NEO4J_AUTH needs a password, even to stop it
        proc = setup.run("down", password=read_password_file(folder) or "unused-by-down", timeout=600)
        if proc.returncode != 0:
            raise ServerError(f"docker compose down failed: {tail(proc, 1)}")
        return f"stopped the docker compose project {setup.project} (its data volume is kept)"
    server = LocalServer(Path(state.get("home") or folder / "neo4j"))
    if server.stop():
        return f"stopped the local Neo4j server (data kept in {server.home / 'data'})"
    return "no server started by `kg db up` is running"


def checkout_server(uri: str | None = None) -> LocalServer | None:
    """The local server `kg db up` started for this checkout (its state says), when `uri` (if given)
    reaches it; None for Docker, for a server of your own, or when there is none."""
    folder = state_dir()
    state = read_state(folder)
    if state.get("backend") != "local" or not state.get("uri"):
        return None
    if uri is not None and address(uri) != address(str(state["uri"])):
        return None
    return LocalServer(Path(state.get("home") or folder / "neo4j"), bolt_port=int(state.get("bolt_port", 7687)),
                       http_port=int(state.get("http_port", 7474)))


def guide_after_load(uri: str, seed: Any) -> str | None:
    """After a load into the local server `kg db up` started here, write its Browser guide from the
    content at hand; what to tell the user (None for any other server). A guide that cannot be made
    is a note: the load stands."""
    server = checkout_server(uri)
    if server is None:
        return None
    try:
        return f"wrote kg's guide; in Neo4j Browser: :guide {server.write_guide(seed)}"
    except KgError as e:
        return f"note: kg's Browser guide was not written: {e}"


def write_guide(uri: str | None = None, seed: Any = None) -> str:
    """Write kg's Browser guide (from cypher/ and `seed`, default seed/) for the local server `kg db up`
    started; served at once when it runs. Returns the guide's URL."""
    server = checkout_server(uri)
    if server is None:
        raise ServerError("no local server started by `kg db up` here to write the guide for (docker compose's "
                          "kg-guide service serves docs/browser/, which `kg docs` writes)")
    return server.write_guide(seed)
