"""Names in an article's text: the candidate actors `kg source add` lists, and matching an office
as the article writes it to the registry's official name.

A heuristic, not a trained model (docs/seed-format.md, "How good the candidates are", says what was
weighed): runs of capitalised words, joined by "of", "of the" and, where the run names one thing,
"and" or "for"; cut at punctuation, at a paragraph and after a possessive. Each run is cleaned and
given a kind from cues in and around it:

- **person**: after a title ("Const.", "Supt.", "Deputy Chief", "Commissioner", "spokesperson",
  which is dropped from the name), or two or three plain capitalised words with no organisation
  word, no place and no "the" before them;
- **organisation**: an organisation word ("Police", "Service", "Commission", "Ministry", "Office",
  "Unit", "Inc", a newspaper's "Times", "Star", "Post" ...), an acronym ("RCMP", "Clearview AI"),
  a web address ("CTVNews.ca"), a name written "the X", or a place followed by an office in lower
  case, as articles write them: "Halton police", "Ontario police services", "Alberta's privacy
  commissioner";
- **place**: a small gazetteer of Canadian provinces, cities and regions, and a few countries and
  cities elsewhere.

Variants are one candidate: the same name in capitals ("EDMONTON") or with a possessive
("Clearview's"), a surname alone beside the full name ("Bergen", "Frank Bergen"), a name with and
without its title, and a first word alone beside the only longer name it starts ("Clearview",
"Clearview AI"). Months and days ("Feb.", "Thursday"), common words, demonyms ("Canadian") and a
word that is capitalised only where a sentence starts ("Critical questions remain") are no names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from kg.seed.texts import Article

PERSON, ORGANISATION, PLACE = "person", "organisation", "place"

def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_MONTHS = _set("""january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday
mon tue tues wed thu thur thurs fri sat sun""")
#: words that start sentences or quotes, never names by themselves
_COMMON = _set("""a an the this that these those it its it's he she they we you i i'm i've i'd i'll we're we've
you're they're he's she's there there's here what who whom whose why how when where which while whether
his her hers their theirs our ours my mine your yours him them us me in on at of for to from by with and but or
nor so yet if as also after before however though although because since until unless than then now once
still just even only not no yes ok okay hey well oh please let let's that's what's who's wouldn't couldn't
shouldn't don't doesn't didn't isn't aren't wasn't weren't won't can't cannot into onto over under about above
below between through throughout during without within among around across against along beyond near nearby
behind beside besides despite toward towards upon via per all any each every some many much more most few
several both either neither other another such one two three four five six seven eight nine ten first second
third last next earlier later meanwhile instead indeed perhaps maybe someone somebody something anyone
anybody anything everyone everybody everything nobody nothing none today yesterday tomorrow tonight""")
_DEMONYMS = _set("""canadian canadians american americans ontarian ontarians albertan albertans british
english french quebecer quebecers quebecois québécois european europeans torontonian torontonians
edmontonian edmontonians indigenous""")

#: titles before a person's name, dropped from it (lower case, without their full stop)
_TITLES = _set("""const constable cst cpl corporal sgt sergeant supt superintendent insp inspector det
detective chief deputy commissioner mayor premier minister councillor coun sen senator judge justice dr mr mrs
ms mx prof professor spokesperson spokesman spokeswoman lt capt captain sheriff officer staff acting
assistant director president criminologist reporter lawyer""")
#: of those, the ones that head an office when a name comes before them ("Privacy Commissioner")
_OFFICE_TITLES = _set("commissioner minister ombudsman director president")
_ABBREVIATIONS = _set("""const cst cpl sgt supt insp det dr mr mrs ms mx prof lt capt coun sen st mt ft jr sr
inc corp ltd co jan feb mar apr jun jul aug sep sept oct nov dec""")
_ORG_WORDS = _set("""police service services commission commissioner ministry department office inc corp corporation
ltd llc co company companies university college school association agency council bureau court unit force
division branch board government committee institute foundation centre center group network society
coalition alliance union federation party club league authority tribunal program programme initiative
project bank hospital church news times star post globe mail press gazette herald journal tribune observer
sun review magazine radio television tv channel media studios labs technologies systems solutions ai""")
#: lower-case offices after a place ("Halton police", "Alberta's privacy commissioner")
_OFFICE_AFTER = re.compile(
    r"\s+((?:regional |municipal |provincial )?police(?: services| service| force| department| board)?"
    r"|(?:information and )?privacy commissioner|privacy commission|service|government)(?![\w'])"
    r"(?!\s+(?:chief|deputy|spokes\w+|constable|commander|superintendent|sergeant|inspector)\b)")
_CONNECTORS = _set("of and for de du des la le van von der den di da del")
_PLACES = frozenset(p.lower() for p in """
Canada|Alberta|Alta.|British Columbia|B.C.|BC|Manitoba|Man.|New Brunswick|N.B.|Newfoundland|
Newfoundland and Labrador|Labrador|N.L.|Nova Scotia|N.S.|Ontario|Ont.|Prince Edward Island|P.E.I.|Quebec|Québec|
Que.|Saskatchewan|Sask.|Yukon|Northwest Territories|N.W.T.|Nunavut|Toronto|Montreal|Montréal|Vancouver|
Calgary|Edmonton|Ottawa|Winnipeg|Hamilton|Halifax|Victoria|Regina|Saskatoon|Quebec City|London|Windsor|
Kitchener|Waterloo|Guelph|Oshawa|Barrie|Kingston|Sudbury|Thunder Bay|Brampton|Mississauga|Markham|Surrey|
Burnaby|Richmond|Gatineau|Laval|Longueuil|Sherbrooke|Moncton|Fredericton|Saint John|St. John's|
Charlottetown|Whitehorse|Yellowknife|Iqaluit|Lethbridge|Red Deer|Kelowna|Kamloops|Nanaimo|Halton|Peel|York|
Durham|Niagara|Niagara Falls|St. Catharines|Oakville|Burlington|Milton|Brantford|Peterborough|Belleville|
Cornwall|United States|U.S.|US|USA|America|United Kingdom|U.K.|UK|Britain|England|Scotland|Wales|Ireland|
Australia|New Zealand|France|Germany|China|India|Japan|Russia|Mexico|Europe|Asia|Africa|New York|
Washington|Chicago|Los Angeles|San Francisco|San Diego|Seattle|Boston|Detroit|Paris|Berlin|Beijing|Sydney
""".replace("\n", "").split("|"))

_TOKEN = re.compile(r"[^\W_](?:[\w&@-]|['.](?=[^\W_]))*\.?'?")
_DATELINE = re.compile(r"\s*(?:\(\w+\)\s*)?(?:-+|:)\s")
_SPEECH = re.compile(r"\s+(?:said|says|asked|told|wrote|added|commented|explained|noted|stated)\b")


@dataclass
class _Token:
    text: str  # as written, without a possessive or a full stop ending its sentence
    start: int
    end: int
    initial: bool  # starts a sentence, a quote, a heading or a paragraph
    possessive: bool = False
    stop: bool = False  # a full stop (not an abbreviation's) ends its sentence after it

    @property
    def cap(self) -> bool:
        return self.text[0].isupper()

    @property
    def lower(self) -> str:
        return self.text.lower().rstrip(".")


def _clean(word: str) -> tuple[str, bool, bool]:
    """A token without its possessive and the full stop after it: (word, possessive, ends a sentence)."""
    possessive = False
    if word.endswith("'s") or word.endswith("'S"):
        word, possessive = word[:-2], True
    elif word.endswith("'") and len(word) > 1 and word[-2] in "sS":
        word, possessive = word[:-1], True
    elif word.endswith("'"):
        word = word[:-1]
    stop = False
    if word.endswith(".") and not possessive:
        bare = word[:-1].lower()
        if not (bare in _ABBREVIATIONS or "." in bare or (len(bare) == 1 and word[0].isupper())):
            word, stop = word[:-1], True  # "revealed." -- "B.C.", "Const.", "Feb." and "J." keep theirs
    return word, possessive, stop


def _tokens(article: Article) -> list[_Token]:
    text = article.text
    out: list[_Token] = []
    for match in _TOKEN.finditer(text):
        word, possessive, stop = _clean(match.group(0))
        if not word:
            continue
        if out:
            prev = out[-1]
            gap = text[prev.end:match.start()]
            initial = (prev.stop or bool(re.search(r"[.!?:;\"'(\[/]|\s-+\s|^-+\s", gap))
                       or _paragraph(article, prev.end, match.start()))
        else:
            initial = True
        out.append(_Token(word, match.start(), match.start() + len(match.group(0)), initial, possessive, stop))
    return out


def _paragraph(article: Article, before: int, at: int) -> bool:
    """Whether the text starts a new paragraph or follows a heading at `at` (a line that ends a
    sentence, or a short line, before it); a line broken inside a sentence (as in a PDF) is no break."""
    prev, line = article.line_at(max(before - 1, 0)), article.line_at(at)
    if line == prev:
        return False
    if line - prev > 1:
        return True
    ended = article.raw_lines[prev - 1].rstrip() if prev - 1 < len(article.raw_lines) else ""
    return not ended or ended[-1] in ".!?:\"')" or len(ended) < 50


@dataclass
class _Found:
    """One candidate: its name as shown, its kind, and where and how it was written."""

    name: str
    kind: str
    line: int
    strong: bool = False  # whether a strong cue gave the kind (see _kind)
    cues: set[str] = field(default_factory=set)
    forms: list[str] = field(default_factory=list)


def _spans(tokens: list[_Token], text: str) -> Iterable[list[_Token]]:
    """Runs of capitalised tokens, joined by connectors that stay inside one name."""
    i = 0
    while i < len(tokens):
        if not tokens[i].cap:
            i += 1
            continue
        run = [tokens[i]]
        j = i + 1
        while j < len(tokens) and not run[-1].possessive and not run[-1].stop:
            tok = tokens[j]
            if text[run[-1].end:tok.start] != " " or tok.initial:
                break
            if tok.cap:
                run.append(tok)
                j += 1
                continue
            joined = _connect(run, tokens, j, text)
            if not joined:
                break
            run.extend(joined)
            j += len(joined)
        yield run
        i = j


def _connect(run: list[_Token], tokens: list[_Token], j: int, text: str) -> list[_Token]:
    """The connector tokens and the capitalised token after them that continue `run`, if they do."""
    words: list[_Token] = []
    k = j
    while k < len(tokens) and tokens[k].lower in (_CONNECTORS | {"the"}) and not tokens[k].cap:
        if text[tokens[k - 1].end:tokens[k].start] != " ":
            return []
        words.append(tokens[k])
        k += 1
    if not words or k >= len(tokens) or not tokens[k].cap or text[tokens[k - 1].end:tokens[k].start] != " ":
        return []
    kinds = [w.lower for w in words]
    nxt = tokens[k]
    if kinds in (["of"], ["of", "the"], ["de"], ["du"], ["des"], ["la"], ["le"], ["van"], ["von"], ["der"],
                 ["van", "der"], ["von", "der"], ["di"], ["da"], ["del"], ["de", "la"]):
        return [*words, nxt]
    if kinds == ["for"] and run[-1].lower in _ORG_WORDS - {"news", "times", "star", "post", "observer"}:
        return [*words, nxt]  # "Commissioner for British Columbia", not "Observer for the Initiative"
    if kinds == ["and"]:
        # one name ("Globe and Mail", "Information and Privacy Commission"), not two ("Twitter and Google")
        rest = [nxt]
        m = k + 1
        while m < len(tokens) and tokens[m].cap and text[tokens[m - 1].end:tokens[m].start] == " " \
                and not rest[-1].possessive and not rest[-1].stop and rest[-1].lower not in _OFFICE_TITLES:
            rest.append(tokens[m])  # up to an office's title: "Information and Privacy Commissioner Brian Beamish"
            m += 1
        before = text[max(0, run[0].start - 4):run[0].start].lower()
        one_name = rest[-1].lower in _ORG_WORDS and run[-1].lower not in _ORG_WORDS
        if one_name or (len(run) == 1 and len(rest) == 1 and before.endswith("the ")):
            return [*words, nxt]
    return []


def _title_split(run: list[_Token]) -> tuple[list[_Token], list[_Token], list[_Token]]:
    """(what comes before a title, the title, the name after it): "Toronto" "Chief" "Mark Saunders"."""
    for i in range(len(run) - 1, -1, -1):
        if run[i].lower in _TITLES and i + 1 < len(run) and all(t.lower not in _TITLES for t in run[i + 1:]):
            start = i
            while start > 0 and run[start - 1].lower in _TITLES:
                start -= 1
            if all(t.cap for t in run[i + 1:]) and run[i + 1].lower not in _ORG_WORDS:
                return run[:start], run[start:i + 1], run[i + 1:]
    return run, [], []


def _plural(word: str) -> bool:
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))


def _show(run: list[_Token], text: str) -> str:
    return text[run[0].start:run[-1].start] + run[-1].text if run else ""


def _key(name: str) -> str:
    """A name as candidates are told apart: lower case, without possessives, a leading "the" or a
    company's "Inc." ("Clearview AI's", "Clearview AI Inc." and "CLEARVIEW AI" are one)."""
    text = unicodedata.normalize("NFKC", name).replace("\u2019", "'").lower()
    text = re.sub(r"(?<=\w)'s?(?=\s|$)", "", text)
    text = re.sub(r"^the\s+", "", re.sub(r"\s+", " ", text).strip())
    return re.sub(r",?\s+(?:inc|corp|ltd|llc|co)\.?$", "", text)


