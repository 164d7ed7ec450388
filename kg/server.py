"""A real Neo4j for this checkout: Docker (docker-compose.yml) when an engine answers and has or can
pull the images, else a local server whose jars come from Maven Central.

The local server is Neo4j community (kg/versions.py) started as a background Java process
with its own home folder (conf/, data/, logs/, run/neo4j.pid) under `.kg/neo4j/`. Its jars are
resolved once by Maven (kg/resources/neo4j-pom.xml) into a cache outside the repository.
It listens on 127.0.0.1 only, with auth on; the password is generated on first start (unless
NEO4J_PASSWORD is set) and kept in `.kg/password`, readable by the owner only.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from kg import versions
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
from kg.errors import ConnectionFailed, KgError, ServerError

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
STATE_FILE = "server.json"
PASSWORD_FILE = "password"


def cache_dir() -> Path:
    """Where the Neo4j jars are kept (outside the repository): `KG_CACHE_DIR`, else the
    user's cache folder."""
    env = os.environ.get("KG_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kg"


@functools.lru_cache(maxsize=4)
def _java_version(java: str) -> str:
    """What `java -version` says (it names the VM, and `sharing` when its base class archive is mapped)."""
    return subprocess.run([java, "-version"], capture_output=True, text=True, check=False).stderr


def java_command() -> str:
    home = os.environ.get("JAVA_HOME")
    in_home = Path(home) / "bin" / "java" if home else None
    java = str(in_home) if in_home and in_home.exists() else shutil.which("java")
    if not java:
        raise ServerError("Java 17 or newer is needed for the local Neo4j server (or use Docker); none is on PATH")
    out = _java_version(java)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    major = int(match.group(1)) if match else 0
    if major == 1 and match and match.group(2):
        major = int(match.group(2))
    if major < 17:
        raise ServerError(f"Neo4j {versions.NEO4J_SERIES} needs Java 17 or newer; {java} is Java {major or '?'}")
    return java


def resolve_jars(log: Callable[[str], None] = lambda _: None) -> Path:
    """The folder of Neo4j server jars, fetched by Maven on first use and cached."""
    target = cache_dir() / f"neo4j-{versions.NEO4J_VERSION}-browser-{versions.NEO4J_BROWSER_VERSION}"
    lib = target / "lib"
    if (target / ".complete").is_file():
        return lib
    mvn = shutil.which("mvn")
    if not mvn:
        raise ServerError(
            "Maven (mvn) is needed once to fetch Neo4j from Maven Central; install it "
            "(e.g. apt-get install maven), or use Docker"
        )
    log(f"Fetching Neo4j {versions.NEO4J_VERSION} and Neo4j Browser {versions.NEO4J_BROWSER_VERSION} "
        f"from Maven Central into {target} (once) ...")
    target.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="lib-", dir=target))
    pom = resources.files("kg") / "resources" / "neo4j-pom.xml"
    with resources.as_file(pom) as pom_path:
        proc = subprocess.run(
            [mvn, "-B", "-q", "-f", str(pom_path), "dependency:copy-dependencies",
             f"-Dneo4j.version={versions.NEO4J_VERSION}",
             f"-Dneo4j.browser.version={versions.NEO4J_BROWSER_VERSION}",
             f"-DoutputDirectory={staging}"],
            capture_output=True, text=True, check=False,
        )
    if proc.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        tail = " | ".join((proc.stdout + proc.stderr).strip().splitlines()[-3:])
        raise ServerError(f"Maven could not fetch Neo4j {versions.NEO4J_VERSION}: {tail}")
    if lib.exists():
        shutil.rmtree(lib)
    staging.rename(lib)
    (target / ".complete").write_text(versions.NEO4J_VERSION, encoding="utf-8")
    return lib


def install(log: Callable[[str], None] = lambda _: None) -> Path:
    """Everything a local server needs before its first start: the jars (`resolve_jars`) and the
    archive of its classes (`class_archive`). Returns the jars' folder."""
    lib = resolve_jars(log)
    class_archive(java_command(), server_jars(lib), log)
    return lib


def server_jars(lib: Path) -> list[Path]:
    """The server's jars but Neo4j Browser's, in a fixed order: the classpath a server starts with,
    and that its class archive is made for (the Browser, a jar or kg's folder, comes after them)."""
    return [jar for jar in sorted(lib.glob("*.jar")) if not jar.name.startswith("neo4j-browser-")]


def class_archive(java: str, jars: list[Path], log: Callable[[str], None] = lambda _: None) -> Path | None:
    """The JVM class-data-sharing archive of the Neo4j server's classes for this Java and these jars
    (in the cache folder, beside them): made once by a short training run of a server of its own,
    then mapped by every start instead of reading, verifying and parsing each class again (`kg db
    up` 6.3 to 6.9 s without, 4.2 to 4.4 s with, on a 2-core machine). None when this Java cannot
    have one (not HotSpot, or without its own base archive: `java -version` then does not say
    `sharing`) or when making it failed once: the server then starts as before."""
    version = _java_version(java)
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
    from kg.db import Database
    from kg.seed.loader import ensure_schema

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


def bolt_uri(port: int) -> str:
    """The Bolt URI of a server of this machine (servers listen on 127.0.0.1 only)."""
    return f"bolt://127.0.0.1:{port}"


