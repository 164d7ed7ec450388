"""Where Neo4j Browser, kg's guide and kg's style are served, and `kg browse`'s answer: the local
server serves them under its Browser (same origin, no CORS); docker compose's `kg-guide` service
(kg/browser/guide_server.py) serves the committed copies in docs/browser/."""

from __future__ import annotations

import os
import sys
import webbrowser
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kg.config import DEFAULT_USERNAME

GUIDE_FILE = "kg-guide.html"
STYLE_FILE = "kg.grass"
#: where the local server serves them, under its Browser (same origin, no CORS)
LOCAL_FOLDER = "kg"
#: where the compose service `kg-guide` serves docs/browser/ (the committed copies)
COMPOSE_PORT = 8001
COMPOSE_BASE = f"http://127.0.0.1:{COMPOSE_PORT}/"
DEFAULT_BROWSER_URL = "http://127.0.0.1:7474/browser/"
#: hosts the Browser may fetch guides and styles from (Neo4j's default, plus 127.0.0.1)
ALLOWLIST = "guides.neo4j.com,localhost,127.0.0.1"


def local_base(http_port: int) -> str:
    """The base URL of the guide and style on a local server."""
    return f"http://127.0.0.1:{http_port}/browser/{LOCAL_FOLDER}/"


def guide_url(base: str) -> str:
    return base + GUIDE_FILE


def style_url(base: str) -> str:
    return base + STYLE_FILE


def post_connect_cmd(base: str) -> str:
    """What the Browser runs after connecting: apply kg's style, then open the guide in the sidebar."""
    return f"style {style_url(base)}; guide {guide_url(base)}"


@dataclass(frozen=True)
class Entry:
    """How to reach Neo4j Browser and kg's guide for the server `kg db up` started."""

    browser: str
    username: str
    guide: str
    style: str
    backend: str


def entry(state: Mapping[str, Any]) -> Entry:
    """From `kg db up`'s state: the local server serves the guide under its Browser; otherwise
    (docker compose, or no state) the compose service kg-guide serves it."""
    backend = str(state.get("backend") or "")
    browser = str(state.get("browser") or DEFAULT_BROWSER_URL)
    if not browser.endswith("/"):
        browser += "/"
    base = browser + LOCAL_FOLDER + "/" if backend == "local" else COMPOSE_BASE
    return Entry(browser, str(state.get("username") or DEFAULT_USERNAME), guide_url(base), style_url(base),
                 backend or "unknown")


def open_in_web_browser(url: str) -> bool:
    """Open `url` in a graphical web browser; False when there is none (Neo4j Browser needs one: a
    text browser in the terminal would not do, so none is tried without a display on Linux)."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False
    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False
