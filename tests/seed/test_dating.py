"""Dates written near a passage, resolved against the article's date as the seed does
(kg/seed/dating.py), and where a quote's pieces are in the raw text (Article.spans): what the
curation desk suggests and highlights. No database."""

from __future__ import annotations

import pytest

from kg.seed.dating import dates_in, dates_near
from kg.seed.texts import Article


@pytest.mark.parametrize(("words", "published", "value", "note"), [
    ("on March 2, 2030 it said", "2030-03-05", "2030-03-02", None),
    ("on 2 March 2030", None, "2030-03-02", None),
    ("a report of 2020-02-05", None, "2020-02-05", None),
    ("in May 2018", None, "2018-05", None),
    ("In 2019 it began", None, "2019", None),
    ("a trial in January", "2030-03-02", "2030-01", "the January before the article of 2030-03-02"),
    ("signed up in December", "2020-02-28", "2019-12", "the December before the article of 2020-02-28"),
    ("On Friday, police said", "2020-02-28", "2020-02-28", "the Friday on or before the article of 2020-02-28"),
    ("last Friday", "2020-02-28", "2020-02-21", "the Friday on or before the article of 2020-02-28"),
    ("said on Feb. 4 that", "2020-02-28", "2020-02-04", "the February before the article of 2020-02-28"),
    ("yesterday", "2020-03-01", "2020-02-29", "the day before the article of 2020-03-01"),
    ("last month", "2020-01-15", "2019-12", "the month before the article of 2020-01-15"),
    ("last year", "2020-01", "2019", "the year before the article of 2020-01"),
])
def test_words_give_a_date_with_its_precision(words: str, published: str | None, value: str,
                                              note: str | None) -> None:
    [found] = dates_in(words, published)
    assert (found.value, found.note) == (value, note)
    assert found.as_written in words


def test_relative_words_without_a_date_to_count_from_give_nothing() -> None:
    assert dates_in("a trial in January, on Friday, last month", None) == []
    assert dates_in("on Friday", "2020-02") == []  # which Friday of February is not known
    assert dates_in("February 30, 2020", None) == []


def test_the_passages_own_date_comes_first_then_the_nearest() -> None:
    text = "By A Writer. March 2, 2030\n\nThe police used it during a trial in January, records show."
    start = text.index("used it")
    found = dates_near(text, start, start + len("used it during a trial in January"), "2030-03-02")
    assert [(g.value, g.as_written) for g in found] == [("2030-01", "in January"), ("2030-03-02", "March 2, 2030")]


def test_a_quotes_pieces_are_found_in_the_raw_text() -> None:
    raw = "He said: “We looked at it\n  for two weeks” — and stopped.\n"
    article = Article("a.txt", raw)
    [(start, end)] = article.spans('"We looked at it for two weeks"')
    assert raw[start:end] == "We looked at it\n  for two weeks"
    pieces = article.spans("He said ... and stopped")
    assert [raw[s:e] for s, e in pieces] == ["He said", "and stopped"]
    assert article.spans("for three weeks") == []
