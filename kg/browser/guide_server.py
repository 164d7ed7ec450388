"""Serve kg's Neo4j Browser guide and style (docs/browser/) to Neo4j Browser: the `kg-guide`
service of docker-compose.yml runs this file in a stock Python image, so it uses the standard
library only and imports nothing from kg.

Neo4j Browser fetches `:play`/`:guide` and `:style` URLs from its own origin
(http://127.0.0.1:7474), so every answer carries CORS headers, and the preflight request its
`no-cache` headers cause (OPTIONS) is answered too. Folders are never listed.

    python kg/browser/guide_server.py --dir docs/browser --port 8001

Without --dir it serves docs/browser/ of the working directory, else the copy installed with kg
(kg/_content/browser/ in the wheel), so `python -m kg.browser.guide_server` works outside a checkout too.
"""

from __future__ import annotations

import argparse
import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class GuideHandler(SimpleHTTPRequestHandler):
    """Static files with CORS headers, no folder listings, no caching."""

    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
        self.send_header("Access-Control-Allow-Headers",
                         self.headers.get("Access-Control-Request-Headers") or "pragma, cache-control")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def do_OPTIONS(self) -> None:  # the name http.server dispatches OPTIONS to
        self.send_response(204)
        self.end_headers()

    def list_directory(self, path: Any) -> None:
        self.send_error(404, "No listing")
        return None


def default_dir() -> str:
    """docs/browser/ of the working directory, else the copy installed with kg (kg/_content/browser/)."""
    installed = Path(__file__).resolve().parent.parent / "_content" / "browser"
    return "docs/browser" if Path("docs/browser").is_dir() or not installed.is_dir() else str(installed)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve kg's Neo4j Browser guide and style, with CORS.")
    parser.add_argument("--dir", default=default_dir(),
                        help="the folder to serve (default: docs/browser, else the copy installed with kg)")
    parser.add_argument("--bind", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8001, help="port (default: 8001)")
    args = parser.parse_args(argv)
    handler = functools.partial(GuideHandler, directory=args.dir)
    with ThreadingHTTPServer((args.bind, args.port), handler) as httpd:
        print(f"serving {args.dir} at http://{args.bind}:{args.port}/", flush=True)
        httpd.serve_forever()


if __name__ == "__main__":
    main()
