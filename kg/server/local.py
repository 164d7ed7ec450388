"""A local Neo4j server: Neo4j community (kg/versions.py) started as a background Java process with
its own home folder (conf/, data/, logs/, run/neo4j.pid), from the jars of kg/server/jars.py, with an
archive of its classes for faster starts. It listens on 127.0.0.1 only, with auth on; the password
is written into its auth file by kg, never put on a command line.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg import versions
from kg.browser.guide import guide_html
from kg.browser.serve import prepare_local, served_folder, write_guide
from kg.browser.urls import ALLOWLIST, GUIDE_FILE, guide_url, local_base, post_connect_cmd
from kg.config import DEFAULT_USERNAME, Settings
from kg.errors import ConnectionFailed, KgError, ServerError
from kg.graph.db import Database
from kg.seed.loader import ensure_schema
from kg.server.jars import cache_dir, java_command, java_options, java_version, resolve_jars, server_jars
from kg.server.ports import bolt_uri, browser_url, free_port, port_is_free

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"


def install(log: Callable[[str], None] = lambda _: None) -> Path:
    """Everything a local server needs before its first start: the jars (`resolve_jars`) and the
    archive of its classes (`class_archive`). Returns the jars' folder."""
    lib = resolve_jars(log)
    class_archive(java_command(), server_jars(lib), log)
    return lib


