"""Writing an export safely: into a temporary file or folder beside the target, renamed onto it only
when complete, so that a failed export leaves nothing behind (and never half of a file)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from kg.errors import KgError


@contextmanager
def atomic_file(path: Path, binary: bool = False) -> Iterator[IO[Any]]:
    """A text file (`binary`: a file of bytes) written beside `path` and renamed onto it only when the
    block succeeds."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise KgError(f"cannot write {path}: folder {folder} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as e:
        raise KgError(f"cannot write {path}: {e.strerror or e}") from e
    try:
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _csv_only(folder: Path) -> bool:
    return all(p.suffix == ".csv" for p in folder.iterdir())


@contextmanager
def atomic_dir(path: Path, replaceable: Callable[[Path], bool] = _csv_only,
               what: str = "a folder of kg's CSV files") -> Iterator[Path]:
    """A folder built beside `path` and renamed onto it only when the block succeeds; an existing
    folder is replaced only if `replaceable` says it is kg's own (by default: nothing but CSV files)."""
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise KgError(f"cannot write {path}: folder {parent} does not exist")
    if path.exists() and (not path.is_dir() or not replaceable(path)):
        raise KgError(f"{path} exists and is not {what}; choose a new folder")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=parent))
    except OSError as e:
        raise KgError(f"cannot write {path}: {e.strerror or e}") from e
    try:
        yield tmp
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
