"""The versions of kg's run-time dependencies in this venv, as `name==version` lines, for
tests/docker/build-images: the web image's wheels are made at these versions (pip's constraints) and
cached under a key of them, so the image runs what the suite was run with, and its wheels are made
again only when one of these changes (not when a test or lint tool does)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, distribution

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def closure(root: str = "kg") -> dict[str, str]:
    """Every distribution `root` needs at run time (its extras' too where a requirement asks for them),
    by canonical name, with its installed version; `root` itself left out."""
    found: dict[str, str] = {}
    done: set[tuple[str, str]] = set()
    todo: list[tuple[str, frozenset[str]]] = [(root, frozenset())]
    while todo:
        name, extras = todo.pop()
        key = canonicalize_name(name)
        if (key, ",".join(sorted(extras))) in done:
            continue
        done.add((key, ",".join(sorted(extras))))
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue  # a requirement whose marker held nowhere here, or one pip will resolve itself
        if key != canonicalize_name(root):
            found[key] = dist.version
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in extras | {""}):
                todo.append((req.name, frozenset(req.extras)))
    return found


if __name__ == "__main__":
    for name, version in sorted(closure().items()):
        print(f"{name}=={version}")