def browser_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/browser/"


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
        """The folder on the classpath in place of the Browser's jar: its files and kg's (kg/browser.py)."""
        return self.home / "kg-browser"

    def prepare_browser(self, lib: Path, log: Callable[[str], None] = lambda _: None) -> Path | None:
        """Make the Browser folder that also serves kg's style and guide under /browser/kg/ (the
        placeholder until `kg load` writes the guide); None (and a message) when it cannot be made:
        the server starts anyway, with the Browser from its jar."""
        from kg import browser
        from kg.errors import KgError

        try:
            browser.prepare_local(self.browser_root, lib, browser.local_base(self.http_port))
            return self.browser_root
        except (KgError, OSError, zipfile.BadZipFile) as e:
            shutil.rmtree(self.browser_root, ignore_errors=True)
            log(f"Neo4j Browser will not offer kg's guide: {e}")
            return None

    def write_guide(self, seed: Any = None) -> str:
        """Write kg's guide, made from cypher/ and `seed` (default: seed/), where this server's Browser
        serves it; a running server serves it at once. Returns its URL."""
        from kg import browser

        if not (self.browser_root / "browser").is_dir():
            raise ServerError(f"the server in {self.home} has no Browser folder for kg's guide (started by an "
                              "older kg, or never started); (re)start it: `kg db down && kg db up`")
        base = browser.local_base(self.http_port)
        text = browser.guide_html(base, seed=seed)
        try:
            browser.write_guide(self.browser_root, text, base)
        except OSError as e:
            raise ServerError(f"cannot write kg's guide into {self.browser_root}: {e}") from e
        return browser.guide_url(base)

    def write_conf(self) -> None:
        from kg import browser

        for sub in ("conf", "data", "logs", "run", "import", "plugins"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        served = browser.served_folder(self.browser_root) / browser.GUIDE_FILE
        guide = {"browser.post_connect_cmd": browser.post_connect_cmd(browser.local_base(self.http_port))} \
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
            "browser.remote_content_hostname_whitelist": browser.ALLOWLIST,
            **guide,
            **self.extra_conf,
        }
        body = "".join(f"{k}={v}\n" for k, v in settings.items())
        (self.home / "conf" / "neo4j.conf").write_text(
            "# Written by kg (kg/server.py); edits are overwritten at the next `kg db up`.\n" + body,
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
            "-XX:-OmitStackTraceInFastThrow", "-Dfile.encoding=UTF-8",
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
        from kg.db import Database

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


# --- the checkout's server: `kg db up | status | down` -------------------------------------------

@dataclass(frozen=True)
class UpResult:
    backend: str
    uri: str
    browser: str
    username: str
    version: str
    pid: int | None
    already_running: bool


def docker_available() -> bool:
    docker = shutil.which("docker")
    if not docker:
        return False
    try:
        return subprocess.run([docker, "info"], capture_output=True, timeout=10, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


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


# --- Docker: docker-compose.yml, with `docker compose` (v2) or `docker-compose` (1.x) --------------

DEFAULT_NEO4J_IMAGE = f"neo4j:{versions.NEO4J_SERIES}-community"
DEFAULT_GUIDE_IMAGE = "python:3.12-alpine"
COMPOSE_PROJECT = "kg"


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


def _docker(*args: str, timeout: float | None = 60) -> subprocess.CompletedProcess[str]:
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
        if _docker("image", "inspect", image).returncode == 0:
            continue
        log(f"Pulling {image} ...")
        pulled = _docker("pull", "-q", image, timeout=1800)
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

    def containers(self, password: str | None = None) -> list[dict[str, str]]:
        """The project's containers: name, status (running, exited, ...) and health ('' without a check)."""
        ids = self.run("ps", "-q", password=password, timeout=120).stdout.split()
        if not ids:
            return []
        fmt = "{{.Name}}|{{.State.Status}}|{{if .State.Health}}{{.State.Health.Status}}{{end}}"
        out = _docker("inspect", "-f", fmt, *ids).stdout
        rows = [line.split("|") for line in out.splitlines() if line.count("|") == 2]
        return [{"name": name.lstrip("/"), "status": status, "health": health} for name, status, health in rows]


def _tail(proc: subprocess.CompletedProcess[str], lines: int = 3) -> str:
    return " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-lines:]) or f"exit code {proc.returncode}"


def _wait_healthy(setup: ComposeSetup, password: str, timeout: float) -> None:
    """Wait until every container of the project runs and passes its health check (what
    `docker compose up --wait` does, which docker-compose 1.x lacks)."""
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


def _up_docker(folder: Path, setup: ComposeSetup, password: str, timeout: float,
               log: Callable[[str], None]) -> UpResult:
    for file in setup.files:
        if not Path(file).is_file():
            raise ServerError(f"{file} not found")
    before = setup.containers(password)
    already = bool(before) and all(c["status"] == "running" and c["health"] in ("", "healthy") for c in before)
    log(f"Starting Neo4j ({setup.neo4j_image}) with docker compose, project {setup.project} ...")
    proc = setup.run("up", "-d", password=password, timeout=max(timeout, 600))
    if proc.returncode != 0:
        raise ServerError(f"docker compose up failed: {_tail(proc)}")
    _wait_healthy(setup, password, timeout)
    _save_state(folder, {"backend": "docker", "uri": setup.bolt_uri, "browser": setup.browser_url,
                         "username": DEFAULT_USERNAME, "bolt_port": setup.bolt_port, "http_port": setup.http_port,
                         "compose": setup.state()})
    version = _version(setup.bolt_uri, DEFAULT_USERNAME, password)
    return UpResult("docker", setup.bolt_uri, setup.browser_url, DEFAULT_USERNAME, version, None, already)


def _version(uri: str, username: str, password: str) -> str:
    from kg.db import Database

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
            raise ServerError(f"docker compose down failed: {_tail(proc, 1)}")
        return f"stopped the docker compose project {setup.project} (its data volume is kept)"
    server = LocalServer(Path(state.get("home") or folder / "neo4j"))
    if server.stop():
        return f"stopped the local Neo4j server (data kept in {server.home / 'data'})"
    return "no server started by `kg db up` is running"
