"""How good `kg source add`'s candidate actors are, measured on the seed's own articles.

For each seed source with a text, with the registry emptied (no name known), the candidates that
`candidate_names` lists are compared with the actors the seed's curators took from that article:

- **the actors of an article** are the actors (nodes of an actor label: kg.graph.schema's
  `is_actor`) that the source's file refers to (its publisher, authors, `mentions`, the nodes it
  declares and the ends of its facts' links and relations: `SourceRec.mentions`), that are named
  (not `named: false`), and whose name or an alias *written as a proper name* occurs in the text:
  whole words, case-sensitive, and its first word (after a leading "the") starts with a capital
  letter or a digit. "Halton police" and "Alberta's privacy commissioner" count; "the tool",
  "online platforms" and "police across Ontario" are descriptions, not names, and do not.
- **a candidate matches an actor** when, both normalised (lower case, typographic apostrophes
  plain, a possessive "'s" or "'" dropped from each word, a leading "the" and a leading title
  such as "Const." or "Deputy Chief" dropped, white space collapsed), the candidate equals the
  actor's name or one of its aliases; and a one-word candidate also matches a Person whose name
  ends with it (a surname alone is the same person).
- **recall** = actors of the article matched by some candidate / actors of the article;
  **precision** = candidates that match some actor of the whole seed (any source's, any
  registry's) / all candidates. Strict on purpose: a place ("Edmonton") or a real office that
  the seed does not hold as an actor counts against precision.
- **kind right**: of the real candidates, those whose kind agrees with the actor they match
  ("person" for a Person, "organisation" for any other actor).

`bench/candidates.py` prints the table; tests/seed/test_candidates.py asserts the thresholds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.graph.schema import NODE_KINDS
from kg.seed.names import candidate_names
from kg.seed.texts import Article, Texts
from kg.seed.validate import validate
from kg.seed.validated import Seed

#: titles dropped from the front of a name before comparing (the person is the same with or without)
_TITLE_WORDS = re.compile(
    r"^(?:(?:deputy|acting|staff|former)\s+)*"
    r"(?:const|constable|cst|supt|superintendent|sgt|sergeant|insp|inspector|det|detective|chief|"
    r"commissioner|spokesperson|spokesman|spokeswoman|mr|mrs|ms|dr|prof)\.?\s+(?=\S)")


def key(name: str) -> str:
    """A name as the measurement compares it: see the module's doc."""
    text = unicodedata.normalize("NFKC", name).replace("\u2019", "'").replace("\u2018", "'").lower()
    text = re.sub(r"(?<=\w)'s?(?=\s|$)", "", text)
    text = re.sub(r"\s+", " ", text).strip(" .,;:\"'()")
    text = re.sub(r"^the\s+", "", text)
    return _TITLE_WORDS.sub("", text)


def _proper(name: str) -> bool:
    words = re.sub(r"^(?:the|The)\s+", "", name.strip()).split()
    return bool(words) and (words[0][0].isupper() or words[0][0].isdigit())


def _occurs(name: str, text: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text) is not None


@dataclass(frozen=True)
class Known:
    """An actor of the seed, as the measurement sees it."""

    id: str
    label: str
    names: tuple[str, ...]  # its name first, then its aliases

    @property
    def keys(self) -> set[str]:
        return {key(n) for n in self.names}

    def matched_by(self, candidate: str) -> bool:
        got = key(candidate)
        if got in self.keys:
            return True
        return self.label == "Person" and " " not in got and key(self.names[0]).split()[-1:] == [got]


@dataclass
class Score:
    source: str
    file: str
    #: (candidate, kind, first line, the ids of the actors it matches)
    candidates: list[tuple[str, str, int, list[str]]] = field(default_factory=list)
    #: the article's actors (ids), and those no candidate matched
    expected: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return (len(self.expected) - len(self.missed)) / len(self.expected) if self.expected else 1.0

    #: of the candidates that match an actor, those whose kind agrees with it (person for a Person,
    #: organisation for any other actor)
    kinds_right: int = 0

    @property
    def precision(self) -> float:
        real = sum(1 for c in self.candidates if c[3])
        return real / len(self.candidates) if self.candidates else 1.0


Detector = Callable[[Article, Iterable[str]], list[tuple[str, int, str]]]


def actors_of(seed: Seed) -> dict[str, Known]:
    """Every named actor of the seed (registry and source files), by id."""
    out = {}
    for node in seed.nodes.values():
        if not NODE_KINDS[node.label].is_actor or node.props.get("named") is False:
            continue
        out[node.id] = Known(node.id, node.label, (node.props["name"], *node.props.get("aliases", [])))
    return out


def measure(seed_dir: Path, texts_folder: Path, detect: Detector = candidate_names) -> list[Score]:
    """Recall and precision of `detect` (with no name known) on each seed source that has a text."""
    seed = validate([seed_dir], texts=texts_folder)
    texts = Texts(texts_folder)
    actors = actors_of(seed)
    scores = []
    for sid, src in sorted(seed.sources.items()):
        file = src.props.get("text")
        if not isinstance(file, str) or not texts.has(file):
            continue
        article = texts.article(file)
        score = Score(sid, file)
        score.expected = sorted(a for a in src.mentions if a in actors
                                and any(_proper(n) and _occurs(n, article.text) for n in actors[a].names))
        for name, line, kind in detect(article, []):
            hits = sorted(a.id for a in actors.values() if a.matched_by(name))
            score.candidates.append((name, kind.rstrip("?"), line, hits))
        score.kinds_right = sum(1 for _n, kind, _l, hits in score.candidates if hits and kind == (
            "person" if actors[hits[0]].label == "Person" else "organisation"))
        found = {a for c in score.candidates for a in c[3]}
        score.missed = [a for a in score.expected if a not in found]
        scores.append(score)
    return scores


def table(scores: list[Score]) -> str:
    """The scores as a Markdown table."""
    rows = ["| source | text | actors in the text | found | recall | candidates | real | precision | kind right |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for s in scores:
        found = len(s.expected) - len(s.missed)
        real = sum(1 for c in s.candidates if c[3])
        rows.append(f"| {s.source} | {s.file} | {len(s.expected)} | {found} | {s.recall:.2f} | "
                    f"{len(s.candidates)} | {real} | {s.precision:.2f} | {s.kinds_right} of {real} |")
    return "\n".join(rows)
