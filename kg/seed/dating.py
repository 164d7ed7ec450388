"""Dates written near a passage of an article, resolved against its publication date as the seed
does (kg/seed/model.py, docs/seed-format.md "Dates"): the ISO value with its precision, the words
as written, and a note saying how relative words were resolved. The curation desk offers them; a
person chooses (a date of the events is often not the article's)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from kg.seed.model import check_iso

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH = r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|" \
         r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_PATTERNS = [  # most precise first; a later pattern never matches inside an earlier one's words
    ("day", re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}\b")),
    ("day", re.compile(rf"\b(?P<day>\d{{1,2}})\s+{_MONTH}\s+{_YEAR}\b")),
    ("iso", re.compile(r"\b(?P<iso>(?:19|20)\d{2}-\d{2}(?:-\d{2})?)\b")),
    ("month_year", re.compile(rf"\b{_MONTH}\s+(?:of\s+)?{_YEAR}\b")),
    ("month_day", re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b")),
    ("month", re.compile(r"\b(?i:in|last|this|since|until|by|early|late|mid-?|of)\s+(?P<month>January|February|"
                         r"March|April|May|June|July|August|September|October|November|December)\b")),
    ("year", re.compile(rf"\b(?i:in|since|until|by|of|early|late|during)\s+{_YEAR}\b")),
    ("weekday", re.compile(r"\b(?:(?i:on|last)\s+)?(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
                           r"Sunday)\b")),
    ("relative", re.compile(r"\b(?P<rel>yesterday|today|last week|last month|last year|this year|this month|"
                            r"a week (?:earlier|ago)|a month (?:earlier|ago)|a year (?:earlier|ago))\b",
                            re.IGNORECASE)),
]


@dataclass(frozen=True)
class DateGuess:
    """A date the words near a passage give: `value` (ISO, its precision), `as_written`, and `note`
    when it was resolved against the publication date; `start` is where the words are in the text."""

    value: str
    as_written: str
    note: str | None
    start: int

    @property
    def relative(self) -> bool:
        return self.note is not None


def _month(name: str) -> int:
    return next(i for i, m in enumerate(MONTHS, 1) if m.startswith(name.lower().rstrip(".")[:3]))


def _published(published: str | None) -> tuple[int, int | None, int | None] | None:
    if not published:
        return None
    parts = [int(p) for p in check_iso(published).split("-")]
    return parts[0], parts[1] if len(parts) > 1 else None, parts[2] if len(parts) > 2 else None


def resolve(kind: str, match: re.Match[str], published: str | None) -> tuple[str, str | None] | None:
    """(ISO value, note) for one match, or None when the words cannot be dated (a relative date with
    no publication date to count from, or a date that does not exist)."""
    groups = match.groupdict()
    pub = _published(published)
    try:
        if kind == "iso":
            return check_iso(groups["iso"]), None
        if kind == "day":
            return date(int(groups["year"]), _month(groups["month"]), int(groups["day"])).isoformat(), None
        if kind == "month_year":
            return f"{int(groups['year']):04d}-{_month(groups['month']):02d}", None
        if kind == "year":
            return groups["year"], None
        if pub is None:
            return None
        year, month, day = pub
        if kind in ("month", "month_day"):
            wanted = _month(groups["month"])
            # the latest such month not after the article (a report of "in January" in March is this January)
            in_year = year if month is None or wanted <= month else year - 1
            note = f"the {MONTHS[wanted - 1].title()} before the article of {published}"
            if kind == "month_day":
                return date(in_year, wanted, int(groups["day"])).isoformat(), note
            return f"{in_year:04d}-{wanted:02d}", note
        if kind == "weekday":
            if month is None or day is None:
                return None
            when = date(year, month, day)
            back = (when.weekday() - WEEKDAYS.index(groups["weekday"].lower())) % 7
            if match.group(0).lower().startswith("last") and back == 0:
                back = 7
            return (when - timedelta(days=back)).isoformat(), \
                f"the {groups['weekday']} on or before the article of {published}"
        words = groups["rel"].lower()
        if words in ("last year", "a year earlier", "a year ago"):
            return f"{year - 1:04d}", f"the year before the article of {published}"
        if words == "this year":
            return f"{year:04d}", f"the year of the article of {published}"
        if month is None:
            return None
        if words in ("last month", "a month earlier", "a month ago"):
            y, m = (year, month - 1) if month > 1 else (year - 1, 12)
            return f"{y:04d}-{m:02d}", f"the month before the article of {published}"
        if words == "this month":
            return f"{year:04d}-{month:02d}", f"the month of the article of {published}"
        if day is None:
            return None
        when = date(year, month, day)
        if words == "today":
            return when.isoformat(), f"the day of the article of {published}"
        if words == "yesterday":
            return (when - timedelta(days=1)).isoformat(), f"the day before the article of {published}"
        # "last week", "a week earlier": which day is not said; the month of a week before stays true
        earlier = when - timedelta(days=7)
        return f"{earlier.year:04d}-{earlier.month:02d}", f"a week before the article of {published}: its month"
    except (ValueError, StopIteration):
        return None


def dates_in(text: str, published: str | None) -> list[DateGuess]:
    """Every date `text` writes that can be dated, in the order of the text."""
    found: list[DateGuess] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            resolved = resolve(kind, match, published)
            if resolved is None:
                continue
            taken.append((match.start(), match.end()))
            found.append(DateGuess(resolved[0], match.group(0).strip(), resolved[1], match.start()))
    return sorted(found, key=lambda g: g.start)


def dates_near(text: str, start: int, end: int, published: str | None, reach: int = 400,
               limit: int = 5) -> list[DateGuess]:
    """The dates written in the passage `text[start:end]` and within `reach` characters of it, the
    passage's own first, then by distance, at most `limit`, one per value and words."""
    low, high = max(0, start - reach), min(len(text), end + reach)
    guesses = [DateGuess(g.value, g.as_written, g.note, g.start + low)
               for g in dates_in(text[low:high], published)]

    def distance(g: DateGuess) -> int:
        return 0 if start <= g.start < end else min(abs(g.start - start), abs(g.start - end))

    out: list[DateGuess] = []
    seen: set[tuple[str, str]] = set()
    for guess in sorted(guesses, key=distance):
        if (guess.value, guess.as_written) not in seen:
            seen.add((guess.value, guess.as_written))
            out.append(guess)
    return out[:limit]
