"""Find the places an article names: spans of its original text resolved to places.

Matching
--------
The text is folded character by character (:func:`geo.world.fold`: lower case, no
diacritics, curly quotes and dashes unified) so that every offset in the folded text is an
offset in the original.  One Aho-Corasick automaton per gazetteer (built once, cached)
finds every curated name in one pass; world names are looked up in the world index word
by word from each capitalised word.  A match counts only on word boundaries
(Unicode-aware), so "Aleppo’s" yields "Aleppo" and "US-led" yields "US", but "Omanis"
never yields "Oman".  Overlapping matches are settled longest first; on equal spans an
institution beats a curated place, which beats a world place.  What the world index says
about a name is worked out once per process, not once per article.

Case and context rules
----------------------
- Curated names match in any case unless the gazetteer spells them with capitals, in
  which case the text must capitalise the name too.
- World names must be written as proper nouns (capitalised words; connectors such as
  "de" or "al" may stay lower case); abbreviations ("US", "U.S.", "UK") only in capitals.
  All-capital words ("MOSCOW," in a dateline) count for countries, regions and towns of
  50,000 people or more.
- Institutions that are named after a building or a place ("White House", "Kremlin",
  "Pentagon", "State Department") and news agencies ("Interfax", "TASS") are no place.
- A world name right after another capitalised word that is no place ("John Kerry",
  "Michael Jordan") is part of a person's or an organisation's name; so is every other
  occurrence of that word in the text.  A name in quotation marks ("discussion club
  “Valdai”") or after a word like "club" is a name of something else.
- World names that are also common English words ("Reading", "Mobile", "Of") need
  evidence: a preposition of place before them or a place after a comma.
- Demonyms ("Syrian", "Russians") name their country, with lower confidence.
- A world name that only begins a longer name ("Pearl Harbor", "Rogers Centre", "Niger
  Delta", "French Quarter") or is the head word after a capitalised one ("West Wing",
  "Fire Island") is no place unless the index knows the whole name: a natural feature
  never stands for its namesake, a street or venue not for a small town.
- "X County" and "County of X" are a county called X (the world index files them by
  bare name) or nothing, never a town called X.

Generic features
----------------
A phrase that names a kind of feature without naming the feature ("humanitarian
corridors", "the 1st and 6th corridors", "six corridors") stands, with moderate
confidence, for every corridor of the gazetteer that lies in or within 15 km of the city
the sentence names (or, when it names none, the city the document names most): one
mention per corridor, all with the same span.  No corridor there, no mention.  These
mentions are not names, so :func:`find_mentions` returns them only when asked
(``features=True``); :func:`find_article_mentions` does by default.  So is a part of a
city named by its direction alone ("the western areas", "the eastern districts"): the
gazetteer's part of the city its paragraph last named in that direction ("western
Aleppo"), found from the parts' names (``[city_part]`` in ``rules/places.toml``).

Disambiguation
--------------
Curated places beat world places.  Among candidates for one name the score adds
population (log scale), the kind (countries first), whether the candidate lies in a
country the document names elsewhere, how near it is to the document's unambiguous
places, and a qualifier after a comma ("Geneva, New York"; "Amman, Jordan") which
restricts the candidates to places inside the qualifying region or country.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

import ahocorasick
import pyproj
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.gazetteer import Gazetteer
from geo.lexicon import load_rules
from geo.models import Article, Mention, Place
from geo.world import WorldIndex, bare_key, fold, name_key

__all__ = ["article_spans", "find_article_mentions", "find_feature_mentions", "find_mentions"]

# Institutions and agencies whose names are, or contain, a place name.
INSTITUTIONS: tuple[str, ...] = (
    "White House",
    "Kremlin",
    "Pentagon",
    "State Department",
    "Department of State",
    "Downing Street",
    "Capitol Hill",
    "Elysee Palace",
    "Elysee",
    "Foggy Bottom",
    "Whitehall",
    "Quai d'Orsay",
    "Interfax",
    "TASS",
    "RIA Novosti",
    "Xinhua",
    "Al Jazeera",
    "Wall Street",
    "Scotland Yard",
    "Vatican Radio",
    "Congress",
    "Broadway",
)

# Words that are English first and place names second (GeoNames has towns called "Of",
# "Reading", "Mobile", "Nice"): a world place needs evidence when its name is one.
COMMON_WORDS: frozenset[str] = frozenset(
    """
    a about above across after again against all also am an and any are around as at
    away back be because been before being below best between both but by can come
    could day days did do does down during each early east even ever every few first
    for from further had has have he her here high his how however i if in into is it
    its just last late less like little long low made make many may might more most
    much must my near new next no nor north not now of off old on once one only or
    other our out over own per said same say says see shall she should since so some
    south still such than that the their them then there these they this those though
    through to too under until up upon us very was way we well were west what when
    where which while who whom why will with within without would yet you your
    january february march april june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday
    morning evening night week month year spring summer autumn fall winter christmas
    easter independence liberty victory hope unity union justice peace freedom progress
    mobile reading split nice bath delta alpha omega police army navy guard power
    energy university college school church hospital centre center market park garden
    bridge mill lake river beach bay harbour harbor port island valley mount hill rock
    stone wood woods field fields green white black red blue brown gray grey gold
    silver iron star sun moon sky rose home house hall tower castle palace camp base
    station airport government president minister general major governor mayor king
    queen prince princess lord bishop chief judge senator secretary spokesman court
    council congress parliament senate ministry office department agency party press
    news times post media world state states city town village county district region
    local lga estate
    province street road avenue square man woman people family love life time deal
    trade service health care aid help support security defense defence forces force
    troops rebels official officials source sources report reports social online
    video photo music film game games team club league cup final match win race sport
    sports student business company bank money price law rule order case trial prison
    war battle fight strike bomb fire flood storm death dead killed free liberal
    republic democrat democratic federal royal national international central eastern
    western northern southern upper lower middle great grand little big good bad
    young chance commerce industry enterprise friendship harmony concord providence
    paradise eden heaven hell normal surprise truth opportunity plenty comfort content
    welcome why success advance ideal equality marathon olympia phoenix atlas orange
    lemon cherry apple banana pepper cotton sugar salt coal oil gas water
    """.split()
)

# Words that never name a world place on their own: months, weekdays, function words.
NEVER_PLACES: frozenset[str] = frozenset(
    """
    january february march april may june july august september october november
    december monday tuesday wednesday thursday friday saturday sunday of the and or
    but if to in on at by for with from as is be was are will can may must shall not
    no yes he she it we they you i his her its our their this that these those who
    what when where which why how all any some none one two three four five six seven
    eight nine ten god jesus arab arabs muslim muslims christian christians jewish jews
    catholic catholics hispanic latino latina black white western eastern northern
    southern central north south east west
    """.split()
)

# Lower-case words allowed inside a world name ("Rio de Janeiro", "Bandar al Abbas").
_CONNECTORS = frozenset(
    "de del della dei des di da do dos das du la le les el al an am im in of on upon the"
    " and y e en sur sous van von der den ter aan bei ob".split()
)
# Capitalised words that may come right before a place without being part of a name.
_OPENERS = frozenset(
    """
    in at from to near into across around outside inside through via and or but the
    of for on by with between beyond toward towards against throughout within without
    north south east west northern southern eastern western central greater upper lower
    northeast northwest southeast southwest northeastern northwestern southeastern
    southwestern downtown rural urban coastal mainland old new both neighbouring
    neighboring nearby besieged rebel war hit war-torn battered embattled
    """.split()
)
# Words before a name that make it the name of a person.
_TITLES = frozenset(
    """
    mr mrs ms miss dr sir dame lord lady president vice minister secretary senator
    gov sen rep lt col gen maj sgt cpl cmdr adm insp supt det st
    governor mayor general gen col colonel captain capt lt sergeant sgt admiral
    prince princess king queen sheikh pope bishop father rev judge justice chairman
    spokesman spokeswoman spokesperson ambassador envoy coach striker
    """.split()
)
# Words after which a quoted or plain name is the name of a group, club or event.
_NAMING_WORDS = frozenset(
    """
    club party group movement front brigade brigades operation festival forum company
    team agency newspaper magazine channel station brand band album film hotel
    restaurant ship vessel called named dubbed
    """.split()
)
_PLACE_PREPOSITIONS = frozenset(
    "in at from near to into outside inside around across via toward towards".split()
)
# Lower-case particles inside personal names ("Mike de Kock", "Ludwig van Beethoven").
_PARTICLES = frozenset("de da di du van von der den le la del bin ibn ben".split())
_SPEECH_VERBS = frozenset(
    "said says told added stated noted wrote asked argued claimed insisted explained".split()
)
_OPEN_QUOTES = "\"'\u201c\u2018\u00ab\u201e"
_CLOSE_QUOTES = "\"'\u201d\u2019\u00bb"
_SENTENCE_END = ".!?\n\r:;"


@dataclass(slots=True)
class _Match:
    start: int
    end: int
    key: str
    origin: str  # "institution", "curated", "world" or "demonym"
    places: tuple[Place, ...]
    confidence: float = 0.0
    common: bool = False
    # the words around it (_previous_word, _next_word), once something has looked
    before: tuple[str, int, str] | None = None
    after: str | None = None


@dataclass(frozen=True, slots=True)
class _Matcher:
    """The curated gazetteer's names (and the institutions) in one automaton."""

    automaton: ahocorasick.Automaton
    places: dict[str, tuple[Place, ...]]
    capitalised: frozenset[str]
    countries: dict[str, Place]
    corridors: tuple[Place, ...]
    near: dict[str, tuple[Place, ...]]  # the corridors around each city, worked out once
    # the parts of the gazetteer's cities by direction: (direction, city id) -> the part,
    # and each part's city (see find_feature_mentions)
    parts: dict[tuple[str, str], Place]
    part_city: dict[str, str]
    # what each world index says about each name (see _world_entries), worked out once
    entries: dict[int, _Entries]

    @classmethod
    def build(cls, gazetteer: Gazetteer) -> _Matcher:
        automaton = ahocorasick.Automaton()
        places: dict[str, list[Place]] = {}
        capitalised: set[str] = set()
        for written, place in gazetteer.names():
            key = name_key(written)
            if not key:
                continue
            found = places.setdefault(key, [])
            if place not in found:
                found.append(place)
            if any(ch.isupper() for ch in written):
                capitalised.add(key)
        for key in places:
            ordered = gazetteer.lookup(key)
            places[key] = [p for p in ordered if p in places[key]] + [
                p for p in places[key] if p not in ordered
            ]
            automaton.add_word(key, (key, "curated"))
        for written in INSTITUTIONS:
            key = name_key(written)
            automaton.add_word(key, (key, "institution"))
            capitalised.add(key)
        automaton.make_automaton()
        countries: dict[str, Place] = {}
        for place in gazetteer.places:
            if place.kind == "country" and place.country:
                countries.setdefault(place.country, place)
        parts, part_city = _city_parts(gazetteer)
        return cls(
            automaton=automaton,
            places={key: tuple(found) for key, found in places.items()},
            capitalised=frozenset(capitalised),
            countries=countries,
            corridors=tuple(p for p in gazetteer.places if p.kind == "corridor"),
            near={},
            parts=parts,
            part_city=part_city,
            entries={},
        )


