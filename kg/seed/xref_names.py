"""Names of actors, taken apart for `kg xref`: an organisation's name without its legal form (rigour,
OpenSanctions' name library) and without the words of police-service forms (a hand table: no library
knows "Regional Police Service"), with its initials; a person's name without titles and ranks, as a
surname and given names or their initials. Each kind of name has its similarity (rapidfuzz) with the
words that explain it, and its blocking keys: the tokens, initials, sounds (metaphone) and slips (a
letter left out) that two names of one actor are likely to share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler, Levenshtein
from rigour.names import remove_org_types, remove_person_prefixes
from rigour.text import ascii_text, metaphone

#: words of a police service's (or another public body's) name that say what kind of body it is, not
#: which: "Halton police", "HRPS" and "Halton Regional Police Service" are one service
POLICE_FORMS = frozenset("""
police polices policing service services ps pd rps rpd department dept force forces constabulary regional
region municipal city office bureau agency
""".split())  # noqa: SIM905 - a word list reads better as text
#: words that join the others ("Office of the Privacy Commissioner of Canada")
STOPWORDS = frozenset("of the and for de du des la le les d l at in on et".split())  # noqa: SIM905
#: what stands before (or in) a person's name without being it: titles, ranks, roles, suffixes
TITLES = frozenset("""
dr doctor prof professor mr mrs ms miss mx sir dame hon honourable rev chief deputy supt superintendent const
constable cst pc sgt sergeant insp inspector det detective staff acting interim commissioner former
spokesperson spokeswoman spokesman officer lt lieutenant capt captain cmdr commander jr sr ii iii
""".split())  # noqa: SIM905
_SPLIT = re.compile(r"[^a-z0-9]+")
_POSSESSIVE = re.compile(r"['’]s\b")


@lru_cache(maxsize=1 << 18)
def fold(text: str) -> str:
    """Lower-case ASCII words separated by one space: `Commission d'accès` -> `commission d acces`."""
    return " ".join(_SPLIT.split(ascii_text(_POSSESSIVE.sub("", text)).casefold())).strip()


@lru_cache(maxsize=1 << 18)
def sound(token: str) -> str:
    """The metaphone of a word (empty for a number or a short word)."""
    return metaphone(token) if len(token) >= 4 and token.isalpha() else ""


@lru_cache(maxsize=1 << 16)
def is_form(token: str) -> bool:
    """A police-service form word, or one letter off one ("Servce", "Regonal")."""
    if token in POLICE_FORMS:
        return True
    return len(token) >= 5 and any(abs(len(f) - len(token)) <= 1 and Levenshtein.distance(token, f) <= 1
                                   for f in POLICE_FORMS if len(f) >= 5)


@lru_cache(maxsize=1 << 16)
def is_title(token: str) -> bool:
    """A title, rank or role, or a long one a letter off ("Comissioner")."""
    if token in TITLES:
        return True
    return len(token) >= 6 and any(abs(len(t) - len(token)) <= 1 and Levenshtein.distance(token, t) <= 1
                                   for t in TITLES if len(t) >= 6)


def _acronym_of(words: list[str]) -> str:
    return "".join(w[0] for w in words if w and not w.isdigit())


@dataclass(frozen=True, slots=True)
class OrgName:
    """An organisation's (or a product's, a conference's) name taken apart."""

    text: str
    folded: str
    #: the words that say which body it is: without legal forms, police-service forms and stopwords
    core: tuple[str, ...]
    core_text: str
    #: its initials (`hrps`), and the name itself when it is written as initials (`HRPS`)
    acronyms: frozenset[str]
    #: the name is written as initials
    is_acronym: bool
    dropped: tuple[str, ...]
    #: all in lower case: a description ("the app", "city force"), not a name
    descriptive: bool


@lru_cache(maxsize=1 << 18)
def org_name(text: str, police: bool = True) -> OrgName:
    """`police`: drop the police-service forms too (organisations; not products or conferences)."""
    stripped = text.strip()
    is_acronym = bool(re.fullmatch(r"[A-Z][A-Z&.]{1,7}", stripped)) and sum(c.isalpha() for c in stripped) >= 2
    words = fold(text).split()
    without_legal = fold(remove_org_types(text)).split() or words
    meaningful = [w for w in without_legal if w not in STOPWORDS]
    core = tuple(w for w in meaningful if not (police and is_form(w))) or tuple(meaningful) or tuple(words)
    dropped = tuple(w for w in words if w not in core and w not in STOPWORDS)
    acronyms = set()
    if is_acronym:
        acronyms.add("".join(c for c in stripped.lower() if c.isalpha()))
    elif len(meaningful) >= 2:
        acronyms.add(_acronym_of(meaningful))
        if len(core) >= 2:
            acronyms.add(_acronym_of(list(core)))
    return OrgName(text, " ".join(words), core, " ".join(core), frozenset(a for a in acronyms if len(a) >= 2),
                   is_acronym, dropped, stripped == stripped.lower())


