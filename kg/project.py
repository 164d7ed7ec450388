"""Where kg's content (the named questions in cypher/, the seed in seed/) and its state (what
`kg db up` keeps, the article texts) are. Every other module asks here.

The project folder, first found:

1. `--project DIR` (kg's root option) or `KG_PROJECT`: DIR, chosen explicitly;
2. a checkout: the nearest folder, from the working directory upwards, holding `cypher/` and
   `seed/`, or `.kg/`, or a `pyproject.toml`;
3. none: kg runs as an installed tool.

A project's `cypher/` and `seed/` are used when it has them; otherwise (and without a project) the
copies installed with kg (kg/_content/ in the wheel; the checkout kg itself was imported from, for
an editable install or a source tree on PYTHONPATH). The state is the project's `.kg/`; without a
project, the per-user data folder (platformdirs: ~/.local/share/kg on Linux, or
$XDG_DATA_HOME/kg), never site-packages nor the working directory. `KG_STATE_DIR` overrides the
server's state (kg/config.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from kg.errors import UsageError

ENV = "KG_PROJECT"
#: the project's own state folder (git ignores it)
STATE = ".kg"

_chosen: Path | None = None


def use(folder: Path | None) -> None:
    """Choose the project folder explicitly (`--project`); None goes back to KG_PROJECT and the search."""
    global _chosen
    _chosen = folder.resolve() if folder is not None else None


@dataclass(frozen=True)
class Content:
    """Where the named questions and the seed are."""

    cypher: Path
    seed: Path


def is_checkout(folder: Path) -> bool:
    return (folder / "cypher").is_dir() and (folder / "seed").is_dir()


def _is_project(folder: Path) -> bool:
    return is_checkout(folder) or (folder / STATE).is_dir() or (folder / "pyproject.toml").is_file()


def root(start: Path | None = None) -> Path | None:
    """The project folder: `--project`, else KG_PROJECT, else the nearest checkout from `start`
    (default the working directory) upwards; None when kg runs outside any."""
    if _chosen is not None:
        return _chosen
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).resolve()
    here = (start or Path.cwd()).resolve()
    return next((folder for folder in (here, *here.parents) if _is_project(folder)), None)


def installed() -> Content:
    """The questions and seed installed with kg: the wheel's kg/_content/, else (an editable install,
    or the source on PYTHONPATH) the checkout the kg package lives in."""
    packaged = resources.files("kg") / "_content"
    if isinstance(packaged, Path) and packaged.is_dir():
        return Content(packaged / "cypher", packaged / "seed")
    source = Path(__file__).resolve().parent.parent
    return Content(source / "cypher", source / "seed")


def content(start: Path | None = None) -> Content:
    """The project's cypher/ and seed/ where it has them, else the installed ones."""
    folder, fallback = root(start), installed()
    if folder is None:
        return fallback
    cypher, seed = folder / "cypher", folder / "seed"
    return Content(cypher if cypher.is_dir() else fallback.cypher, seed if seed.is_dir() else fallback.seed)


def cypher_dir() -> Path:
    """The folder of the named questions."""
    return content().cypher


def seed_dir() -> Path:
    """The seed folder `kg validate` and `kg load` read by default."""
    return content().seed


def required_root(what: str) -> Path:
    """The project folder, for commands that write into it (never into the copy installed with kg)."""
    folder = root()
    if folder is None:
        raise UsageError(f"{what} writes into a project: run it inside a checkout or give --project DIR")
    return folder


def writable_seed_dir() -> Path:
    """The seed folder to add files to: the project's own seed/ (created when missing)."""
    return required_root("kg source add") / "seed"


def user_data_dir() -> Path:
    """kg's per-user data folder (platformdirs), for the state of kg run outside any project."""
    import platformdirs

    return Path(platformdirs.user_data_dir("kg", appauthor=False))


def data_dir(start: Path | None = None) -> Path:
    """Where kg keeps its state: the project's `.kg/`, else the per-user data folder."""
    folder = root(start)
    return folder / STATE if folder is not None else user_data_dir()


def texts_default() -> Path:
    """The texts folder when neither --texts nor KG_TEXTS names one."""
    return data_dir() / "texts"