def _direction(word: str) -> str:
    """Return "east" for "eastern", "northeast" for "north-eastern" ("" for no direction)."""
    word = word.lower().replace("-", "")
    word = word[:-3] if word.endswith("ern") else word
    return word if word in _city_part_rules()[0] else ""


def _city_parts(gazetteer: Gazetteer) -> tuple[dict[tuple[str, str], Place], dict[str, str]]:
    """Find the gazetteer's parts of cities by direction ("western Aleppo", "east Mosul")."""
    cities: dict[str, list[Place]] = {}
    for place in gazetteer.places:
        if place.kind == "city":
            for written in (place.name, *place.aliases):
                cities.setdefault(name_key(written), []).append(place)
    parts: dict[tuple[str, str], Place] = {}
    part_city: dict[str, str] = {}
    for place in gazetteer.places:
        if place.kind not in ("district", "neighbourhood"):
            continue
        for written in (place.name, *place.aliases):
            first, _, rest = written.partition(" ")
            direction = _direction(first)
            if not direction or not rest:
                continue
            for city in cities.get(name_key(rest), ()):
                parts.setdefault((direction, city.id), place)
                part_city.setdefault(place.id, city.id)
    return parts, part_city


_MATCHERS: dict[int, tuple[Gazetteer, _Matcher]] = {}


def _matcher(gazetteer: Gazetteer) -> _Matcher:
    """Return the cached automaton of this gazetteer (keyed by identity, kept alive)."""
    cached = _MATCHERS.get(id(gazetteer))
    if cached is not None and cached[0] is gazetteer:
        return cached[1]
    matcher = _Matcher.build(gazetteer)
    if len(_MATCHERS) >= 8:
        _MATCHERS.pop(next(iter(_MATCHERS)))
    _MATCHERS[id(gazetteer)] = (gazetteer, matcher)
    return matcher


def _bounded(text: str, start: int, end: int) -> bool:
    if start > 0 and text[start - 1].isalnum():
        return False
    if end < len(text) and text[end].isalnum():
        return False
    return text[start].isalnum() and (text[end - 1].isalnum() or text[end - 1] == ".")


def _words(span: str) -> list[str]:
    return span.replace("-", " ").replace("\u2019", " ").replace("'", " ").split()


# What is left of "People's" and "d'Ivoire" once apostrophes split words: no word of its own.
_ELISIONS = frozenset({"s", "d", "l"})


def _proper(span: str, abbreviation: bool) -> bool:
    """Tell whether a world name is written as a proper noun."""
    if not any(ch.isalpha() for ch in span):
        return False
    if abbreviation:
        return all(ch.isupper() for ch in span if ch.isalpha())
    words = _words(span)
    if not words or not words[0][0].isupper():
        return False
    for word in words[1:]:
        if word[0].isalpha() and not word[0].isupper() and word.lower() not in _CONNECTORS:
            if word not in _ELISIONS:
                return False
    return True


_BEFORE_WORD = _OPEN_QUOTES + "(-\u2013\u2014,"


def _previous_word(text: str, start: int, floor: int) -> tuple[str, int, str]:
    """Return the word before ``start``, where it starts, and what separates them."""
    i = start
    while i > floor and text[i - 1] in " \t\u00a0":
        i -= 1
    gap = text[i:start]
    if i > floor and text[i - 1] in _BEFORE_WORD:
        return "", i, text[i - 1]
    j = i
    while j > floor and (text[j - 1].isalnum() or text[j - 1] in ".'\u2019"):
        j -= 1
    return text[j:i].strip(".'\u2019"), j, gap


_NEXT_WORD = re.compile(r"[ \t\u00a0]*([^\W_]*)")


def _next_word(text: str, end: int, ceiling: int) -> str:
    found = _NEXT_WORD.match(text, end, ceiling)
    return found.group(1) if found is not None else ""


_BEFORE_SENTENCE = _OPEN_QUOTES + "("


def _sentence_start(text: str, start: int, floor: int) -> bool:
    i = start
    while i > floor and (text[i - 1].isspace() or text[i - 1] in _BEFORE_SENTENCE):
        i -= 1
    if i <= floor:
        return True
    if text[i - 1] != ".":
        return text[i - 1] in _SENTENCE_END
    # "Lt. Col. Ricky Thomas", "Gov. Mary Fallin": a title's full stop ends no sentence.
    j = i - 1
    while j > floor and text[j - 1].isalpha():
        j -= 1
    word = text[j : i - 1]
    return not (word.lower() in _TITLES or (len(word) == 1 and word.isupper()))


def find_mentions(
    text: str,
    gazetteer: Gazetteer,
    *,
    world: WorldIndex | None = None,
    spans: Sequence[tuple[int, int]] | None = None,
    features: bool = False,
) -> tuple[Mention, ...]:
    """Find the places ``text`` names and resolve each to a place.

    Parameters
    ----------
    text
        The article's original text; every returned span indexes into it.
    gazetteer
        The curated places; they win over world places for the same name.
    world
        The GeoNames world index (:func:`geo.world.load_world`), or ``None`` to use the
        gazetteer alone (no demonyms then).
    spans
        The parts of ``text`` to search (``Article.body``); ``None`` searches it all.
    features
        Also return the generic feature phrases ("humanitarian corridors") resolved to
        the gazetteer's corridors (:func:`find_feature_mentions`); several mentions then
        share one span.

    Returns
    -------
    tuple of Mention
        Sorted by start; ``text[m.start:m.end] == m.text`` for each.  Without
        ``features`` no two mentions overlap.

    Examples
    --------
    >>> from geo.gazetteer import load_gazetteer
    >>> [m.place.id for m in find_mentions("Shelling in Aleppo’s east.", load_gazetteer())]
    ['aleppo']
    """
    if not text:
        return ()
    regions = _regions(text, spans)
    folded = fold(text)
    matcher = _matcher(gazetteer)
    found: list[_Match] = []
    lowered = _LowerWords(text, regions)
    shapes = _shapes(text) if world is not None else ""
    for lo, hi in regions:
        found.extend(_curated_matches(text, folded, lo, hi, matcher))
        if world is not None:
            found.extend(_world_matches(text, folded, shapes, lo, hi, world, matcher, lowered))
    chosen = _drop_person_names(text, _longest_first(found), regions)
    if world is not None:
        chosen = _with_state_abbreviations(text, chosen, world, regions)
    mentions = _resolve(text, chosen, world, regions)
    if not features:
        return mentions
    generic = find_feature_mentions(text, gazetteer, mentions, spans=spans)
    return tuple(sorted((*mentions, *generic), key=lambda m: m.start)) if generic else mentions