_DIGIT = re.compile(r"\d")


def _numbered(word: str) -> bool:
    """A word with a digit in it ("55", "con33") is a number or a code: only the same one matches."""
    return _DIGIT.search(word) is not None


def _near(x: str, y: str) -> bool:
    """One letter off, in words long enough for that to be a slip ("servce"), not codes or numbers."""
    return (len(x) >= 5 and len(y) >= 5 and abs(len(x) - len(y)) <= 1 and not _numbered(x) and not _numbered(y)
            and Levenshtein.distance(x, y) <= 1)


def _unmatched(xs: tuple[str, ...], ys: tuple[str, ...]) -> list[str]:
    """The words of `xs` that no word of `ys` spells (or nearly: one letter off in a long word)."""
    known = set(ys)
    return [x for x in xs if x not in known and not any(_near(x, y) for y in ys)]


def org_similarity(x: OrgName, y: OrgName, floor: float = 0.0) -> tuple[float, str]:
    """How alike two names of organisations are (0..1), and why, in words. Below `floor`, the words are
    not weighed (they only lower a score). A description ("the app") says less than a name: x0.6."""
    score, why = _org_similarity(x, y, floor)
    if (x.descriptive or y.descriptive) and score:
        return score * 0.6, why + (", a description, not a name" if why else "")
    return score, why


def _org_similarity(x: OrgName, y: OrgName, floor: float) -> tuple[float, str]:
    if x.folded == y.folded:
        return 1.0, f"{x.text!r} = {y.text!r}"
    for short, long in ((x, y), (y, x)):
        if short.is_acronym and not long.is_acronym and short.acronyms & long.acronyms:
            return 0.9, f"{short.text!r} is the initials of {long.text!r}"
    if x.core == y.core:
        forms = sorted({*x.dropped, *y.dropped})
        return 0.97, (f"{x.text!r} ~ {y.text!r}: the same once forms are set aside ({' '.join(x.core)}; "
                      f"set aside: {', '.join(forms) or 'nothing'})")
    score = fuzz.token_sort_ratio(x.core_text, y.core_text) / 100
    if score < floor:
        return score, ""
    extra_x, extra_y = _unmatched(x.core, y.core), _unmatched(y.core, x.core)
    why = f"{x.text!r} ~ {y.text!r}: {score:.2f}"
    numbers_x, numbers_y = [w for w in extra_x if _numbered(w)], [w for w in extra_y if _numbered(w)]
    if numbers_x and numbers_y:  # "Division 5" and "Division 55" are two
        score *= 0.3
        why += f", different numbers ({' '.join(numbers_x)} / {' '.join(numbers_y)})"
    elif extra_x and extra_y:
        score *= 0.7
        why += f", differing words ({' '.join(extra_x)} / {' '.join(extra_y)})"
    elif extra_x or extra_y:
        score *= 0.9
        why += f", words only one has ({' '.join(extra_x or extra_y)})"
    return score, why


@dataclass(frozen=True, slots=True)
class PersonName:
    text: str
    surname: str
    #: given names, or their initials (one letter)
    given: tuple[str, ...]
    titles: tuple[str, ...]


@lru_cache(maxsize=1 << 18)
def person_name(text: str) -> PersonName:
    raw = text.strip()
    if raw.count(",") == 1:  # "Cavoukian, Ann"
        last, first = raw.split(",")
        raw = f"{first} {last}"
    without = remove_person_prefixes(raw)
    words = fold(without).split()
    titles = [w for w in fold(raw).split() if w not in words] + [w for w in words if is_title(w)]
    words = [w for w in words if not is_title(w)] or words
    if not words:
        return PersonName(text, "", (), tuple(titles))
    return PersonName(text, words[-1], tuple(words[:-1]), tuple(titles))


