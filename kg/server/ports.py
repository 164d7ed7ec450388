"""Ports and addresses of the servers kg starts: on 127.0.0.1 only."""

from __future__ import annotations

import socket


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bolt_uri(port: int) -> str:
    """The Bolt URI of a server of this machine (servers listen on 127.0.0.1 only)."""
    return f"bolt://127.0.0.1:{port}"


def browser_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/browser/"