# "humanitarian corridors" names a kind of feature; so does "corridors" after a count or
# an ordinal ("the 1st and 6th corridors", "six corridors", "several safe corridors").
_COUNT = (
    r"(?:\d{1,3}(?:st|nd|rd|th)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven"
    r"|twelve|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|several"
    r"|multiple|various|many|some|few|both|all|these|those|other|remaining|new)"
)
_COUNT_RE = re.compile(_COUNT, re.IGNORECASE)
_FEATURE_WORD_RE = re.compile(r"\bcorridors?\b", re.IGNORECASE)
_FEATURE_ADJECTIVES = frozenset({"humanitarian", "safe", "evacuation", "aid"})
_SENTENCE_BREAK_RE = re.compile(r"[.!?][\"'\u201d\u2019)]?\s|\n")
#: A corridor counts as the city's when its line comes this close to the city's extent.
FEATURE_RADIUS_M = 15_000.0
#: How sure a generic phrase is of each corridor it stands for: a guess among several.
FEATURE_CONFIDENCE = 0.5


def find_feature_mentions(
    text: str,
    gazetteer: Gazetteer,
    mentions: Sequence[Mention],
    *,
    spans: Sequence[tuple[int, int]] | None = None,
) -> tuple[Mention, ...]:
    """Resolve generic feature phrases ("humanitarian corridors") to the gazetteer's corridors.

    Parameters
    ----------
    text
        The article's original text.
    gazetteer
        Where the corridors come from (places of kind ``corridor``).
    mentions
        The places already found in ``text`` (:func:`find_mentions`): the city of the
        phrase's sentence, or else the city the document names most, says which
        corridors are meant.  A phrase overlapping one of them, or right after one
        ("Castello humanitarian corridors"), is left alone: it names its corridor.
    spans
        The parts of ``text`` to search; ``None`` searches it all.

    Returns
    -------
    tuple of Mention
        One mention per corridor within :data:`FEATURE_RADIUS_M` of the city, all with
        the phrase's span and :data:`FEATURE_CONFIDENCE`; sorted by start, then place id.

    Examples
    --------
    >>> from geo.gazetteer import load_gazetteer
    >>> gazetteer = load_gazetteer()
    >>> text = "Six humanitarian corridors are open in Aleppo."
    >>> found = find_feature_mentions(text, gazetteer, find_mentions(text, gazetteer))
    >>> sorted({m.text for m in found}), all(m.place.kind == "corridor" for m in found)
    (['humanitarian corridors'], True)
    """
    matcher = _matcher(gazetteer)
    if not (matcher.corridors or matcher.parts) or not text:
        return ()
    regions = _regions(text, spans)
    parts = _part_mentions(text, matcher, mentions, regions)
    cities = sorted((m for m in mentions if m.place.kind == "city"), key=lambda m: m.start)
    counts = Counter(m.place.id for m in cities)
    # The document's city: the most named, the first named among equals.
    main = max(cities, key=lambda m: counts[m.place.id], default=None)
    taken = sorted((m.start, m.end) for m in mentions)
    found: list[Mention] = []
    at = [m.start for m in cities]
    for lo, hi in regions:
        breaks: list[tuple[int, int]] | None = None  # sentence breaks, found when needed
        for word in _FEATURE_WORD_RE.finditer(text, lo, hi):
            before, before_start = _word_before(text, word.start(), lo)
            adjective = before.lower() in _FEATURE_ADJECTIVES
            count, _ = _word_before(text, before_start, lo) if adjective else (before, 0)
            if not _COUNT_RE.fullmatch(count) and before.lower() != "humanitarian":
                continue  # "the corridors of power", "safe corridors" with nothing counted
            start = before_start if adjective else word.start()
            end = word.end()
            if _named_feature(text, start, end, taken):
                continue
            if breaks is None:
                breaks = [b.span() for b in _SENTENCE_BREAK_RE.finditer(text, lo, hi)]
            s_lo, s_hi = _sentence_around(breaks, start, lo, hi)
            first, last = bisect.bisect_left(at, s_lo), bisect.bisect_left(at, s_hi)
            here = [m.place for m in cities[first:last]]
            if not here and main is not None:
                here = [main.place]
            near: dict[str, Place] = {}
            for city in here:
                for corridor in _corridors_near(city, matcher):
                    near.setdefault(corridor.id, corridor)
            found.extend(
                Mention(
                    text=text[start:end],
                    start=start,
                    end=end,
                    place=place,
                    confidence=FEATURE_CONFIDENCE,
                )
                for _, place in sorted(near.items())
            )
    return tuple(sorted([*found, *parts], key=lambda m: (m.start, m.place.id)))


#: How sure "the western areas" is of the part of the paragraph's city it stands for.
PART_CONFIDENCE = 0.7


@cache
def _city_part_rules() -> tuple[frozenset[str], re.Pattern[str]]:
    """Return the directions and the phrase of ``[city_part]`` in ``rules/places.toml``."""
    rules = load_rules("places")["city_part"]
    directions = frozenset(rules["directions"])
    ways = sorted((d[:5] + "-?" + d[5:] if len(d) > 5 else d for d in directions), key=len)
    words = sorted((re.escape(w) for w in rules["parts"]), key=len)
    phrase = re.compile(
        rf"\bthe\s+((?:{'|'.join(reversed(ways))})(?:ern)?)\s+(?:{'|'.join(reversed(words))})"
        r"\b(?!\s+of\b)",
        re.IGNORECASE,
    )
    return directions, phrase


def _part_mentions(
    text: str, matcher: _Matcher, mentions: Sequence[Mention], regions: list[tuple[int, int]]
) -> list[Mention]:
    """Read "the western areas" as the part of the city its paragraph last named.

    The city is the last one named before the phrase in its paragraph (a line), itself or
    by one of its parts ("the eastern part of Aleppo"); the part is the gazetteer's part
    of that city in that direction. No such part, no mention.
    """
    if not matcher.parts:
        return []
    named = [
        (m.start, city)
        for m in sorted(mentions, key=lambda m: m.start)
        if (city := matcher.part_city.get(m.place.id, m.place.id if m.place.kind == "city" else ""))
    ]
    starts = [start for start, _ in named]
    taken = sorted((m.start, m.end) for m in mentions)
    found: list[Mention] = []
    for lo, hi in regions:
        for hit in _city_part_rules()[1].finditer(text, lo, hi):
            start, end = hit.span()
            if _named_feature(text, start, end, taken):
                continue
            i = bisect.bisect_left(starts, start) - 1
            if i < 0 or starts[i] < max(lo, text.rfind("\n", lo, start) + 1):
                continue  # no city named before it in its paragraph
            place = matcher.parts.get((_direction(hit.group(1)), named[i][1]))
            if place is not None:
                found.append(
                    Mention(
                        text=text[start:end],
                        start=start,
                        end=end,
                        place=place,
                        confidence=PART_CONFIDENCE,
                    )
                )
    return found


def _word_before(text: str, at: int, floor: int) -> tuple[str, int]:
    """Return the word a space or more before ``at`` and where it starts ("" if none)."""
    i = at
    while i > floor and text[i - 1].isspace():
        i -= 1
    j = i
    while j > floor and text[j - 1].isalnum():
        j -= 1
    if i == at or (j > floor and not text[j - 1].isspace() and text[j - 1] not in "(\"'\u201c-"):
        return "", at
    return text[j:i], j


def _named_feature(text: str, start: int, end: int, taken: Sequence[tuple[int, int]]) -> bool:
    """Tell whether a phrase overlaps a name or follows one ("Castello humanitarian ...")."""
    i = bisect.bisect_left(taken, (end, -1))
    for s, e in taken[max(0, i - 2) : i]:
        if s < end and start < e:
            return True
        if e <= start <= e + 3 and not text[e:start].strip(" \t\u00a0-"):
            return True
    return False


def _sentence_around(
    breaks: Sequence[tuple[int, int]], at: int, lo: int, hi: int
) -> tuple[int, int]:
    """Return the span of the sentence holding ``at`` given the region's sentence breaks."""
    i = bisect.bisect_right(breaks, (at, _BIG)) - 1
    while i >= 0 and breaks[i][1] > at:
        i -= 1
    start = breaks[i][1] if i >= 0 else lo
    j = bisect.bisect_left(breaks, (at, -1))
    return start, breaks[j][0] + 1 if j < len(breaks) else hi


