"""Configuration, resolved once.

Precedence, highest first: explicit arguments (CLI options), the process environment, the
project's `.env` file, the state `kg db up` left in `.kg/` (kg/project.py), and defaults. The names are the
ones Neo4j's own tools use: NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg import project
from kg.errors import ConfigError

DEFAULT_URI = "bolt://127.0.0.1:7687"
DEFAULT_USERNAME = "neo4j"
DEFAULT_DATABASE = "neo4j"
SUPPORTED_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def project_root(start: Path | None = None) -> Path:
    """The project folder (kg/project.py: --project, KG_PROJECT, else the nearest checkout from
    `start` upwards); the working directory when there is none (its `.env` is still read)."""
    return project.root(start) or (start or Path.cwd()).resolve()


def state_dir(root: Path | None = None) -> Path:
    """Where `kg db up` keeps the local server's state (`KG_STATE_DIR` overrides): the project's
    `.kg/`, else (kg run outside any project) the per-user data folder."""
    env = os.environ.get("KG_STATE_DIR")
    if env:
        return Path(env).resolve()
    return root / project.STATE if root is not None else project.data_dir()


def read_state(folder: Path) -> dict[str, Any]:
    path = folder / "server.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ConfigError(f"{path}: unreadable server state ({e}); remove it and run `kg db up`") from e
    return data if isinstance(data, dict) else {}


def read_password_file(folder: Path) -> str | None:
    path = folder / "password"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip() or None
    return None


def address(uri: str) -> str:
    """host:port of a URI, whatever its scheme (bolt:// and neo4j:// reach the same server)."""
    rest = uri.split("://", 1)[-1]
    return rest.split("/", 1)[0].split("?", 1)[0]


def dotenv_file(root: Path) -> dict[str, str]:
    path = root / ".env"
    if not path.is_file():
        return {}
    from dotenv import dotenv_values  # only when there is a .env to read

    return {k: v for k, v in dotenv_values(path).items() if v is not None}


@dataclass(frozen=True)
class Settings:
    """Where and how to reach Neo4j. The password never appears in repr or messages."""

    uri: str = DEFAULT_URI
    username: str = DEFAULT_USERNAME
    password: str | None = field(default=None, repr=False)
    database: str = DEFAULT_DATABASE
    #: where each value came from ("option", "environment", ".env", "kg db up", "default")
    origin: str = field(default="default", compare=False)

    @classmethod
    def resolve(
        cls,
        uri: str | None = None,
        username: str | None = None,
        password: str | None = None,
        database: str | None = None,
        root: Path | None = None,
    ) -> Settings:
        dotenv = dotenv_file(root or project_root())
        folder = state_dir(root)
        state = read_state(folder)
        origin = "default"

        def pick(option: str | None, name: str, from_state: str | None, default: str | None) -> str | None:
            nonlocal origin
            for value, where in ((option, "option"), (os.environ.get(name), "environment"),
                                 (dotenv.get(name), ".env"), (from_state, "kg db up")):
                if value:
                    if name == "NEO4J_URI":
                        origin = where
                    return value
            return default

        chosen_uri = pick(uri, "NEO4J_URI", state.get("uri"), DEFAULT_URI) or DEFAULT_URI
        # The state's password belongs to the state's server only.
        state_password = (read_password_file(folder)
                          if state.get("uri") and address(chosen_uri) == address(state["uri"]) else None)
        settings = cls(
            uri=chosen_uri,
            username=pick(username, "NEO4J_USERNAME", state.get("username"), DEFAULT_USERNAME)
            or DEFAULT_USERNAME,
            password=pick(password, "NEO4J_PASSWORD", state_password, None),
            database=pick(database, "NEO4J_DATABASE", None, DEFAULT_DATABASE) or DEFAULT_DATABASE,
            origin=origin,
        )
        settings.check()
        return settings

    def check(self) -> None:
        scheme = self.uri.split("://", 1)[0] if "://" in self.uri else ""
        if scheme not in SUPPORTED_SCHEMES:
            raise ConfigError(
                f"NEO4J_URI {self.uri!r} is not a Neo4j URI; use bolt://host:port or neo4j://host:port"
            )
