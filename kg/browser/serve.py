"""kg's guide and style in the local server's Browser folder.

The local server's classpath has a folder (`root`) in place of the Browser's jar, holding the
Browser's files, extracted from that jar, and kg's under browser/kg/. Neo4j serves /browser/ from
the `browser/` on its classpath, and from a folder it serves the files as they are on disk (Jetty
checks a file again a second after serving it), so a guide written while the server runs is served
without a restart.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from kg.browser.guide import placeholder_html
from kg.browser.style import grass
from kg.browser.urls import GUIDE_FILE, LOCAL_FOLDER, STYLE_FILE
from kg.errors import ServerError

#: in `root`, beside browser/ (so not served): which jar browser/ was extracted from
EXTRACTED_FROM = "extracted-from"
#: in `root`: the base URL the guide in browser/kg/ was made for ("" for the placeholder)
GUIDE_BASE = "guide-base"


def browser_jar(lib: Path) -> Path | None:
    """The Neo4j Browser jar among the server's jars."""
    jars = sorted(lib.glob("neo4j-browser-*.jar"))
    return jars[-1] if jars else None


def served_folder(root: Path) -> Path:
    """Where kg's guide and style are, in the local server's Browser folder."""
    return root / "browser" / LOCAL_FOLDER


def _write_atomically(root: Path, target: Path, text: str) -> None:
    """Write `text` to `target` so the server never serves half of it: a new file, then a rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=".kg-", dir=root)  # beside browser/, never served
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(partial, 0o644)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def extract_browser(root: Path, lib: Path) -> None:
    """Extract the Neo4j Browser jar's browser/ folder into `root` (again only when the jar changed),
    keeping kg's files. Only a stopped server's folder may be replaced."""
    source = browser_jar(lib)
    if source is None:
        raise ServerError(f"no neo4j-browser jar in {lib}")
    stamp = f"{source.name} {source.stat().st_size}\n"
    marker = root / EXTRACTED_FROM
    if marker.is_file() and marker.read_text(encoding="utf-8") == stamp and (root / "browser" / "index.html").is_file():
        return
    partial = root.with_name(root.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    with zipfile.ZipFile(source) as jar:
        # zipfile drops `..` and absolute parts of member names: nothing lands outside `partial`
        jar.extractall(partial, [m for m in jar.namelist() if m.startswith("browser/")])
    if served_folder(root).is_dir():
        shutil.move(served_folder(root), served_folder(partial))
    if (root / GUIDE_BASE).is_file():
        shutil.move(root / GUIDE_BASE, partial / GUIDE_BASE)
    (partial / EXTRACTED_FROM).write_text(stamp, encoding="utf-8")
    shutil.rmtree(root, ignore_errors=True)  # also what older kg put here (a rebuilt jar)
    partial.rename(root)


def guide_base(root: Path) -> str | None:
    """The base URL the guide in `root` was made for; "" for the placeholder, None when there is none."""
    path = root / GUIDE_BASE
    if not (served_folder(root) / GUIDE_FILE).is_file() or not path.is_file():
        return None
    return path.read_text(encoding="utf-8").strip()


def write_guide(root: Path, text: str, base: str) -> Path:
    """Put a guide made for `base` where the local server serves it (at once, no restart needed)."""
    target = served_folder(root) / GUIDE_FILE
    _write_atomically(root, target, text)
    _write_atomically(root, root / GUIDE_BASE, base + "\n")
    return target


def prepare_local(root: Path, lib: Path, base: str) -> None:
    """Make the folder the local server puts on its classpath in place of the Browser's jar: the
    Browser, kg's style (from kg/graph/palette.py), and a guide: the one `kg load` wrote, when it was made
    for this base URL, else the placeholder that says to run `kg load`. Reads nothing from seed/ or
    cypher/."""
    extract_browser(root, lib)
    _write_atomically(root, served_folder(root) / STYLE_FILE, grass())
    if guide_base(root) != base:
        write_guide(root, placeholder_html(base), "")
