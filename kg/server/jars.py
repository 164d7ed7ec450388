"""Neo4j's jars: resolved once by Maven (kg/resources/neo4j-pom.xml) from Maven Central into a cache
outside the repository, and the Java that runs them (17 or newer)."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from kg import versions
from kg.errors import ServerError


def cache_dir() -> Path:
    """Where the Neo4j jars are kept (outside the repository): `KG_CACHE_DIR`, else the
    user's cache folder."""
    env = os.environ.get("KG_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kg"


@functools.lru_cache(maxsize=4)
def java_version(java: str) -> str:
    """What `java -version` says (it names the VM, and `sharing` when its base class archive is mapped)."""
    return subprocess.run([java, "-version"], capture_output=True, text=True, check=False).stderr


def java_options() -> list[str]:
    """Extra JVM options for every Java process kg starts (the server and neo4j-admin), from
    `KG_JAVA_OPTS` (split on spaces): for example `-XX:TieredStopAtLevel=1` for short-lived servers,
    which the test suite uses (a test server's JIT compiling cost more CPU than its queries)."""
    return os.environ.get("KG_JAVA_OPTS", "").split()


def java_command() -> str:
    home = os.environ.get("JAVA_HOME")
    in_home = Path(home) / "bin" / "java" if home else None
    java = str(in_home) if in_home and in_home.exists() else shutil.which("java")
    if not java:
        raise ServerError("Java 17 or newer is needed for the local Neo4j server (or use Docker); none is on PATH")
    out = java_version(java)
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


def server_jars(lib: Path) -> list[Path]:
    """The server's jars but Neo4j Browser's, in a fixed order: the classpath a server starts with,
    and that its class archive is made for (the Browser, a jar or kg's folder, comes after them)."""
    return [jar for jar in sorted(lib.glob("*.jar")) if not jar.name.startswith("neo4j-browser-")]