def _kind(run: list[_Token], text: str, before: str) -> tuple[str, bool]:
    """The kind a run's words and the words before it suggest, and whether the cue is a strong one
    (a place of the gazetteer, an organisation's word, an acronym, a web address)."""
    words = [t.lower for t in run]
    if _show(run, text).lower() in _PLACES:
        return PLACE, True
    if (any(w in _ORG_WORDS for w in words) or any(t.text.isupper() and len(t.text) > 1 for t in run)
            or any("." in t.text.rstrip(".") and not t.text.isupper() for t in run)):
        return ORGANISATION, True
    if any(w in ("of", "and", "for") for w in words) or words[0] == "the" or before.endswith("the "):
        return ORGANISATION, False
    if 2 <= len(run) <= 3 and all(t.cap and not t.text.isupper() for t in run):
        return PERSON, False
    return ORGANISATION, False


def candidate_names(article: Article, known: Iterable[str]) -> list[tuple[str, int, str]]:
    """Names in the text that match no known name: (name, first line, kind: person, organisation
    or place). Known names are matched as `_key` writes them, and an office in the article's own
    words to the official name that holds all its words ("Ontario privacy commissioner")."""
    text = article.text
    tokens = _tokens(article)
    lower_words = {t.lower for t in tokens if not t.cap}
    capital_inside = {t.lower for t in tokens if t.cap and not t.initial}
    found: dict[str, _Found] = {}
    order: list[str] = []

    def add(run: list[_Token], kind: tuple[str, bool], cue: str) -> None:
        name = _show(run, text)
        key = _key(name)
        if not key:
            return
        if cue == "dateline":
            name = name.title()  # "Edmonton", not the dateline's "EDMONTON"
        if key not in found:
            found[key] = _Found(name, kind[0], article.line_at(run[0].start), strong=kind[1])
            order.append(key)
        got = found[key]
        got.cues.add(cue)
        got.forms.append(name)
        if got.name.isupper() and not name.isupper():
            got.name = name
        if kind[1] and not got.strong:
            got.kind, got.strong = kind  # a title, an organisation's word or a place says more than a guess

    for run in _spans(tokens, text):
        while run and (run[0].lower in _COMMON or run[0].lower in _MONTHS) and not (
                run[0].text == "The" and not run[0].initial and len(run) > 1):
            run = run[1:]  # "However Bergen" -> "Bergen"; "The Current" mid-sentence keeps its "The"
        while run and (run[-1].lower in _MONTHS or run[-1].lower in _CONNECTORS or run[-1].lower == "the"):
            run = run[:-1]
        if len(run) > 2 and run[0].initial and run[1].lower in _CONNECTORS and (
                run[0].lower in lower_words or (_plural(run[0].lower) and run[0].lower not in capital_inside)):
            run = run[1:]  # "Members of the Hamilton Police Service": an ordinary word that starts the sentence
            while run and (run[0].lower in _CONNECTORS or run[0].lower == "the"):
                run = run[1:]
        if not run:
            continue
        before = text[max(0, run[0].start - 30):run[0].start].lower()
        lead, title, name = _title_split(run)
        if name:
            if lead:
                lead_name = _show(lead, text).lower()
                if lead_name in _PLACES or title[-1].lower not in _OFFICE_TITLES:
                    add(lead, _kind(lead, text, before), "lead")
                else:
                    add([*lead, *title], (ORGANISATION, True), "office")
            add(name, (PERSON, True), "titled")
            continue
        if len(run) == 1 and run[0].lower in (_DEMONYMS | _TITLES | _COMMON):
            continue
        if len(run) == 1 and run[0].text.isupper() and run[0].initial and _DATELINE.match(text, run[0].end):
            add(run, (PLACE, True), "dateline")  # "LAKESHORE -- The ..."
            continue
        if len(run) == 1 and run[0].initial:
            cue = "initial"
            if _SPEECH.match(text, run[0].end):
                cue = "speaks"
        else:
            cue = "inside"
        add(run, _kind(run, text, before), cue)
        office = _OFFICE_AFTER.match(text, run[-1].end)
        if office and (len(run) == 1 or _show(run, text).lower() in _PLACES):
            whole = _Token(text[run[0].start:office.end()], run[0].start, office.end(), run[0].initial)
            add([whole], (ORGANISATION, True), "office")

    merged = _merge(found, order, lower_words)
    known_keys = {_key(k) for k in known}
    known_words = {w for k in known_keys for w in k.split()}
    out = []
    for key in merged:
        got = found[key]
        if key in known_keys or office_match(got.name, known_keys) is not None:
            continue
        if got.kind == PLACE and key in known_words:
            continue  # a word of a known name ("Edmonton" of "Edmonton Police Service"): its jurisdiction
        if " " not in key and any(k.split()[-1:] == [key] for k in known_keys):
            continue  # the surname of a known person
        out.append((got.name, got.line, got.kind))
    return out