def _corridors_near(city: Place, matcher: _Matcher) -> tuple[Place, ...]:
    """Return the corridors whose line lies within FEATURE_RADIUS_M of the city's extent."""
    key = f"{city.id}|{city.lat}|{city.lon}"
    cached = matcher.near.get(key)
    if cached is not None:
        return cached
    # Distances in metres in a projection centred on the city, never in degrees.
    local = pyproj.CRS.from_proj4(
        f"+proj=aeqd +lat_0={city.lat} +lon_0={city.lon} +x_0=0 +y_0=0 +datum=WGS84 +units=m"
    )
    to_local = pyproj.Transformer.from_crs("EPSG:4326", local, always_xy=True).transform

    def metres(place: Place) -> BaseGeometry:
        shape = place.geometry if place.geometry is not None else Point(place.lon, place.lat)
        return shapely.transform(shape, to_local, interleaved=False)

    area = metres(city)
    near = tuple(c for c in matcher.corridors if area.distance(metres(c)) <= FEATURE_RADIUS_M)
    matcher.near[key] = near
    return near


_STATE_SHORT = re.compile(r",[ \t]+((?:[A-Z]\.){2,3}|[A-Z][a-z]{1,4}\.|[A-Z]{2}\b)")


def _with_state_abbreviations(
    text: str, matches: list[_Match], world: WorldIndex, regions: Sequence[tuple[int, int]]
) -> list[_Match]:
    """Add the state after a town and a comma ("Allendale, N.J.", "Surrey, BC")."""
    starts = {m.start: m for m in matches}
    added = []
    replaced: set[int] = set()
    commas = {m.end for m in matches if text.startswith(",", m.end)}
    # A town the index does not know may stand before the state ("BOZEMAN, Mont."), which
    # was then read as a name of its own.
    commas.update(c for m in matches if m.origin == "world" and (c := _comma_before(text, m.start)))
    for comma in sorted(commas):
        lo, hi = _region_floor(regions, comma)
        found = _STATE_SHORT.match(text, comma, hi)
        if found is None:
            continue
        end = found.end(1)
        there = starts.get(found.start(1))
        if there is not None and (there.origin != "world" or there.end > end):
            continue  # a curated name, or a longer one ("N.Y. Times"), is there already
        written = found.group(1)
        place = world.state_abbreviation(written)
        if place is None:
            continue
        if end < hi and text[end].isalnum():
            continue
        if there is not None:
            replaced.add(there.start)  # "BOZEMAN, Mont.": Montana, not a town called Mont
        added.append(
            _Match(found.start(1), end, name_key(written), "world", (place,), confidence=0.8)
        )
    if not added:
        return matches
    kept = [m for m in matches if m.start not in replaced]
    return sorted([*kept, *added], key=lambda m: m.start)


def _comma_before(text: str, at: int) -> int:
    """Return where the comma is that ends a capitalised word just before ``at`` (or 0)."""
    i = at
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    if i == at or i < 2 or text[i - 1] != "," or not text[i - 2].isalpha():
        return 0
    j = i - 2
    while j > 0 and text[j - 1].isalpha():
        j -= 1
    return i - 1 if text[j].isupper() else 0


def _regions(text: str, spans: Sequence[tuple[int, int]] | None) -> list[tuple[int, int]]:
    if spans is None:
        return [(0, len(text))]
    regions: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        lo, hi = max(0, int(start)), min(len(text), int(end))
        if lo < hi:
            if regions and lo <= regions[-1][1]:
                regions[-1] = (regions[-1][0], max(hi, regions[-1][1]))
            else:
                regions.append((lo, hi))
    return regions


def _region_floor(regions: Sequence[tuple[int, int]], start: int) -> tuple[int, int]:
    """Return the search region holding ``start`` (regions are sorted and disjoint)."""
    i = bisect.bisect_right(regions, (start, _BIG)) - 1
    if i >= 0 and regions[i][0] <= start < regions[i][1]:
        return regions[i]
    return 0, 0


_BIG = 1 << 62


def _curated_matches(
    text: str, folded: str, lo: int, hi: int, matcher: _Matcher
) -> Iterable[_Match]:
    # pyahocorasick copies the whole string on every bounded call: search a slice instead.
    for region_end, (key, origin) in matcher.automaton.iter(folded[lo:hi]):
        end = lo + region_end
        start = end + 1 - len(key)
        if start < lo or not _bounded(text, start, end + 1):
            continue
        span = text[start : end + 1]
        if key in matcher.capitalised and not any(ch.isupper() for ch in span):
            continue
        if origin == "institution":
            yield _Match(start, end + 1, key, origin, ())
            continue
        if key in matcher.capitalised and not span[0].isupper() and span[0].isalpha():
            # "eastern Aleppo" may start in lower case; "aleppo" alone may not.
            if not any(w[0].isupper() for w in _words(span)):
                continue
        yield _Match(start, end + 1, key, "curated", matcher.places[key], confidence=0.95)


@dataclass(frozen=True, slots=True)
class _Entry:
    """What the world index says about one name, worked out once per name and index."""

    places: tuple[Place, ...]  # the candidates, a curated country for GeoNames' copy
    demonym: tuple[Place, ...]  # the country a demonym names, if no place is called so
    abbreviation: bool
    small_town: bool  # the likeliest candidate is a small town
    maybe_common: bool  # the name is no major place, so it may be a common word
    common_word: bool  # ... and it is one of COMMON_WORDS
    word: bool  # the name is one word of letters: the text may write it in lower case


def _world_entry(key: str, world: WorldIndex, matcher: _Matcher) -> _Entry:
    places = world.candidates(key)
    demonym = world.demonym_of(key)
    if places and demonym is not None and _minor(places[0]):
        places = ()  # "Canadian" is Canada's people before it is a Texas town
    if places and all(
        p.kind == "city" and p.population < 100_000 and bare_key(p.name) != bare_key(key)
        for p in places
    ):
        places = ()  # only small towns' alternate names ("Igbo" for Igbo-Ukwu)
    if len(places) > 1 and all(word in COMMON_WORDS for word in key.split()):
        # A nickname of common words is no name of the city it describes ("Garden City"
        # for Singapore) where places are called so.
        named = tuple(p for p in places if bare_key(p.name) == bare_key(key))
        if named:
            places = named
    major = bool(places) and (
        (places[0].kind in ("continent", "country") and name_key(places[0].name) == key)
        or (places[0].kind == "city" and places[0].population >= 1_000_000)
    )
    # A country the gazetteer curates stands for GeoNames' copy of it.
    countries = matcher.countries
    return _Entry(
        places=tuple(countries.get(p.country, p) if p.kind == "country" else p for p in places),
        demonym=tuple(
            countries.get(p.country, p) if p.kind == "country" else p
            for p in ((demonym,) if demonym is not None else ())
        ),
        abbreviation=world.is_abbreviation(key),
        small_town=bool(places) and _minor(places[0]) and places[0].kind != "region",
        maybe_common=bool(places) and not major,
        common_word=key in COMMON_WORDS,
        word=key.isalpha(),
    )


def _world_entries(world: WorldIndex, matcher: _Matcher) -> _Entries:
    """Return the caches of :func:`_world_entry` and :func:`_written_entry` for this index."""
    cached = matcher.entries.get(id(world))
    if cached is None or cached[0] is not world:
        matcher.entries.clear()  # one index at a time: an index is big to keep alive
        cached = matcher.entries[id(world)] = (world, {}, {})
    if len(cached[1]) > 100_000 or len(cached[2]) > 100_000:
        # bounded: a long run over many texts meets many names
        cached[1].clear()
        cached[2].clear()
    return cached


# An index, its entry for each name (key), and for each name as written the key and
# entry of a name written as a world name may be, or None if it may not be one.
_Entries = tuple[WorldIndex, dict[str, _Entry], dict[str, tuple[str, _Entry] | None]]


def _written_entry(
    span: str, key: str, world: WorldIndex, matcher: _Matcher, entries: dict[str, _Entry]
) -> tuple[str, _Entry] | None:
    """Return the key and entry of a name as written, or None if it is no world name so."""
    if key in NEVER_PLACES or "  " in key or key[-1] == " ":
        return None
    entry = entries.get(key)
    if entry is None:
        entry = entries[key] = _world_entry(key, world, matcher)
    if not _proper(span, entry.abbreviation):
        return None
    if entry.places:
        if not entry.abbreviation and span.isupper() and (len(span) < 4 or entry.small_town):
            return None  # capitals: "MOSCOW," and "NEW JERSEY" yes; "SOL", "OAS", towns no
    elif not entry.demonym or span.isupper():
        return None
    return key, entry


