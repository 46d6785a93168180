"""Resolve the date expressions of a sentence against the date of the article.

Absolute dates ("September 18, 2016", "26.10.2016") go through dateparser, configured
for English, a fixed relative base and no guessing; everything relative to the report
("on Saturday", "last month", "at the weekend", "the evening of the 22nd") is resolved
here with small regexes, all linear-time (no nested unbounded repetition).

Conventions (ACLED's ``time_precision``):

- 1: a day. 2: a week or an explicit range of days ("from February 27 to September 1").
  3: a month or vaguer ("in late July", "last month", "in 2012").
- A vague period is kept as a range: ``date`` is its first day and ``end_date`` its
  last ("in late July" -> 21-31 July, precision 3), so nothing is invented inside it.
- A weekday is the most recent such day on or before the article's date ("on Saturday"
  in a Sunday report is the day before; "on Sunday" in a Sunday report is that day);
  "next Tuesday" looks forward.
- A day and month without a year take the article's year, or the year before when that
  would put the date more than 60 days after the article (a January report speaking of
  "December 28").
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from dateparser.date import DateDataParser

from geo.lexicon import load_rules
from geo.quantities import parse_count

Precision = Literal[1, 2, 3]
Role = Literal["point", "from", "until"]

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH_ABBR = r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?"
_MONTH = rf"(?:{_MONTHS}|{_MONTH_ABBR})"
_MONTH_NUMBER = {name.lower()[:3]: i for i, name in enumerate(calendar.month_name) if name}
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ORD = r"(?:st|nd|rd|th)"
_YEAR = r"(?:1[89]|20)\d{2}"
_PART = r"(?:early|mid|late)"

# A day and month, optionally a year: "September 18, 2016", "18 September", "Oct. 20".
_DAY_MONTH = (
    rf"(?:{_MONTH}\s+\d{{1,2}}{_ORD}?(?!\d)|\d{{1,2}}{_ORD}?\s+(?:of\s+)?{_MONTH})"
    rf"(?:,?\s+{_YEAR})?(?!\d)"
)
# One end of a range: a day and month, or a part of a month ("late February").
_END = rf"(?:{_DAY_MONTH}|(?:{_PART}[\s-]+)?{_MONTH}(?:\s+{_YEAR})?)"

_RANGE_RE = re.compile(
    rf"\b(?:[Ff]rom|[Bb]etween)\s+(?P<a>{_END})\s*(?:to|and|until|till|through|-|–)\s*(?P<b>{_END})"
)
_PAIR_RE = re.compile(
    rf"\b(?P<month>{_MONTH})\s+(?P<d1>\d{{1,2}}){_ORD}?\s*(?:and|&|,)\s*(?P<d2>\d{{1,2}}){_ORD}?"
    rf"(?!\d)(?:,?\s+(?P<year>{_YEAR}))?(?!\d)(?!\s+[a-z])"  # not "October 10, 12 people"
)
_ABS_RE = re.compile(rf"\b{_DAY_MONTH}")
_NUMERIC_RE = re.compile(
    r"(?<![\d.])(?:(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})"
    r"|(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2}))(?![\d.]\d)"
)
_PERIOD_RE = re.compile(
    r"\b(?i:in|since|during|by|until|till|from|of|through|throughout|last|this)\s+"
    rf"(?:(?P<part>{_PART})[\s-]+)?(?P<month>{_MONTH})(?:\s+(?P<year>{_YEAR}))?\b(?!\s*\d)"
)
_PART_RE = re.compile(
    rf"\b(?P<part>{_PART})[\s-]+(?P<month>{_MONTH})(?:\s+(?P<year>{_YEAR}))?\b(?!\s*\d)"
)
# "In 2014, ...": a sentence may open with it
_YEAR_RE = re.compile(rf"\b(?i:in|since|during|by|until|of)\s+(?P<year>{_YEAR})\b(?![\d-])")
_WEEKDAY_RE = re.compile(
    r"\b(?:(?P<mod>[Ll]ast|[Nn]ext|[Tt]his)\s+)?(?P<wd>" + "|".join(_WEEKDAYS) + r")\b"
)
_RELATIVE_RE = re.compile(
    r"\b(?P<rel>the\s+day\s+before\s+yesterday|yesterday|today|tonight"
    r"|(?:earlier\s+)?(?:last|this|past)\s+(?:week|month|year)"
    r"|(?:at|over|on|during|this|last)\s+the\s+weekend|(?:this|last)\s+weekend)\b",
    re.IGNORECASE,
)
_ORDINAL_DAY_RE = re.compile(
    r"\b(?:on|until|till|by|since|from|to|of)\s+(?P<text>the\s+"
    r"(?:(?:morning|afternoon|evening|night)\s+of\s+the\s+)?(?P<day>\d{1,2})" + _ORD + r")\b"
    r"(?!\s+(?:and\s+\d|[a-z]))"
)
_BOUND_RE = re.compile(
    r"\b(?P<word>from|since|until|till|through|to)\s+(?:the\s+(?:morning|afternoon|evening|night)"
    r"\s+of\s+)?$",
    re.IGNORECASE,
)
_ORDINAL_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "twentieth": 20,
    "thirtieth": 30,
}
_DAY_COUNT_RE = re.compile(
    r"\b(?:the|for\s+the|on\s+the)\s+(?P<n>"
    + "|".join(_ORDINAL_WORDS)
    + r"|\d{1,3}(?:st|nd|rd|th))\s+(?:straight\s+|consecutive\s+)?day\b",
    re.IGNORECASE,
)
_HOURS_RE = re.compile(
    r"\b(?P<n>\d{1,3}|[a-z]+(?:-[a-z]+)?)[\s-]+hours?(?:[\s-]+long)?\b", re.IGNORECASE
)

ROLLOVER_DAYS = 60  # a yearless date later than this after the article is last year's


@dataclass(frozen=True, slots=True, kw_only=True)
class DateSpan:
    """A date expression found in a sentence and the days it stands for."""

    date: dt.date  # the first day
    end_date: dt.date | None = None  # the last day of a range or period, None for a day
    precision: Precision = 1
    text: str  # the expression as written
    start: int  # offsets into the sentence given to ``find_dates``
    end: int
    role: Role = "point"  # "from"/"until": the sentence names it as one end of a span


def _month_number(name: str) -> int:
    return _MONTH_NUMBER[name.lower()[:3]]


def _with_year(month: int, day: int, published: dt.date | None) -> dt.date | None:
    """Return ``month``/``day`` in the article's year, or the year before (rollover)."""
    if published is None:
        return None
    for year in (published.year, published.year - 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if year == published.year and (candidate - published).days > ROLLOVER_DAYS:
            continue
        return candidate
    return None


@lru_cache(maxsize=8)
def _date_parser(year: int) -> DateDataParser:
    """Return dateparser's parser for English absolute dates, relative to 1 January ``year``.

    Built once per year and reused: ``dateparser.parse`` builds its settings and tries
    every parser (relative ones too) on each call, four times the cost per date.
    """
    return DateDataParser(
        languages=["en"],
        settings={
            "RELATIVE_BASE": dt.datetime(year, 1, 1),
            "PREFER_DATES_FROM": "current_period",
            "REQUIRE_PARTS": ["day", "month"],
            "PARSERS": ["absolute-time"],
        },
    )


# A long month's name with one letter wrong, added, dropped or swapped ("Janaury 9th",
# "Feburary 12"), then a day: news copy is typed in a hurry.
_MISSPELT_RE = re.compile(
    r"\b(?P<word>[A-Z][a-z]{5,9})\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?!\s*[-:.]\d)"
    r"(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?"
)
_LONG_MONTHS = tuple(m for m in calendar.month_name if len(m) >= 6)


@lru_cache(maxsize=1024)
def _misspelt_month(word: str) -> str | None:
    """Return the long month ``word`` misspells by one letter ("Janaury"), or None."""
    if word in calendar.month_name:
        return None
    for month in _LONG_MONTHS:
        if word.startswith(month) or month.startswith(word):
            continue  # "Augusta", "Septem": another word, or a cut one
        if _one_edit(word.lower(), month.lower()):
            return month
    return None


def _one_edit(a: str, b: str) -> bool:
    """Say whether ``a`` and ``b`` differ by one letter added, dropped, changed or swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
        return len(diff) == 1 or (swapped and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _parse_day_month(text: str, published: dt.date | None) -> dt.date | None:
    """Parse "September 18, 2016" or "18 Sept" with dateparser; yearless ones roll over."""
    cleaned = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", text)
    cleaned = re.sub(r"\bof\s+", "", cleaned).replace(".", "")
    parsed = _absolute_date(cleaned, published.year if published else 2000)
    if parsed is None:
        return None
    if re.search(_YEAR + r"$", cleaned) is not None:
        return parsed
    return _with_year(parsed.month, parsed.day, published)


@lru_cache(maxsize=8192)
def _absolute_date(cleaned: str, year: int) -> dt.date | None:
    """Return what dateparser reads in a day and month, relative to 1 January ``year``.

    Kept per written date and year, not per article date: a corpus writes the same few
    hundred dates ("October 18") over and over, and dateparser takes a quarter of a
    millisecond for each.
    """
    parsed = _date_parser(year).get_date_data(cleaned).date_obj
    return parsed.date() if parsed is not None else None


def _month_period(month: int, year: int, part: str | None) -> tuple[dt.date, dt.date]:
    last = calendar.monthrange(year, month)[1]
    first_day, last_day = {
        None: (1, last),
        "early": (1, 10),
        "mid": (11, 20),
        "late": (21, last),
    }[part.lower() if part else None]
    return dt.date(year, month, first_day), dt.date(year, month, last_day)


def _period_year(month: int, written: str | None, published: dt.date | None) -> int | None:
    if written:
        return int(written)
    if published is None:
        return None
    anchor = _with_year(month, 1, published)
    return anchor.year if anchor else None


def _end_span(text: str, published: dt.date | None) -> tuple[dt.date, dt.date, Precision] | None:
    """Resolve one end of a range: a day (precision 1) or a part of a month (3)."""
    if re.fullmatch(_DAY_MONTH, text):
        day = _parse_day_month(text, published)
        return (day, day, 1) if day else None
    match = re.fullmatch(
        rf"(?:(?P<part>{_PART})[\s-]+)?(?P<month>{_MONTH})(?:\s+(?P<year>{_YEAR}))?", text
    )
    if match is None:
        return None
    month = _month_number(match.group("month"))
    year = _period_year(month, match.group("year"), published)
    if year is None:
        return None
    first, last = _month_period(month, year, match.group("part"))
    return first, last, 3


def _range(text: str, a: str, b: str, published: dt.date | None) -> tuple[dt.date, dt.date, int]:
    """Resolve "from A to B": a year written only on B applies to A too."""
    year_b = re.search(rf"({_YEAR})$", b)
    if year_b and not re.search(rf"{_YEAR}$", a):
        # resolve A as if reported on B's last day of that year
        end = _end_span(b, published)
        if end is None:
            raise ValueError(text)
        start = _end_span(a, dt.date(end[1].year, 12, 31))
        if start is None:
            raise ValueError(text)
        if start[0] > end[1]:
            start = _end_span(a, dt.date(end[1].year - 1, 12, 31))
            if start is None:
                raise ValueError(text)
    else:
        end = _end_span(b, published)
        start = _end_span(a, published)
        if start is None or end is None:
            raise ValueError(text)
    precision = max(2, start[2], end[2])
    return start[0], end[1], precision


def _weekday(name: str, mod: str | None, published: dt.date) -> dt.date:
    target = _WEEKDAYS.index(name)
    back = (published.weekday() - target) % 7
    if mod and mod.lower() == "next":
        ahead = (target - published.weekday()) % 7 or 7
        return published + dt.timedelta(days=ahead)
    if mod and mod.lower() == "last" and back == 0:
        back = 7
    return published - dt.timedelta(days=back)


def _relative(rel: str, published: dt.date) -> tuple[dt.date, dt.date | None, Precision]:
    rel = " ".join(rel.lower().split())
    if rel == "today" or rel == "tonight":
        return published, None, 1
    if rel == "yesterday":
        return published - dt.timedelta(days=1), None, 1
    if rel == "the day before yesterday":
        return published - dt.timedelta(days=2), None, 1
    if rel.endswith("weekend"):
        saturday = _weekday("Saturday", None, published)
        sunday = saturday + dt.timedelta(days=1)
        return saturday, min(sunday, max(published, saturday)), 2
    unit = rel.split()[-1]
    this = "this" in rel.split()
    if unit == "week":
        if this:
            monday = published - dt.timedelta(days=published.weekday())
            return monday, published, 2
        return published - dt.timedelta(days=7), published, 2
    if unit == "month":
        if this:
            return published.replace(day=1), published, 3
        previous = published.replace(day=1) - dt.timedelta(days=1)
        first, last = _month_period(previous.month, previous.year, None)
        return first, last, 3
    year = published.year if this else published.year - 1
    return dt.date(year, 1, 1), min(dt.date(year, 12, 31), max(published, dt.date(year, 1, 1))), 3


def _role(sentence: str, start: int) -> Role:
    match = _BOUND_RE.search(sentence[max(0, start - 40) : start])
    if match is None:
        return "point"
    return "until" if match.group("word").lower() in ("until", "till", "through", "to") else "from"


@cache
def _holidays() -> tuple[tuple[re.Pattern[str], int, int], ...]:
    """The named days of ``geo/rules/calendar.toml``: (pattern, month, day)."""
    return tuple(
        (
            re.compile(r"\b(?:" + "|".join(h["names"]) + r")\b", re.I),
            int(h["month"]),
            int(h["day"]),
        )
        for h in load_rules("calendar")["holiday"]
    )


def find_dates(sentence: str, published: dt.date | None) -> tuple[DateSpan, ...]:
    """Return the date expressions of ``sentence`` resolved against ``published``.

    Parameters
    ----------
    sentence : str
        One sentence (or any text); offsets in the result index into it.
    published : datetime.date or None
        The article's date. Without it only dates that carry their year resolve.

    Returns
    -------
    tuple of DateSpan
        In order of appearance; "September 15 and 16" gives two, a range gives one.

    Examples
    --------
    >>> sunday = dt.date(2016, 9, 18)
    >>> [d.date.isoformat() for d in find_dates("executed on Saturday", sunday)]
    ['2016-09-17']
    >>> span = find_dates("from February 27 to September 1, 2016", None)[0]
    >>> span.date.isoformat(), span.end_date.isoformat(), span.precision
    ('2016-02-27', '2016-09-01', 2)
    """
    found: list[DateSpan] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def add(
        start: int,
        end: int,
        first: dt.date,
        last: dt.date | None,
        precision: Precision,
        *,
        claim: tuple[int, int] | None = None,
    ) -> None:
        if last == first and precision == 1:
            last = None
        found.append(
            DateSpan(
                date=first,
                end_date=last,
                precision=precision,
                text=sentence[start:end],
                start=start,
                end=end,
                role=_role(sentence, start),
            )
        )
        taken.append(claim or (start, end))

    for m in _RANGE_RE.finditer(sentence):
        if not free(*m.span()):
            continue
        try:
            first, last, precision = _range(m.group(0), m.group("a"), m.group("b"), published)
        except ValueError:
            continue
        start = m.start("a")
        found.append(
            DateSpan(
                date=first,
                end_date=last,
                precision=2 if precision <= 2 else 3,
                text=sentence[start : m.end()],
                start=start,
                end=m.end(),
            )
        )
        taken.append(m.span())
    for m in _PAIR_RE.finditer(sentence):
        if not free(*m.span()):
            continue
        month = m.group("month")
        year = m.group("year") or ""
        first_text = f"{month} {m.group('d1')} {year}".strip()
        second_text = f"{month} {m.group('d2')} {year}".strip()
        one = _parse_day_month(first_text, published)
        two = _parse_day_month(second_text, published)
        if one is None or two is None or two <= one:
            continue
        add(m.start(), m.end("d1"), one, None, 1, claim=m.span())
        add(m.start("d2"), m.end(), two, None, 1, claim=(m.start("d2"), m.start("d2")))
    for pattern, month, day_of_month in _holidays():
        for m in pattern.finditer(sentence):
            if published is None or not free(*m.span()):
                continue
            named = dt.date(published.year, month, day_of_month)
            if named > published:
                named = named.replace(year=published.year - 1)
            add(m.start(), m.end(), named, None, 1)
    for m in _ABS_RE.finditer(sentence):
        if not free(*m.span()):
            continue
        day = _parse_day_month(m.group(0), published)
        if day is not None:
            add(m.start(), m.end(), day, None, 1)
    for m in _MISSPELT_RE.finditer(sentence):
        month = _misspelt_month(m.group("word"))
        if month is None or not free(*m.span()):
            continue
        written = f"{month} {m.group('day')} {m.group('year') or ''}".strip()
        day = _parse_day_month(written, published)
        if day is not None:
            add(m.start(), m.end(), day, None, 1)
    for m in _NUMERIC_RE.finditer(sentence):
        if not free(*m.span()):
            continue
        try:
            if m.group("d"):
                day = dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
            else:
                day = dt.date(int(m.group("iy")), int(m.group("im")), int(m.group("id")))
        except ValueError:
            continue
        add(m.start(), m.end(), day, None, 1)
    for pattern in (_PART_RE, _PERIOD_RE):
        for m in pattern.finditer(sentence):
            start = m.start("part") if m.group("part") else m.start("month")
            if not free(start, m.end()):
                continue
            month = _month_number(m.group("month"))
            year = _period_year(month, m.group("year"), published)
            if year is None:
                continue
            first, last = _month_period(month, year, m.group("part"))
            add(start, m.end(), first, last, 3)
    for m in _YEAR_RE.finditer(sentence):
        if not free(m.start("year"), m.end()):
            continue
        year = int(m.group("year"))
        add(m.start("year"), m.end(), dt.date(year, 1, 1), dt.date(year, 12, 31), 3)
    if published is not None:
        for m in _WEEKDAY_RE.finditer(sentence):
            start = m.start("mod") if m.group("mod") else m.start("wd")
            if not free(start, m.end()):
                continue
            add(start, m.end(), _weekday(m.group("wd"), m.group("mod"), published), None, 1)
        for m in _RELATIVE_RE.finditer(sentence):
            if not free(*m.span()):
                continue
            rel_first, rel_last, rel_precision = _relative(m.group("rel"), published)
            add(m.start(), m.end(), rel_first, rel_last, rel_precision)
    # "the evening of the 22nd": the month of the closest date before it in the sentence
    for m in _ORDINAL_DAY_RE.finditer(sentence):
        if not free(m.start("text"), m.end()):
            continue
        earlier = [d for d in found if d.start < m.start()]
        anchor = max(earlier, key=lambda d: d.start).date if earlier else published
        if anchor is None:
            continue
        try:
            day = anchor.replace(day=int(m.group("day")))
        except ValueError:
            continue
        if earlier and day < anchor:
            # "from the 28th to the 2nd": past the month's end
            month_end = anchor.replace(day=calendar.monthrange(anchor.year, anchor.month)[1])
            try:
                day = (month_end + dt.timedelta(days=1)).replace(day=int(m.group("day")))
            except ValueError:
                continue
        add(m.start("text"), m.end(), day, None, 1)
    return tuple(sorted(found, key=lambda d: (d.start, d.end)))


def day_count(sentence: str) -> int | None:
    """Return N when the sentence says something is on its Nth day ("the eighth day").

    Examples
    --------
    >>> day_count("Aircraft the eighth day has observed a moratorium on flights")
    8
    """
    match = _DAY_COUNT_RE.search(sentence)
    if match is None:
        return None
    n = match.group("n").lower()
    if n in _ORDINAL_WORDS:
        return _ORDINAL_WORDS[n]
    return int(re.sub(r"\D", "", n))


def duration_hours(sentence: str) -> int | None:
    """Return the length in hours a sentence gives ("thirteen-hours-long talks").

    Examples
    --------
    >>> duration_hours("who held thirteen-hours-long talks in Geneva")
    13
    """
    for match in _HOURS_RE.finditer(sentence):
        value = parse_count(match.group("n"))
        if value is not None:
            return value
    return None
