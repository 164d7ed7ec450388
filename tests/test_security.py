"""Secrets and exposure: a known password never shows up in what kg prints or logs; servers kg
starts listen on 127.0.0.1 only, with auth on; `.env` stays out of git."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from kg.server import free_port

from .conftest import ROOT, run_kg

SECRET = "Kn0wn-Test-Secret-4f9b2c"


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
def test_a_known_password_never_appears_in_output_or_logs(tmp_path: Path) -> None:
    state = tmp_path / "state"
    bolt, http = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "KG_"))}
    env.update(KG_STATE_DIR=str(state), NEO4J_PASSWORD=SECRET, KG_NEO4J_HEAP="512m", KG_NEO4J_PAGECACHE="128m")
    printed = []
    try:
        for args in (["db", "up", "--backend", "local", "--bolt-port", str(bolt), "--http-port", str(http)],
                     ["db", "status"], ["load"], ["query", "run", "denied-then-admitted", "--format", "json"],
                     ["cypher", "RETURN $x AS x", "-p", "x=1"], ["cypher", "MATCH (n) SET n.x = 1"],
                     ["--uri", f"bolt://127.0.0.1:{free_port()}", "db", "status"], ["search", "Bergen"]):
            proc = run_kg(*args, env=env)
            printed.append(proc.stdout + proc.stderr)
        wrong = dict(env, NEO4J_PASSWORD="not-" + SECRET)
        proc = run_kg("db", "status", env=wrong)
        assert proc.returncode == 1
        printed.append(proc.stdout + proc.stderr)

        # listening on loopback only: 0100007F is 127.0.0.1 in /proc's byte order
        for port in (bolt, http):
            addresses = _listening_addresses(port)
            assert addresses and addresses <= {"0100007F", "0000000000000000FFFF00000100007F"}, (port, addresses)

        # the password is not on the server's command line either
        pids = subprocess.run(["pgrep", "-f", str(state)], capture_output=True, text=True).stdout.split()
        assert pids
        for pid in pids:
            assert SECRET not in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    finally:
        printed.append(run_kg("db", "down", env=env).stderr)
    assert all(SECRET not in text for text in printed)
    for log in (state / "neo4j" / "logs").glob("*"):
        assert SECRET not in log.read_text(errors="replace"), log
    assert (state / "password").stat().st_mode & 0o077 == 0  # only its owner reads it
    assert "auth_enabled=true" in (state / "neo4j" / "conf" / "neo4j.conf").read_text()


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