def _world_matches(
    text: str,
    folded: str,
    shapes: str,
    lo: int,
    hi: int,
    world: WorldIndex,
    matcher: _Matcher,
    lowered: _LowerWords,
) -> Iterable[_Match]:
    """Yield the world names and demonyms written as proper nouns in [lo, hi)."""
    _, entries, written = _world_entries(world, matcher)
    for start, end in _capitalised_names(text, folded, shapes, lo, hi, world):
        span = text[start:end]
        # The same letters fold to the same key: a name as written is judged once.
        if span in written:
            found = written[span]
        else:
            found = written[span] = _written_entry(span, folded[start:end], world, matcher, entries)
        if found is None:
            continue
        key, entry = found
        if entry.places:
            # ``lowered`` remembers each word's answer: no search of the whole text per match.
            common = entry.maybe_common and (entry.common_word or (entry.word and key in lowered))
            yield _Match(start, end, key, "world", entry.places, confidence=0.8, common=common)
        else:
            yield _Match(start, end, key, "demonym", entry.demonym, confidence=0.6)


class _LowerWords:
    """The words a text writes in lower case (its own common words), looked up when asked.

    A word counts when it is a whole token of a search region (split on white space),
    but for punctuation around it.
    """

    __slots__ = ("_regions", "_seen", "_text")

    def __init__(self, text: str, regions: Sequence[tuple[int, int]]) -> None:
        self._text = text
        self._regions = regions
        self._seen: dict[str, bool] = {}

    def __contains__(self, word: str) -> bool:
        found = self._seen.get(word)
        if found is None:
            found = self._seen[word] = self._written(word)
        return found

    def _written(self, word: str) -> bool:
        if not (word.isalpha() and word.islower()):
            return False
        text, regions = self._text, self._regions
        at = text.find(word)
        while at >= 0:
            end = at + len(word)
            lo, hi = _region_floor(regions, at)
            if end <= hi:
                i = at
                while i > lo and text[i - 1] in _WORD_PUNCTUATION:
                    i -= 1
                j = end
                while j < hi and text[j] in _WORD_PUNCTUATION:
                    j += 1
                if (i == lo or text[i - 1].isspace()) and (j == hi or text[j].isspace()):
                    return True
            at = text.find(word, at + 1)
        return False


_WORD_PUNCTUATION = ".,;:!?\"'()[]“”‘’"


# A capitalised word (a capital after no letter or digit, and the letters and digits
# after it) and a run of letters and digits, on the text's shapes (see _shapes): ASCII
# classes, which the regex engine tests far faster than Unicode ones.  The look-behind
# comes after the capital so that the engine can skip ahead to candidates.
_SHAPE_CAPITAL_RUN = re.compile(r"[A-Z](?<![A-Za-z0-9].)[A-Za-z0-9]*", re.DOTALL)
_SHAPE_ALNUM_RUN = re.compile(r"[A-Za-z0-9]+")


class _ShapeTable(dict[int, str]):
    """A ``str.translate`` table from a character to its shape, filled on first sight."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        shape = self[code] = ("A" if ch.isupper() else "a") if ch.isalnum() else " "
        return shape


_SHAPE_TABLE = _ShapeTable()


def _shapes(text: str) -> str:
    """Return ``text`` with each non-ASCII character replaced by an ASCII one of its kind.

    "A" for a capital letter, "a" for another letter or a digit, " " for the rest: the
    same capitalised words and letter runs, in the same places, as in ``text``.
    """
    if text.isascii():
        return text
    parts = _NON_ASCII.split(text)
    parts[1::2] = [part.translate(_SHAPE_TABLE) for part in parts[1::2]]
    return "".join(parts)


# Runs of non-ASCII characters; spelt so rather than with "+" because the regex engine
# then skips ahead to a run's first character (a split costs a third as much).
_NON_ASCII = re.compile(r"([^\x00-\x7f][^\x00-\x7f]*)")


def _capitalised_names(
    text: str, folded: str, shapes: str, lo: int, hi: int, world: WorldIndex
) -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` of the indexed names that start a capitalised word in [lo, hi).

    A world name counts only when written as a proper noun on word boundaries, so only
    spans that start at a capital after a non-word character and end before one are
    looked up: walking word by word from each capital while the folded words are still
    the beginning of some indexed name (geotext's capitalised runs, without its regex
    limits on what a name may contain).  The same spans as scanning every substring with
    :meth:`WorldIndex.iter_matches` and keeping the bounded, capitalised ones.
    """
    is_prefix, has = world.prefix_test, world.key_test
    steps = _steps(world)
    size = len(text)
    # A word the region's end cuts in two is no word of the region.
    cut = hi < size and text[hi].isalnum()
    next_run = _SHAPE_ALNUM_RUN.search
    for run in _SHAPE_CAPITAL_RUN.finditer(shapes, lo, hi):
        start, end = run.span()
        while True:
            if end == hi and cut:
                break
            if end == size:
                # The text's last word: no name goes on past it.
                if has(folded[start:end]):
                    yield start, end
                break
            # The words so far and the character after them: looked up once per index.
            probe = folded[start : end + 1]
            step = steps.get(probe)
            if step is None:
                if len(steps) > 200_000:
                    steps.clear()  # bounded: a long run over many texts meets many words
                step = steps[probe] = _step(probe, is_prefix, has)
            prefix, whole, dotted, more = step
            if not prefix:
                break
            if whole:
                yield start, end
            if (
                dotted
                and end < hi
                and text[end] == "."
                and (end + 1 == size or not text[end + 1].isalnum())
            ):
                yield start, end + 1
            if not more:
                break  # no name goes on past these words: spare looking for the next one
            following = next_run(shapes, end, hi)
            if following is None:
                break
            end = following.end()


def _step(
    probe: str, is_prefix: Callable[[str], bool], has: Callable[[str], bool]
) -> tuple[bool, bool, bool, bool]:
    """Return what the index says of words followed by one character (``probe``).

    Whether the words begin some name, are one, whether they and the character are one
    ("U.S."), and whether some name goes on past the words.
    """
    words = probe[:-1]
    if not is_prefix(words):
        return False, False, False, False
    return True, has(words), has(probe), is_prefix(probe)


_STEPS: dict[int, tuple[WorldIndex, dict[str, tuple[bool, bool, bool, bool]]]] = {}


def _steps(world: WorldIndex) -> dict[str, tuple[bool, bool, bool, bool]]:
    """Return the cache of :func:`_step` for this index."""
    cached = _STEPS.get(id(world))
    if cached is None or cached[0] is not world:
        _STEPS.clear()  # one index at a time: an index is big to keep alive
        cached = _STEPS[id(world)] = (world, {})
    return cached[1]


def _minor(place: Place) -> bool:
    """Tell whether a place is a small town (or a region) rather than a country or city."""
    if place.kind in ("continent", "country"):
        return False
    return place.kind == "region" or place.population < 100_000


_ORIGIN_RANK = {"institution": 0, "curated": 1, "world": 2, "demonym": 3}


def _longest_first(found: list[_Match]) -> list[_Match]:
    """Keep non-overlapping matches: longest first, then institution > curated > world."""
    found.sort(key=lambda m: (-(m.end - m.start), _ORIGIN_RANK[m.origin], m.start))
    size = max((m.end for m in found), default=0)
    taken = bytearray(size)
    chosen: list[_Match] = []
    for match in found:
        if any(taken[match.start : match.end]):
            continue
        taken[match.start : match.end] = b"\x01" * (match.end - match.start)
        chosen.append(match)
    # A world alternative for a curated span stays available for qualifier rules.
    alternatives = {(m.start, m.end): m for m in found if m.origin == "world"}
    for match in chosen:
        if match.origin == "curated":
            other = alternatives.get((match.start, match.end))
            if other is not None:
                ids = {q.id for q in match.places}
                match.places = match.places + tuple(p for p in other.places if p.id not in ids)
    chosen.sort(key=lambda m: m.start)
    return [m for m in chosen if m.origin != "institution"]