def _merge(found: dict[str, _Found], order: list[str], lower_words: set[str]) -> list[str]:
    """The keys to list, variants folded into the candidate they are a form of."""
    people = [k for k in order if found[k].kind == PERSON and " " in k]
    longer = [k for k in order if " " in k]
    out = []
    for key in order:
        got = found[key]
        if " " not in key and got.kind != PLACE:
            surnames = [p for p in people if p.split()[-1] == key]
            starts = [k for k in longer if k.split()[0] == key and found[k].kind != PLACE]
            into = surnames if len(surnames) == 1 else starts if len(starts) == 1 and not surnames else []
            if into:
                found[into[0]].line = min(found[into[0]].line, got.line)
                continue  # "Bergen" beside "Frank Bergen", "Clearview" beside "Clearview AI"
            if got.cues <= {"initial"} and (key in lower_words or not got.name.isupper()):
                continue  # capitalised only where a sentence starts: "Critical questions remain"
        out.append(key)
    return out


_OFFICE_STOP = _set("of the and for 's")
#: the words that make a name an office (not "Ontario police", which may be the provincial police)
_OFFICE_HEADS = _set("""commissioner commission ministry minister office ombudsman ombudsperson department
branch division unit board council court agency bureau tribunal authority""")


def _office_words(name: str) -> str:
    return " ".join(w for w in _key(name).replace("'", " ").split() if w not in _OFFICE_STOP)


def office_match(name: str, official: Iterable[str], owner: Callable[[str], str] | None = None) -> str | None:
    """The official name of `official` that holds every word of `name`, an office in an article's
    own order ("the Ontario privacy commissioner" and "Information and Privacy Commissioner of
    Ontario"), or None. Token-set matching (rapidfuzz), of names of two words or more with an
    office's word ("commissioner", "ministry", "office", "unit" ...) once "of", "the", "and" and
    possessives are left out. Every name that holds them must be one body's (`owner` says whose a
    name is; without it, each name is its own): "Information and Privacy Commissioner" alone names
    neither Ontario's nor Alberta's. Of that body's names, the one with the fewest words more."""
    words = _office_words(name)
    if len(words.split()) < 2 or not _OFFICE_HEADS & set(words.split()):
        return None
    holders: list[tuple[int, str]] = []
    for other in official:
        their = _office_words(other)
        if fuzz.token_set_ratio(words, their) == 100 and set(words.split()) <= set(their.split()):
            holders.append((len(their.split()) - len(words.split()), other))
    whose = owner or (lambda n: n)
    if not holders or len({whose(n) for _extra, n in holders}) > 1:
        return None
    return min(holders)[1]
