"""Generated seed files: valid ones mutated (values of the wrong type, unknown keys, broken
references, odd unicode, dates, deep or huge structures), damaged as text (truncated, a character
replaced, a line repeated or indented wrong), arbitrary YAML and arbitrary bytes. `kg validate`
either accepts each or refuses it with `file:line: message` lines and exit 1, never a traceback; a
refused `kg load` leaves the graph's canonical export as it was."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from kg.export import jsonl
from kg.graph.db import Database
from tests.conftest import ROOT, ServerHandle, run_kg
from tests.fuzz.conftest import assert_clean, budget, counted
from tests.fuzz.strategies import VALUE, damaged_text, dump, mutated

ACTORS = ROOT / "tests" / "bad_seeds" / "_base" / "actors.yaml"
SOURCE = ROOT / "tests" / "fuzz" / "seeds" / "source.yaml"
TEXTS = {"actors": ACTORS.read_text(), "source": SOURCE.read_text()}
TREES = {name: yaml.safe_load(text) for name, text in TEXTS.items()}


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-seed")


def _write(folder: Path, which: str, content: str | bytes) -> list[Path]:
    """The pair of files a case validates: the generated one in place of `which`, the other as it is."""
    files = []
    for name in ("actors", "source"):
        path = folder / f"{name}.yaml"
        if name == which:
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", errors="surrogatepass")
        else:
            path.write_text(TEXTS[name], encoding="utf-8")
        files.append(path)
    return files


def _validate(files: list[Path]) -> None:
    proc = run_kg("validate", *map(str, files))
    assert_clean(proc, [str(f) for f in files])


def test_the_files_the_fuzzers_mutate_are_valid() -> None:
    proc = run_kg("validate", str(ACTORS), str(SOURCE))
    assert proc.returncode == 0 and "4 quotes found in their texts" in proc.stderr, proc.stderr


WHICH = st.sampled_from(["actors", "source"])


@budget(ci=40, long=30_000)
@given(which=WHICH, data=st.data())
def test_mutated_seed_files(case_dir: Path, which: str, data: st.DataObject) -> None:
    counted("seed: valid files mutated")
    tree = data.draw(mutated(TREES[which]))
    _validate(_write(case_dir, which, dump(tree)))


@budget(ci=40, long=20_000)
@given(which=WHICH, data=st.data())
def test_damaged_seed_text(case_dir: Path, which: str, data: st.DataObject) -> None:
    counted("seed: text damaged (truncated, characters, lines)")
    _validate(_write(case_dir, which, data.draw(damaged_text(TEXTS[which]))))


@budget(ci=30, long=10_000)
@given(which=WHICH, tree=st.one_of(VALUE, st.fixed_dictionaries({"source": VALUE}),
                                   st.fixed_dictionaries({"actors": st.lists(VALUE, max_size=4)}),
                                   st.fixed_dictionaries({"source": VALUE, "nodes": VALUE, "relations": VALUE})))
@example(which="source", tree={"source": {"id": "src-x", "text": {"file": "../../../etc/passwd"}}})
def test_arbitrary_yaml(case_dir: Path, which: str, tree: object) -> None:
    counted("seed: arbitrary YAML")
    _validate(_write(case_dir, which, dump(tree)))


@budget(ci=30, long=15_000)
@given(which=WHICH, raw=st.one_of(st.binary(max_size=2000), st.text(max_size=500).map(lambda t: t.encode("utf-16")),
                                  st.binary(max_size=200).map(lambda b: TEXTS["source"].encode()[:1500] + b)))
def test_arbitrary_bytes(case_dir: Path, which: str, raw: bytes) -> None:
    counted("seed: arbitrary bytes")
    _validate(_write(case_dir, which, raw))


# --- kg load: a refused load changes nothing ---------------------------------------------------------

def _digest(db: Database) -> str:
    out = io.StringIO()
    jsonl.write(db, out)
    return hashlib.sha256(out.getvalue().encode()).hexdigest()


@pytest.fixture(scope="module")
def server_env(_guarded: ServerHandle, seeded: Database) -> dict[str, str]:
    """The environment of a `kg` run against the test server; the seed's digest taken first."""
    _SEED_DIGEST["seed"] = _digest(seeded)
    return _guarded.env(KG_TEXTS=str(ROOT.parent / "shared" / "sources"))


_SEED_DIGEST: dict[str, str] = {}


@pytest.mark.db
@budget(ci=8, long=300)
@given(data=st.data())
def test_a_refused_load_changes_nothing(seeded: Database, server_env: dict[str, str], case_dir: Path,
                                        data: st.DataObject) -> None:
    counted("kg load: refused loads leave the export unchanged")
    which = data.draw(WHICH)
    content = data.draw(st.one_of(mutated(TREES[which]).map(dump), damaged_text(TEXTS[which])))
    files = _write(case_dir, which, content)
    before = _digest(seeded)
    proc = run_kg("load", *map(str, files), env=server_env)
    assert_clean(proc, [str(f) for f in files])
    if proc.returncode != 0:
        assert _digest(seeded) == before
    else:  # it loaded: the graph is the seed's again for the next case
        restored = run_kg("load", env=server_env)
        assert restored.returncode == 0, restored.stderr
        assert _digest(seeded) == _SEED_DIGEST["seed"]