def _drop_person_names(
    text: str, matches: list[_Match], regions: Sequence[tuple[int, int]]
) -> list[_Match]:
    """Drop world names that are part of a person's or an organisation's name."""
    # Positions of matches that are surely places: the neighbours that make a name a
    # list of places ("Aleppo Sheikh Maqsood") rather than a person's name.
    strong = [m for m in matches if m.places and (m.origin == "curated" or not _minor(m.places[0]))]
    starts = {m.start for m in strong}
    ends = {m.end for m in strong}
    person_keys: set[str] = set()
    keep: list[_Match] = []
    # Every match lies in a search region: with one region, it is that one.
    only = regions[0] if len(regions) == 1 else None
    for match in matches:
        lo, hi = only if only is not None else _region_floor(regions, match.start)
        match.before = word, word_start, gap = _previous_word(text, match.start, lo)
        lower = word.lower()
        match.after = after = _next_word(text, match.end, hi)
        before_char = text[match.start - 1] if match.start > lo else ""
        after_char = text[match.end] if match.end < hi else ""
        world_only = match.origin in ("world", "demonym")
        top = match.places[0] if match.places else None
        small = top is not None and top.origin == "geonames" and _minor(top)
        # Towns of under half a million named like first names ("Mary Fallin").
        smallish = small or (
            top is not None
            and top.origin == "geonames"
            and top.kind == "city"
            and top.population < 500_000
        )
        if (
            world_only
            and before_char != ""
            and before_char in _OPEN_QUOTES
            and after_char != ""
            and after_char in _CLOSE_QUOTES
            and not text[match.end + 1 : match.end + 2].isalpha()  # "Europe's" is no quote
        ):
            continue  # “Valdai”: the name of a club, a film, an operation
        if lower in _NAMING_WORDS and world_only:
            continue
        if lower in _TITLES and gap.strip() == "" and world_only and smallish:
            person_keys.add(match.key)
            continue
        if world_only and smallish and before_char == "(" and after_char == ")":
            if _next_word(text, match.end + 1, hi)[:1].isupper():
                person_keys.add(match.key)  # "(Vladimir) Putin": a first name in brackets
                continue
        if (
            small
            and before_char in "-‐‑"
            and match.start - 1 > lo
            and text[match.start - 2].isalpha()
            and (match.start - 1) not in ends
        ):
            continue  # "Diaz-Balart": the second half of a compound name
        person_like = (
            word
            and word[0].isupper()
            and gap == " "
            and lower not in _OPENERS
            and lower not in COMMON_WORDS
            and lower not in NEVER_PLACES
            and word_start not in starts
            and (match.start - 1) not in ends
            and not word.isupper()
        )
        if small and lower in _PARTICLES and gap == " ":
            before, _, _ = _previous_word(text, word_start, lo)
            if before[:1].isupper():
                person_keys.add(match.key)
                continue  # "Mike de Kock"
        if small and (
            person_like
            or (
                top is not None
                and top.kind == "city"
                and word
                and word[0].isupper()
                and gap == " "
                and lower not in _PLACE_PREPOSITIONS
                and lower not in NEVER_PLACES
                and word_start not in starts
                and not _sentence_start(text, word_start, lo)
            )
        ):
            # "John Kelly" (and every later "Kelly"), "West Wing", "Turtle Point"
            if person_like and top is not None and top.population < 100_000:
                person_keys.add(match.key)
            continue
        if (
            person_like
            and len(_words(match.key)) == 1
            and text[match.end : match.end + 1]
            in (
                " ",
                "",
            )
        ):
            continue  # "Michael Jordan": a surname, even when it is also a country
        if world_only and _head_of_longer_name(text, match, word, gap, lo):
            continue  # "West Wing", "Fire Island": a name's head word, not a place
        own_region = match.key.rsplit(" ", 1)[-1] in _REGION_WORDS
        if world_only and not own_region and _in_longer_name(text, match, top, lo, hi):
            continue  # "Pearl Harbor", "Rogers Centre", "Niger Delta", "French Quarter"
        next_capital = (
            after[:1].isupper()
            and text[match.end : match.end + 1] == " "
            and ((match.end + 1) not in starts or small)
            and after.lower() not in COMMON_WORDS
            and not own_region  # "Montgomery County Democrats": the county's own people
        )
        if smallish and next_capital and top is not None and top.population < 1_000_000:
            continue  # "Kasba Bonli", "Carnegie Library", "David Smith"
        if small and top is not None and top.kind == "city" and after.lower() in _SPEECH_VERBS:
            continue  # "Thomas said": a person
        if match.common:
            at_start = _sentence_start(text, match.start, lo)
            evidence = not at_start and (lower in _PLACE_PREPOSITIONS or after_char == ",")
            if not evidence or after[:1].isupper():
                continue
        keep.append(match)
    return [m for m in keep if not (m.origin == "world" and m.key in person_keys)]


# Head nouns of the names of natural features: "Pearl Harbor" is no part of any Pearl,
# "Niger Delta" lies in Nigeria, "Indian Ocean" is no part of India.
_FEATURE_HEADS = frozenset(
    """
    harbor harbour bay bays gulf sea seas ocean delta river rivers island islands isle
    isles peninsula strait straits lake lakes valley canyon creek falls basin coast
    desert mountain mountains hills fields forest glacier reef lagoon sound channel
    """.split()
)
# Head nouns of streets: a street named for a place lies elsewhere, whatever the place's
# size ("Houston Street" in New York, "Pacific Avenue", "Victoria St.").
_STREET_HEADS = frozenset(
    "avenue ave street st road rd boulevard blvd lane drive highway freeway parkway".split()
)
# Head nouns of names that are usually a namesake's, somewhere else: streets named for the
# town they lead to ("Eglinton Avenue"), venues named for a sponsor ("Rogers Centre"),
# churches for a saint ("St. Peter's Basilica").  A small town's name before one names it.
_NAMESAKE_HEADS = _STREET_HEADS | frozenset(
    """
    square plaza circle centre center court basilica cathedral chapel abbey shrine wing
    quarter stadium arena mall bridge tower towers palace castle fort gardens garden heights
    cinema theatre theater hotel
    """.split()
)
# Head nouns of what is usually named for a founder ("Vanderbilt University", "Jensen Family
# Farms"): a small town of that name is not where it lies.  A state's university is the
# state's ("Oregon State University").
_FOUNDER_HEADS = frozenset("university farm farms ranch".split())
# Head nouns of what usually lies in the town it is named for ("Cavan Town Hall",
# "Haymarket Village Center"): the first head noun decides.
_LOCAL_HEADS = frozenset(
    """
    town village city hall park church station airport hospital school college library
    market museum police council county lga local estate
    """.split()
)
# What a demonym before a capitalised head names: the water or quarter, not the country
# ("Indian Ocean", "French Quarter"); "Russian Defence Ministry" stays Russia's.
_DEMONYM_FEATURE_HEADS = frozenset(
    "ocean sea seas gulf bay quarter delta river straits strait".split()
)
_POSSESSIVE = re.compile(r"['’]s\b")
_SAINTS = ("st ", "st. ", "saint ", "ste ", "ste. ", "sainte ")


def _capital_run(text: str, at: int, hi: int, limit: int = 4) -> list[str]:
    """Return the capitalised words that follow ``at`` one space apart ("Centre", "Ave")."""
    words: list[str] = []
    i = at
    while len(words) < limit and i < hi and text[i] == " ":
        j = i + 1
        while j < hi and (text[j].isalnum() or text[j] in "'’."):
            j += 1
        word = text[i + 1 : j].rstrip(".")
        if not word[:1].isupper():
            break
        words.append(word)
        if j < hi and text[j - 1] == ".":
            break  # "St." or a sentence's end: the run stops here
        i = j
    return words


def _head_word(word: str) -> str:
    return _POSSESSIVE.sub("", word).strip("'’").lower()


def _in_longer_name(text: str, match: _Match, top: Place | None, lo: int, hi: int) -> bool:
    """Tell whether a world name is only the first word(s) of a longer name of something else.

    The capitalised words after it ("Pearl Harbor", "Supreme People's Court",
    "St. Peter's Basilica", "Bains and Grants Town") end in the head noun of a feature,
    street or building that the index does not know.  A natural feature or a street never
    stands for the place it is named after; a building does not for a small town (whose
    namesake building is usually elsewhere), but may for a country or a big city
    ("Moscow State University").
    """
    if top is None:
        return False
    at = match.end
    possessive = _POSSESSIVE.match(text, at) if text[at : at + 1] in ("'", "’") else None
    if possessive is not None:
        if top.kind == "city" and _minor(top):
            following = _capital_run(text, possessive.end(), hi, 1)
            if following and _head_word(following[0]) in _FOUNDER_HEADS:
                return True  # "Miller's Farm" is a family's, not a town's
        if not match.key.startswith(_SAINTS):
            return False  # "Middletown's New Road" lies in Middletown
        at = possessive.end()
    if at >= hi or text[at] != " ":
        return False  # nothing follows in the same name
    if not text[at + 1 : at + 2].isupper() and not text.startswith(" and ", at):
        return False  # a lower-case word follows: no capitalised run
    words = _capital_run(text, at, hi)
    shared = False
    if not words and text.startswith(" and ", at):
        # "Bains and Grants Town": two names sharing one head noun.
        words = _capital_run(text, at + 4, hi)
        shared = len(words) >= 2
        if not shared:
            return False
    heads = [_head_word(w) for w in words]
    if match.origin == "demonym":
        return bool(_DEMONYM_FEATURE_HEADS.intersection(heads))
    if _FEATURE_HEADS.intersection(heads):
        # A river or a bay by a city of its name is the city's; "Niger Delta" is no Niger.
        return top.kind != "city" or _minor(top)
    if heads[0] in _STREET_HEADS:
        return True
    if not _minor(top):
        return False
    for head in heads:
        if head in _FOUNDER_HEADS and top.kind == "city":
            return True
        if head in _NAMESAKE_HEADS or (shared and head in _LOCAL_HEADS):
            return True
        if head in _LOCAL_HEADS:
            return False
    return False