def class_archive(java: str, jars: list[Path], log: Callable[[str], None] = lambda _: None) -> Path | None:
    """The JVM class-data-sharing archive of the Neo4j server's classes for this Java and these jars
    (in the cache folder, beside them): made once by a short training run of a server of its own,
    then mapped by every start instead of reading, verifying and parsing each class again (`kg db
    up` 6.3 to 6.9 s without, 4.2 to 4.4 s with, on a 2-core machine). None when this Java cannot
    have one (not HotSpot, or without its own base archive: `java -version` then does not say
    `sharing`) or when making it failed once: the server then starts as before."""
    version = java_version(java)
    if "sharing" not in version:
        return None
    digest = hashlib.sha256(version.encode())
    for jar in jars:  # a jar replaced (same name, other bytes) makes the JVM refuse the archive
        stat = jar.stat()
        digest.update(f"{jar.name} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    archive = cache_dir() / "cds" / f"neo4j-{versions.NEO4J_VERSION}-{digest.hexdigest()[:16]}.jsa"
    failed = archive.with_suffix(".failed")
    if archive.is_file():
        return archive
    if failed.is_file():
        return None
    log("Archiving the Neo4j server's classes for faster starts (once, about 20 s) ...")
    try:
        _train(archive)
    except (KgError, OSError) as e:
        with contextlib.suppress(OSError):  # a cache folder that cannot be written: tried again next start
            failed.parent.mkdir(parents=True, exist_ok=True)
            failed.write_text(f"{e}\n", encoding="utf-8")
        log(f"no class archive ({e}); Neo4j starts without one (remove {failed} to try again)")
        return None
    return archive


def _train(archive: Path) -> None:
    """Start a throwaway server that writes its loaded classes into `archive` when it stops, after
    a few statements of the kinds kg runs (schema, writes, reads, full-text; no content)."""
    with tempfile.TemporaryDirectory(prefix="kg-cds-") as tmp:
        server = LocalServer(Path(tmp) / "neo4j", bolt_port=free_port(), http_port=free_port(), heap="512m",
                             pagecache="64m")
        written = Path(tmp) / "classes.jsa"
        password = secrets.token_urlsafe(18)
        server.start(DEFAULT_USERNAME, password, archive_to=written)
        try:
            with Database(Settings(uri=server.bolt_uri, username=DEFAULT_USERNAME, password=password)) as db:
                ensure_schema(db)
                db.write("UNWIND range(1, 100) AS i CREATE (n:Entity:Actor {id: 'n' + i, name: 'n ' + i})")
                db.write("UNWIND $rows AS r MERGE (n:Entity {id: r.id}) SET n += r.props "
                         "WITH n MATCH (m:Entity {id: 'n1'}) MERGE (n)-[:MENTIONS]->(m)",
                         {"rows": [{"id": "n2", "props": {"name": "two"}}]})
                db.read("MATCH (n:Entity)-[r]->(m) WHERE n.id STARTS WITH 'n' RETURN n.id, type(r), "
                        "collect(m.id) AS ms ORDER BY n.id LIMIT 5")
                db.read("SHOW INDEXES YIELD name RETURN count(*) AS n")
        finally:
            server.stop()
        if not written.is_file():
            raise ServerError("the training server wrote no class archive")
        archive.parent.mkdir(parents=True, exist_ok=True)
        partial = archive.with_name(f"{archive.name}.{os.getpid()}.partial")
        shutil.copyfile(written, partial)
        partial.replace(archive)  # whole, or not there


def auth_ini_line(username: str, password: str) -> str:
    """A `data/dbms/auth.ini` entry, as `neo4j-admin dbms set-initial-password` writes it
    (SHA-256, 1024 iterations): written by us so the password never sits on a command line."""
    salt = secrets.token_bytes(32)
    digest = hashlib.sha256(salt + password.encode("utf-8")).digest()
    for _ in range(1023):
        digest = hashlib.sha256(digest).digest()
    return f"{username}:SHA-256,{digest.hex()},{salt.hex()},1024:\n"


def _alive(pid: int, marker: str) -> bool:
    """Whether `pid` is a running Neo4j whose command line names `marker` (its home)."""
    try:
        os.kill(pid, 0)
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (OSError, ValueError):
        return False
    stat = Path(f"/proc/{pid}/stat")
    zombie = stat.exists() and stat.read_text().rsplit(")", 1)[-1].split()[0] == "Z"
    return ENTRY_POINT in cmdline and marker in cmdline and not zombie


@dataclass
class LocalServer:
    """One Neo4j server process with its own home folder."""

    home: Path
    bolt_port: int = 7687
    http_port: int = 7474
    heap: str = field(default_factory=lambda: os.environ.get("KG_NEO4J_HEAP", "1g"))
    pagecache: str = field(default_factory=lambda: os.environ.get("KG_NEO4J_PAGECACHE", "512m"))
    extra_conf: dict[str, str] = field(default_factory=dict)

    @property
    def bolt_uri(self) -> str:
        return bolt_uri(self.bolt_port)

    @property
    def browser_url(self) -> str:
        return browser_url(self.http_port)

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "neo4j.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "console.log"

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _alive(pid, str(self.home)) else None

    @property
    def browser_root(self) -> Path:
        """The folder on the classpath in place of the Browser's jar: its files and kg's (kg/browser/guide.py)."""
        return self.home / "kg-browser"

    def prepare_browser(self, lib: Path, log: Callable[[str], None] = lambda _: None) -> Path | None:
        """Make the Browser folder that also serves kg's style and guide under /browser/kg/ (the
        placeholder until `kg load` writes the guide); None (and a message) when it cannot be made:
        the server starts anyway, with the Browser from its jar."""
        try:
            prepare_local(self.browser_root, lib, local_base(self.http_port))
            return self.browser_root
        except (KgError, OSError, zipfile.BadZipFile) as e:
            shutil.rmtree(self.browser_root, ignore_errors=True)
            log(f"Neo4j Browser will not offer kg's guide: {e}")
            return None

    def write_guide(self, seed: Any = None) -> str:
        """Write kg's guide, made from cypher/ and `seed` (default: seed/), where this server's Browser
        serves it; a running server serves it at once. Returns its URL."""
        if not (self.browser_root / "browser").is_dir():
            raise ServerError(f"the server in {self.home} has no Browser folder for kg's guide (started by an "
                              "older kg, or never started); (re)start it: `kg db down && kg db up`")
        base = local_base(self.http_port)
        text = guide_html(base, seed=seed)
        try:
            write_guide(self.browser_root, text, base)
        except OSError as e:
            raise ServerError(f"cannot write kg's guide into {self.browser_root}: {e}") from e
        return guide_url(base)

    def write_conf(self) -> None:
        for sub in ("conf", "data", "logs", "run", "import", "plugins"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        served = served_folder(self.browser_root) / GUIDE_FILE
        guide = {"browser.post_connect_cmd": post_connect_cmd(local_base(self.http_port))} \
            if served.is_file() else {}
        settings = {
            "server.default_listen_address": "127.0.0.1",
            "server.default_advertised_address": "127.0.0.1",
            "server.bolt.listen_address": f"127.0.0.1:{self.bolt_port}",
            "server.bolt.advertised_address": f"127.0.0.1:{self.bolt_port}",
            "server.http.listen_address": f"127.0.0.1:{self.http_port}",
            "server.http.advertised_address": f"127.0.0.1:{self.http_port}",
            "server.https.enabled": "false",
            "dbms.security.auth_enabled": "true",
            "server.memory.heap.initial_size": self.heap,
            "server.memory.heap.max_size": self.heap,
            "server.memory.pagecache.size": self.pagecache,
            "server.directories.import": str(self.home / "import"),
            "dbms.usage_report.enabled": "false",
            "client.allow_telemetry": "false",
            # Bolt waits 5 s for its idle thread pool and 5 s for its connections when stopping: 10 s of
            # every `kg db down`, dump, restore and `load --bulk`, on a server kg stops only when no work
            # of its own is left (a stop still ends transactions and checkpoints as before; 1 s each
            # was 2.2 s a stop, 0 s is 0.3 s). Internal settings of the Neo4j pinned in kg/versions.py:
            # a version without them refuses to start, and the tests say so
            "internal.server.bolt.thread_pool_shutdown_wait_time": "0s",
            "internal.server.bolt.connection_shutdown_wait_time": "0s",
            # Neo4j Browser may open guides and styles from this machine; kg's opens after connecting
            "browser.remote_content_hostname_whitelist": ALLOWLIST,
            **guide,
            **self.extra_conf,
        }
        body = "".join(f"{k}={v}\n" for k, v in settings.items())
        (self.home / "conf" / "neo4j.conf").write_text(
            "# Written by kg (kg/server/local.py); edits are overwritten at the next `kg db up`.\n" + body,
            encoding="utf-8",
        )

    def initialised(self) -> bool:
        # the system database holds the users; an import (neo4j-admin) creates only the user database
        return (self.home / "data" / "databases" / "system").is_dir()

    def set_initial_password(self, username: str, password: str) -> None:
        dbms = self.home / "data" / "dbms"
        dbms.mkdir(parents=True, exist_ok=True)
        path = dbms / "auth.ini"
        path.write_text(auth_ini_line(username, password), encoding="utf-8")
        path.chmod(0o600)

    def start(self, username: str, password: str, timeout: float = 180.0,
              log: Callable[[str], None] = lambda _: None, archive_to: Path | None = None) -> int:
        """Start the server (or return the running one's pid) and wait until Cypher answers.
        `archive_to`: the file its classes are archived into when it stops (`class_archive`)."""
        running = self.pid()
        if running:
            self.wait_ready(username, password, timeout, running)
            return running
        for port in (self.bolt_port, self.http_port):
            if not port_is_free(port):
                raise ServerError(
                    f"port {port} on 127.0.0.1 is taken by another program; stop it or choose "
                    "other ports (--bolt-port/--http-port)"
                )
        java = java_command()
        lib = resolve_jars(log)
        kg_browser = self.prepare_browser(lib, log)
        self.write_conf()
        if not self.initialised():
            self.set_initial_password(username, password)
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
        env.update(NEO4J_HOME=str(self.home), NEO4J_CONF=str(self.home / "conf"))
        # the server serves /browser/ from the classpath: kg's folder when there is one, else the jar's. It
        # comes last: a class archive is made for the jars before it, and a folder cannot be in one
        jars = server_jars(lib)
        browser_files = [kg_browser] if kg_browser else sorted(lib.glob("neo4j-browser-*.jar"))
        classpath = os.pathsep.join(str(entry) for entry in [*jars, *browser_files])
        if archive_to is not None:
            sharing = [f"-XX:ArchiveClassesAtExit={archive_to}"]
        else:
            archive = class_archive(java, jars, log)
            sharing = [f"-XX:SharedArchiveFile={archive}"] if archive else []
        cmd = [
            java, *sharing, f"-Xms{self.heap}", f"-Xmx{self.heap}", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError",
            "-XX:-OmitStackTraceInFastThrow", "-Dfile.encoding=UTF-8", *java_options(),
            # what Neo4j's own launcher opens on Java 17, so the page cache runs at full speed
            "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "-cp", classpath, ENTRY_POINT, f"--home-dir={self.home}", f"--config-dir={self.home / 'conf'}",
        ]
        with open(self.log_file, "ab") as out:
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    env=env, cwd=self.home, start_new_session=True)
        self.pid_file.write_text(str(proc.pid), encoding="utf-8")
        self.wait_ready(username, password, timeout, proc.pid, proc)
        return proc.pid

    def wait_ready(self, username: str, password: str, timeout: float, pid: int,
                   proc: subprocess.Popen[bytes] | None = None) -> None:
        deadline = time.monotonic() + timeout
        settings = Settings(uri=self.bolt_uri, username=username, password=password)
        last: Exception | None = None
        while time.monotonic() < deadline:
            # a process we just forked may not have exec'd java yet: ask it, not /proc
            exited = proc.poll() is not None if proc is not None else not _alive(pid, str(self.home))
            if exited:
                raise ServerError(f"Neo4j exited while starting; see {self.log_file}: {self.log_tail()}")
            try:
                with Database(settings) as db:
                    db.server_info()
                return
            except ConnectionFailed as e:
                last = e
                if "refused the credentials" in str(e):
                    raise ServerError(
                        f"the server in {self.home} does not accept the password kg has for it; "
                        f"remove {self.home} to start afresh (its data is lost), or set NEO4J_PASSWORD"
                    ) from e
            time.sleep(0.5)
        raise ServerError(f"Neo4j did not answer within {timeout:.0f}s ({last}); see {self.log_file}")

    def log_tail(self, lines: int = 3) -> str:
        logs = [self.log_file, self.home / "logs" / "neo4j.log"]
        text = " ".join(p.read_text(errors="replace") for p in logs if p.is_file())
        return " | ".join(text.strip().splitlines()[-lines:]) or "(no log output)"

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the server; True if one was running."""
        pid = self.pid()
        if not pid:
            self.pid_file.unlink(missing_ok=True)
            return False
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(pid, str(self.home)):
            time.sleep(0.25)
        if _alive(pid, str(self.home)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)
        self.pid_file.unlink(missing_ok=True)
        return True

    def kill(self) -> None:
        """SIGKILL, as a crash would (used by fault tests)."""
        pid = self.pid()
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            while _alive(pid, str(self.home)):
                time.sleep(0.1)