def _given_pair(a: str, b: str) -> tuple[float, str] | None:
    """Two given names at the same place: how well they agree (None: they do not)."""
    if _numbered(a) or _numbered(b):
        return (1.0, f"the same {a}") if a == b else None
    if len(a) == 1 or len(b) == 1:
        if a[0] != b[0]:
            return None
        if len(a) == len(b):
            return 0.85, f"the same initial {a.upper()}."
        initial, full = (a, b) if len(a) == 1 else (b, a)
        return 0.9, f"{initial.upper()}. is the initial of {full.capitalize()}"
    return (1.0, f"the same given name ({a})") if a == b or fuzz.ratio(a, b) >= 85 else None


def _given(x: tuple[str, ...], y: tuple[str, ...]) -> tuple[float, str]:
    """Given names (or initials) compared place by place, as far as both go: a middle name one leaves
    out is no conflict, two that differ are."""
    if not x and not y:
        return 0.8, "no given name on either side"
    if not x or not y:
        return 0.75, f"a given name on one side only ({' '.join(x or y)})"
    score, said = 1.0, []
    for a, b in zip(x, y, strict=False):
        agreed = _given_pair(a, b)
        if agreed is None:
            return 0.25, f"given names differ ({' '.join(x)} / {' '.join(y)})"
        score = min(score, agreed[0])
        said.append(agreed[1])
    if len(x) != len(y):
        score = min(score, 0.95)
        said.append(f"a middle name on one side only ({' '.join((x if len(x) > len(y) else y)[min(len(x), len(y)):])})")
    return score, "; ".join(said)


def person_similarity(x: PersonName, y: PersonName) -> tuple[float, str]:
    """How alike two names of people are (0..1): the surnames, then the given names or their initials."""
    if not x.surname or not y.surname:
        return 0.0, "no name"
    # Jaro-Winkler forgives a slip inside a long name ("Cavoukain") but favours a shared start
    # ("Anderson" / "Andrews"); the edit ratio does not: their mean
    surname = (JaroWinkler.similarity(x.surname, y.surname) + fuzz.ratio(x.surname, y.surname) / 100) / 2
    if surname < 0.85:
        score = fuzz.token_sort_ratio(fold(x.text), fold(y.text)) / 100 * 0.5
        return score, f"{x.text!r} ~ {y.text!r}: surnames differ ({x.surname} / {y.surname})"
    factor, given = _given(x.given, y.given)
    titles = sorted({*x.titles, *y.titles})
    why = (f"{x.text!r} ~ {y.text!r}: surname {x.surname}" + (f" ~ {y.surname}" if x.surname != y.surname else "")
           + f"; {given}" + (f"; titles set aside: {', '.join(titles)}" if titles else ""))
    return factor * surname, why


def best_person(names: list[PersonName]) -> PersonName:
    """The name that says most: given names written out before initials, more of them before fewer."""
    return max(names, key=lambda n: (bool(n.surname), sum(len(g) > 1 for g in n.given), len(n.given)))


@lru_cache(maxsize=1 << 16)
def slips(token: str) -> tuple[str, ...]:
    """A long word and the word with each one of its letters left out: two words a slip apart (a letter
    left out, added or mistyped) share one of them ("facebook" and "faceook"), where their sounds may
    not. Short words and codes have none (a letter matters there)."""
    if len(token) < 5 or not token.isalpha():
        return ()
    return tuple(dict.fromkeys([token, *(token[:i] + token[i + 1:] for i in range(len(token)))]))


def org_keys(names: list[OrgName], group: str) -> set[str]:
    keys: set[str] = set()
    for n in names:
        for token in n.core:
            if len(token) >= 3 or token.isdigit():
                keys.add(f"{group}:t:{token}")
                if sound(token):
                    keys.add(f"{group}:p:{sound(token)}")
                keys.update(f"{group}:d:{slip}" for slip in slips(token))
        keys.update(f"{group}:a:{a}" for a in n.acronyms)
        if n.is_acronym:
            keys.update(f"{group}:t:{a}" for a in n.acronyms)
        if len(n.core) > 1:
            keys.add(f"{group}:c:{' '.join(sorted(n.core))}")
    return keys


def person_keys(names: list[PersonName], group: str) -> set[str]:
    keys: set[str] = set()
    for n in names:
        if not n.surname:
            continue
        keys.add(f"{group}:s:{n.surname}")
        if sound(n.surname):
            keys.add(f"{group}:sp:{sound(n.surname)}")
        keys.update(f"{group}:sd:{slip}" for slip in slips(n.surname))
        if n.given:
            keys.add(f"{group}:si:{n.surname}:{n.given[0][0]}")
        keys.update(f"{group}:g:{g}" for g in n.given if len(g) >= 3 or g.isdigit())
    return keys