def _head_of_longer_name(text: str, match: _Match, word: str, gap: str, lo: int) -> bool:
    """Tell whether a one-word world name is the head noun after a capitalised word.

    "Fire Island" is no Iceland ("Island" is one of its names), "West Wing" no English
    village called Wing.
    """
    if " " in match.key or not word[:1].isupper() or gap != " ":
        return False
    return match.key in _FEATURE_HEADS or match.key in _NAMESAKE_HEADS


def _resolve(
    text: str,
    matches: list[_Match],
    world: WorldIndex | None,
    regions: Sequence[tuple[int, int]],
) -> tuple[Mention, ...]:
    """Choose one place for each match using the rest of the document as evidence.

    A first pass places every match with the unambiguous ones as evidence; a second pass
    places the ambiguous ones again with everything the first pass placed.  A name never
    counts as evidence for itself.
    """
    anchors: list[tuple[str, Place]] = []
    for match in matches:
        places = match.places
        if places and (
            len(places) == 1
            or places[0].kind in ("country", "continent")
            or len({p.id for p in places if p.origin == places[0].origin}) == 1
        ):
            anchors.append((match.key, places[0]))
    qualifiers = [_qualifier(text, matches, i, regions) for i in range(len(matches))]
    hints = _list_hints(text, matches, [_kind_hint(text, match, regions) for match in matches])
    evidence = _Evidence.of(anchors, world)
    memo: dict[tuple[str, str, str, bool], tuple[Place | None, float]] = {}
    first = []
    for match, qualifier, hint in zip(matches, qualifiers, hints, strict=True):
        setting = (match.key, qualifier.key if qualifier else "", hint, match.common)
        if match.origin != "world" or setting not in memo:
            memo[setting] = _choose(match, qualifier, hint, evidence, world)
        first.append(memo[setting])
    placed = [
        (match.key, place)
        for match, (place, confidence) in zip(matches, first, strict=True)
        if place is not None and confidence >= 0.6
    ]
    evidence = _Evidence.of([*anchors, *placed], world)
    mentions: list[Mention] = []
    # The same name in the same setting gets the same place: decide it once.
    decided: dict[tuple[str, str, str, bool], tuple[Place | None, float]] = {}
    for match, qualifier, hint, (place, confidence) in zip(
        matches, qualifiers, hints, first, strict=True
    ):
        if place is not None and match.origin == "world" and len(match.places) > 1:
            setting = (match.key, qualifier.key if qualifier else "", hint, match.common)
            if setting not in decided:
                decided[setting] = _choose(match, qualifier, hint, evidence, world)
            place, confidence = decided[setting]
        if place is None:
            continue
        mentions.append(
            Mention(
                text=text[match.start : match.end],
                start=match.start,
                end=match.end,
                place=place,
                confidence=round(confidence, 3),
            )
        )
    return tuple(mentions)


@dataclass(frozen=True, slots=True)
class _Evidence:
    """What the document says: its places, and how many names support each country/region."""

    places: tuple[Place, ...]  # each place once
    countries: dict[str, int]
    admin1: dict[str, int]
    by_key: dict[str, tuple[Place, ...]]  # the places each name contributed
    # (id, point in radians) of each place that is no country or continent: the
    # neighbours a candidate may lie near
    points: tuple[tuple[str, tuple[float, float, float]], ...]
    without: dict[str, _Others]  # the evidence without each name, worked out when asked

    @classmethod
    def of(cls, named: Iterable[tuple[str, Place]], world: WorldIndex | None) -> _Evidence:
        pairs = {(key, place.id): (key, place) for key, place in named}
        by_key: dict[str, list[Place]] = {}
        unique: dict[str, Place] = {}
        countries: dict[str, int] = {}
        admin1: dict[str, int] = {}
        for key, place in pairs.values():
            by_key.setdefault(key, []).append(place)
            unique.setdefault(place.id, place)
            country = place.country
            if country:
                countries[country] = countries.get(country, 0) + 1
            code = _admin1(place, world)
            if code:
                admin1[code] = admin1.get(code, 0) + 1
        return cls(
            tuple(unique.values()),
            countries,
            admin1,
            {key: tuple(found) for key, found in by_key.items()},
            tuple(
                (p.id, _radians(p))
                for p in unique.values()
                if p.kind not in ("country", "continent")
            ),
            {},
        )

    def others(self, key: str, world: WorldIndex | None) -> _Others:
        """Return the evidence of every name but ``key`` (a name is no evidence for itself)."""
        found = self.without.get(key)
        if found is None:
            own = self.by_key.get(key, ())
            ids = {p.id for p in own}
            own_countries: dict[str, int] = {}
            own_admin1: dict[str, int] = {}
            for p in own:
                own_countries[p.country] = own_countries.get(p.country, 0) + 1
                code = _admin1(p, world)
                own_admin1[code] = own_admin1.get(code, 0) + 1
            found = self.without[key] = _Others(
                countries=frozenset(
                    c for c, n in self.countries.items() if n > own_countries.get(c, 0)
                ),
                admin1=frozenset(c for c, n in self.admin1.items() if n > own_admin1.get(c, 0)),
                points=tuple(point for other, point in self.points if other not in ids),
            )
        return found


@dataclass(frozen=True, slots=True)
class _Others:
    """The evidence of a document's other names: what a candidate for one name is scored by."""

    countries: frozenset[str]  # the countries other names support
    admin1: frozenset[str]  # the first-level regions other names support
    points: tuple[tuple[float, float, float], ...]  # other places' points, in radians


def _admin1(place: Place, world: WorldIndex | None) -> str:
    if world is None or place.kind not in ("region", "city"):
        return ""
    return world.admin1(place)


_REGION_WORDS = frozenset(
    "state province governorate region oblast prefecture county district territory".split()
)
_CITY_WORDS = frozenset("city town village municipality".split())


_COUNTY_WORDS = frozenset(("county", "parish", "lga"))
# "Marion and Polk counties", "Cook, Lake and DuPage counties": each name is a county.
_COUNTIES_AFTER = re.compile(
    r"(?:,\s+[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?)*,?\s+(?:and|or|&)\s+"
    r"[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?\s+(counties|parishes)\b"
)
_COUNTIES_WORDS = frozenset(("counties", "parishes"))
# Nigeria's counties: "Gwoza Local Government Area", "Gwoza Local Government"
_LGA = re.compile(r"\s+local\s+government\b", re.I)


def _kind_hint(text: str, match: _Match, regions: Sequence[tuple[int, int]]) -> str:
    """Return "region" for "Washington state", "city" for "Idlib city", else "".

    "county" for "Hamilton County" and "County of Hamilton": a county, never a town; for
    each name of "Marion and Polk counties" too, and "parish" for each of "Orleans and
    Jefferson parishes".
    """
    after, previous = match.after, match.before
    if after is None or previous is None:
        lo, hi = _region_floor(regions, match.start)
        after = _next_word(text, match.end, hi) if after is None else after
        previous = _previous_word(text, match.start, lo) if previous is None else previous
    after = after.lower()
    before, before_start, _ = previous
    before = before.lower()
    if after in _COUNTY_WORDS or (after == "local" and _LGA.match(text, match.end)):
        return "county"
    listed = _COUNTIES_AFTER.match(text, match.end)
    if after in _COUNTIES_WORDS or listed:
        # One of several counties: a region of that name where the index has one (Kent
        # and Essex are English counties), else a county (US counties are no regions);
        # parishes are Louisiana's counties.
        plural = listed.group(1).lower() if listed else after
        if plural == "parishes":
            return "parish"
        return "region" if any(p.kind == "region" for p in match.places) else "county"
    if before == "of":
        lo = _region_floor(regions, match.start)[0]
        if _previous_word(text, before_start, lo)[0] == "County":
            return "county"
    if after in _REGION_WORDS or before in ("state", "province"):
        return "region"
    if after in _CITY_WORDS or before in ("city", "town"):
        return "city"
    return ""


_LIST_JOINERS = frozenset({", ", " and ", " or ", ", and ", ", or ", " & "})


