"""Benchmark: the candidate actors `kg source add` lists, against the seed's own articles.

    KG_TEXTS=../shared/sources .venv/bin/python bench/candidates.py            # the table
    KG_TEXTS=../shared/sources .venv/bin/python bench/candidates.py --list     # and every candidate

With the registry emptied, each seed source's text goes through `kg.seed.curate.candidate_names`;
recall is the share of the article's actors (named in its text) that a candidate finds, precision
the share of candidates that are actors of the seed. kg/seed/measure.py says exactly how names are
matched; docs/seed-format.md ("How good the candidates are") has the numbers of the last run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg.seed.measure import measure, table
from kg.seed.texts import texts_dir

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=Path, default=ROOT / "seed", help="the seed folder")
    parser.add_argument("--texts", type=Path, default=None, help="the texts folder (default KG_TEXTS)")
    parser.add_argument("--list", action="store_true", help="print every candidate and what it matched")
    args = parser.parse_args(argv)
    folder = texts_dir(args.texts)
    if folder is None:
        print("candidates: no texts folder (give --texts DIR or set KG_TEXTS)", file=sys.stderr)
        return 1
    scores = measure(args.seed, folder)
    print(table(scores))
    if args.list:
        for s in scores:
            print(f"\n{s.source} ({s.file}): missed {', '.join(s.missed) or 'none'}")
            for name, kind, line, hits in s.candidates:
                print(f"  line {line:3}  {name:45} {kind or '-':13} {', '.join(hits) or 'NOT AN ACTOR'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
