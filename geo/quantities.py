"""Read counts written in news English: digits, separators, number words and ranges.

Hand-rolled on purpose: the libraries that read number words (word2number, text2num)
either accept any word salad or drop the ranges and vague quantities a reporter writes,
and the whole vocabulary a count in a report needs is a small table.

Vague quantities ("hundreds", "several thousand", "dozens") are *not* counts: they give
``None``, so that a fatality figure is null when a report gives no number, never a guess.
A range ("200,000-250,000") gives its lower bound, the figure the report vouches for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS: dict[str, int] = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "dozen": 12,  # only after "a"/"one"/a number: "a dozen", "two dozen"
}
_SCALES: dict[str, int] = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}
_VAGUE = frozenset({"several", "many", "some", "dozens", "hundreds", "thousands", "scores"})
_HEDGES = ("about", "around", "approximately", "nearly", "almost", "some", "over", "more than")

_NUMBER_WORD = "|".join(sorted((*_UNITS, *_SCALES), key=len, reverse=True))
_DIGITS = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?"
_WORDS = rf"(?:a\s+|an\s+)?(?:{_NUMBER_WORD})(?:(?:[\s-]+|\s+and\s+)(?:{_NUMBER_WORD}))*"
_ONE = rf"(?:{_DIGITS})(?:\s+(?:million|thousand))?|{_WORDS}"
COUNT_RE = re.compile(
    rf"(?<![\d:.,])\b(?P<count>(?:{_ONE})(?:\s*(?:-|–|—|to)\s*(?:{_ONE}))?)\b(?![.,]\d)",
    re.IGNORECASE,
)
_VAGUE_RE = re.compile(
    rf"\b(?:several|many|some|dozens|hundreds|thousands|scores)(?:\s+(?:of\s+)?(?:{_NUMBER_WORD}))?\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Count:
    """A count written in a sentence: its value (lower bound of a range) and span."""

    value: int
    text: str
    start: int
    end: int


def _words_value(words: list[str]) -> int | None:
    total = 0
    current = 0
    seen = False
    for word in words:
        if word in ("a", "an"):
            current = max(current, 1)
            continue
        if word == "and":
            continue
        if word == "dozen":
            current = (current or 1) * 12
            seen = True
        elif word in _UNITS:
            current += _UNITS[word]
            seen = True
        elif word in _SCALES:
            scale = _SCALES[word]
            if scale == 100:
                current = (current or 1) * 100
            else:
                total += (current or 1) * scale
                current = 0
            seen = True
        else:
            return None
    return total + current if seen else None


def _single_value(text: str) -> int | None:
    text = text.strip().lower()
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s+(million|thousand))?", text)
    if match:
        number = float(match.group(1).replace(",", ""))
        if match.group(2):
            number *= _SCALES[match.group(2)]
        return int(number)
    return _words_value(re.split(r"[\s-]+", text))


def parse_count(text: str) -> int | None:
    """Return the count ``text`` states, the lower bound of a range, or None when vague.

    Parameters
    ----------
    text : str
        A count as written: ``"26"``, ``"2,031"``, ``"thirteen"``, ``"a dozen"``,
        ``"200,000-250,000"``, ``"about 13,000"``.

    Returns
    -------
    int or None
        None for anything that is not a definite number (``"hundreds"``,
        ``"several thousand"``), so that an unknown figure is never read as 0.

    Examples
    --------
    >>> parse_count("12,800"), parse_count("nine"), parse_count("200,000-250,000")
    (12800, 9, 200000)
    >>> parse_count("several thousand") is None
    True
    """
    cleaned = " ".join(text.strip().lower().replace("\u00a0", " ").split())
    for hedge in _HEDGES:
        if cleaned.startswith(hedge + " "):
            cleaned = cleaned[len(hedge) + 1 :]
            break
    if not cleaned or cleaned.split()[0] in _VAGUE:
        return None
    match = COUNT_RE.fullmatch(cleaned)
    if match is None:
        return None
    low = re.split(r"\s*(?:-|–|—|\bto\b)\s*", match.group("count"), maxsplit=1)[0]
    if low.isdigit() or re.fullmatch(r"\d{1,3}(?:,\d{3})+", low):
        return _single_value(low)
    # "twenty-six" is one number, not a range: only split on a dash between two numbers
    whole = _single_value(match.group("count"))
    return whole if whole is not None else _single_value(low)


def find_counts(text: str) -> tuple[Count, ...]:
    """Return every definite count in ``text``, in order, with its character span.

    Counts preceded by a vague word ("several hundred") are left out: they are not a
    number the report states.

    Examples
    --------
    >>> [c.value for c in find_counts("26 local residents, including nine teenagers")]
    [26, 9]
    """
    vague_spans = [(m.start(), m.end()) for m in _VAGUE_RE.finditer(text)]
    counts: list[Count] = []
    for match in COUNT_RE.finditer(text):
        start, end = match.span("count")
        if any(vs <= start < ve for vs, ve in vague_spans):
            continue
        raw = match.group("count")
        if raw.lower() in ("a", "an"):
            continue
        value = parse_count(raw)
        if value is None:
            continue
        counts.append(Count(value=value, text=raw, start=start, end=end))
    return tuple(counts)