def _list_hints(text: str, matches: list[_Match], hints: list[str]) -> list[str]:
    """Read a name listed with a region as a region too ("Oregon or Washington")."""

    def region(j: int) -> bool:
        places = matches[j].places
        return bool(places) and places[0].kind == "region" and hints[j] in ("", "region")

    listed = list(hints)
    for i, match in enumerate(matches):
        places = match.places
        if hints[i] or len(places) < 2 or places[0].kind != "city":
            continue
        if not any(p.kind == "region" for p in places):
            continue
        before = i > 0 and text[matches[i - 1].end : match.start] in _LIST_JOINERS
        after = i + 1 < len(matches) and text[match.end : matches[i + 1].start] in _LIST_JOINERS
        if (before and region(i - 1)) or (after and region(i + 1)):
            listed[i] = "region"
    return listed


def _qualifier(
    text: str, matches: list[_Match], index: int, regions: Sequence[tuple[int, int]]
) -> _Match | None:
    """Return the match qualifying this one after a comma ("Geneva, New York")."""
    if index + 1 >= len(matches):
        return None
    match, following = matches[index], matches[index + 1]
    between = text[match.end : following.start]
    if between.strip() != "," or "\n" in between:
        return None
    kinds = {p.kind for p in following.places}
    if not kinds & {"country", "region"}:
        return None
    return following


def _inside(place: Place, container: Place, world: WorldIndex | None) -> bool:
    if container.kind == "country":
        return place.country == container.country and place.id != container.id
    if container.kind == "region" and world is not None:
        code = world.admin1(container)
        return bool(code) and world.admin1(place) == code and place.id != container.id
    return False


def _choose(
    match: _Match,
    qualifier: _Match | None,
    hint: str,
    evidence: _Evidence,
    world: WorldIndex | None,
) -> tuple[Place | None, float]:
    candidates = match.places
    if not candidates:
        return None, 0.0
    if match.origin == "demonym":
        return candidates[0], match.confidence
    if qualifier is not None:
        inside = [
            p
            for p in candidates
            if any(
                _inside(p, q, world) for q in qualifier.places if q.kind in ("country", "region")
            )
        ]
        if inside:
            best = max(inside, key=lambda p: (p.origin == "curated", p.population))
            return best, 0.9
    if match.origin == "curated":
        curated = [p for p in candidates if p.origin == "curated"]
        return curated[0], match.confidence if len(curated) == 1 else 0.85
    if hint in ("county", "parish"):
        # "Hamilton County" is no town called Hamilton: a county of that name, or nothing.
        candidates = world.counties(match.key) if world is not None else ()
        if hint == "parish":  # "Orleans and Jefferson parishes": Louisiana's, by name
            candidates = tuple(p for p in candidates if p.name.endswith(" Parish"))
        if not candidates:
            return None, 0.0
        if len(candidates) == 1:
            return candidates[0], 0.8
    elif hint:
        hinted = [p for p in candidates if p.kind == hint]
        if hinted:
            candidates = tuple(hinted)
    if len(candidates) == 1:
        return candidates[0], 0.85 if not match.common else 0.6
    # Score the candidates likeliest first, and stop once no other could reach the
    # second best: the best two (all the answer needs) are those of scoring them all.
    key = match.key
    others = evidence.others(key, world)
    # The best two so far as (score, index, place); the earlier candidate wins a tie.
    first: tuple[float, int, Place] | None = None
    second: tuple[float, int, Place] | None = None
    for bound, i in _bounds(candidates):
        if second is not None and bound < second[0]:
            break
        place = candidates[i]
        score = _score(place, key, others, world)
        if first is None or score > first[0] or (score == first[0] and i < first[1]):
            first, second = (score, i, place), first
        elif second is None or score > second[0] or (score == second[0] and i < second[1]):
            second = (score, i, place)
    assert first is not None and second is not None  # two candidates or more
    best_score, _, best = first
    margin = best_score - second[0]
    confidence = 0.5 + 0.4 * margin / (margin + 1.0)
    if match.common:
        confidence = min(confidence, 0.6)
    return best, confidence


_KIND_SCORE = {"continent": 9.0, "country": 10.0, "region": 0.0, "city": 0.0}
# Evidence weights, in units of a tenfold population.
_W_COUNTRY = 1.0  # the candidate lies in a country the document names
_W_ADMIN1 = 1.0  # ... in a first-level region the document names or places
_W_NEAR = 1.0  # ... near another place of the document (falls to 0 at _NEAR_KM)
_NEAR_KM = 100.0
_W_ALTERNATE = 1.5  # the name is only an alternate name of the candidate


def _bound(place: Place) -> float:
    """Return more than :func:`_score` can give the place, whatever the evidence."""
    return _profile(place)[1] + _W_COUNTRY + _W_ADMIN1 + _W_NEAR + 1e-6


_BOUNDS: dict[int, tuple[tuple[Place, ...], list[tuple[float, int]]]] = {}


def _bounds(candidates: tuple[Place, ...]) -> list[tuple[float, int]]:
    """Return ``(bound, index)`` of each candidate, highest first (worked out once)."""
    found = _BOUNDS.get(id(candidates))
    if found is None or found[0] is not candidates:
        if len(_BOUNDS) > 20_000:
            _BOUNDS.clear()
        bounds = sorted(((_bound(p), i) for i, p in enumerate(candidates)), reverse=True)
        found = _BOUNDS[id(candidates)] = (candidates, bounds)
    return found[1]


# What scoring a place needs besides the evidence, worked out once per place:
# (place, score without evidence, key of its own name or None, point in radians, whether
# it may lie in a first-level region).
_Profile = tuple[Place, float, "str | None", tuple[float, float, float], bool]
_PROFILES: dict[int, _Profile] = {}


def _profile(place: Place) -> _Profile:
    """Return what scoring the place needs besides the evidence (see _PROFILES).

    The key of its own name is None unless a name other than it costs the place
    _W_ALTERNATE.
    """
    found = _PROFILES.get(id(place))
    if found is None or found[0] is not place:
        if len(_PROFILES) > 100_000:
            _PROFILES.clear()  # bounded: a long run meets many towns
        population = place.population / 10 if place.kind == "region" else place.population
        base = math.log10(population + 10) + _KIND_SCORE.get(place.kind, 0.0)
        alternate = place.origin == "geonames" and place.population < 1_000_000
        lat, lon = math.radians(place.lat), math.radians(place.lon)
        found = _PROFILES[id(place)] = (
            place,
            base,
            bare_key(place.name) if alternate else None,
            (lat, lon, math.cos(lat)),
            place.kind in ("region", "city"),
        )
    return found


def _radians(place: Place) -> tuple[float, float, float]:
    """Return a place's latitude and longitude in radians and the latitude's cosine."""
    return _profile(place)[3]


# No point further apart in latitude than this (in radians) is within _NEAR_KM.
_NEAR_LAT = (_NEAR_KM + 1.0) / 6371.0088


def _score(place: Place, key: str, others: _Others, world: WorldIndex | None) -> float:
    found = _PROFILES.get(id(place))
    if found is None or found[0] is not place:
        found = _profile(place)
    _, score, primary, (lat1, lon1, cos1), regional = found
    country = place.country
    if country and country in others.countries:
        score += _W_COUNTRY
    if regional and world is not None:
        code = world.admin1(place)
        if code and code in others.admin1:
            score += _W_ADMIN1
    if primary is not None and primary != key and primary != bare_key(key):
        score -= _W_ALTERNATE
    nearest = math.inf
    if others.points:
        sin, asin, sqrt = math.sin, math.asin, math.sqrt
        for lat2, lon2, cos2 in others.points:
            if abs(lat2 - lat1) > _NEAR_LAT:
                continue  # too far to count, whatever the longitudes
            # the great-circle distance in km (haversine; precise enough to rank)
            h = sin((lat2 - lat1) / 2) ** 2 + cos1 * cos2 * sin((lon2 - lon1) / 2) ** 2
            distance = 2 * 6371.0088 * asin(min(1.0, sqrt(h)))
            if distance < nearest:
                nearest = distance
    if nearest < _NEAR_KM:
        score += _W_NEAR * (1 - nearest / _NEAR_KM)
    return score


def article_spans(article: Article) -> tuple[tuple[int, int], ...]:
    """Return the spans of an article to search: its body and its dateline place.

    The dateline ("MOSCOW, October 7. /TASS/.") is left out of ``Article.body`` but names
    where the report was filed, so its place word is searched too.
    """
    spans = list(article.body)
    if article.dateline:
        start = article.text.find(article.dateline)
        if start >= 0:
            spans.append((start, start + len(article.dateline)))
    return tuple(sorted(spans))


def find_article_mentions(
    article: Article,
    gazetteer: Gazetteer,
    *,
    world: WorldIndex | None = None,
    features: bool = True,
) -> tuple[Mention, ...]:
    """Find the places an article names in its body and dateline (see find_mentions).

    Generic feature phrases ("humanitarian corridors") are included unless ``features``
    is false; several mentions may then share one span.
    """
    spans = article_spans(article)
    return find_mentions(article.text, gazetteer, world=world, spans=spans, features=features)
