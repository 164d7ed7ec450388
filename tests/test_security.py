"""Secrets and exposure: a known password never shows up in what kg prints or logs; servers kg
starts listen on 127.0.0.1 only, with auth on; `.env` stays out of git."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kg.server.ports import free_port

from .conftest import KNOWN_PASSWORD, ROOT, CheckoutServer


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on `port` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
                found.add(address)
    return found


@pytest.mark.db
def test_a_known_password_never_appears_in_output_or_logs(checkout_server: CheckoutServer) -> None:
    """The checkout server was started with NEO4J_PASSWORD=KNOWN_PASSWORD; what every `kg` command run
    against it printed (up, status, load, query, cypher, search, and `kg db down` with the logs at the
    end of the session: tests/conftest.py) never holds it."""
    server = checkout_server
    for args in (["db", "status"], ["load"], ["query", "run", "denied-then-admitted", "--format", "json"],
                 ["cypher", "RETURN $x AS x", "-p", "x=1"], ["cypher", "MATCH (n) SET n.x = 1"],
                 ["--uri", f"bolt://127.0.0.1:{free_port()}", "db", "status"], ["search", "Bergen"]):
        server.run(*args)
    wrong = server.run("db", "status", NEO4J_PASSWORD="not-" + KNOWN_PASSWORD)
    assert wrong.returncode == 1

    # listening on loopback only: 0100007F is 127.0.0.1 in /proc's byte order
    for port in (server.bolt_port, server.http_port):
        addresses = _listening_addresses(port)
        assert addresses and addresses <= {"0100007F", "0000000000000000FFFF00000100007F"}, (port, addresses)

    # the password is not on the server's command line either
    pids = subprocess.run(["pgrep", "-f", str(server.state)], capture_output=True, text=True).stdout.split()
    assert pids
    for pid in pids:
        assert KNOWN_PASSWORD not in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    assert all(KNOWN_PASSWORD not in text for text in server.printed)
    for log in (server.state / "neo4j" / "logs").glob("*"):
        assert KNOWN_PASSWORD not in log.read_text(errors="replace"), log
    assert (server.state / "password").stat().st_mode & 0o077 == 0  # only its owner reads it
    assert "auth_enabled=true" in (server.state / "neo4j" / "conf" / "neo4j.conf").read_text()


def test_no_secret_is_committed() -> None:
    ignored = (ROOT / ".gitignore").read_text().split()
    assert ".env" in ignored and ".kg/" in ignored
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert ".env" not in tracked and not any(t.startswith(".kg/") for t in tracked)
    for name in ("docker-compose.yml", ".env.example", "README.md"):
        text = (ROOT / name).read_text()
        assert "NEO4J_AUTH: neo4j/" not in text.replace('"', "").split("${")[0] or "${NEO4J_PASSWORD" in text
    example = (ROOT / ".env.example").read_text()
    assert all(line.startswith("#") or not line.strip() for line in example.splitlines()), \
        ".env.example documents settings without setting a password"
