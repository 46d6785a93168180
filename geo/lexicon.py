"""Load the rule files of ``geo/rules/`` once, validated, for the extractor.

The rules are data (TOML) so that a newcomer can read and extend them without touching
code: each file says at its top what its entries mean, and every entry carries examples
that ``tests/test_rules.py`` checks.
"""

from __future__ import annotations

import re
import re._constants as _sre
import re._parser as _sre_parse
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, cast

from geo.errors import RulesError
from geo.models import EVENT_TYPES, EventType

__all__ = [
    "RULES_DIR",
    "Trigger",
    "fires",
    "load_rules",
    "parse_short_forms",
    "parse_triggers",
    "short_forms",
    "triggers",
]

RULES_DIR = Path(__file__).with_name("rules")

Scope = Literal["local", "national", "venue"]
_SCOPES: tuple[str, ...] = ("local", "national", "venue")
_MACRO_RE = re.compile(r"<([A-Z][A-Z_]*)>")


@dataclass(frozen=True, slots=True)
class Trigger:
    """Words that say an event happened, with its ACLED type and how to read it."""

    kind: str  # what the notes call it: "execution", "ceasefire", ...
    event_type: EventType
    sub_event_type: str
    pattern: re.Pattern[str]
    scope: Scope = "local"  # national: a country may stand in; venue: needs a city or finer
    fatal: bool = False
    needs: re.Pattern[str] | None = None  # the sentence must also match this
    examples: tuple[str, ...] = ()
    not_examples: tuple[str, ...] = ()


@cache
def load_rules(name: str) -> dict[str, Any]:
    """Return the parsed TOML rule file ``geo/rules/<name>.toml``.

    Raises
    ------
    RulesError
        When the file is missing or is not valid TOML (the message names the file).
    """
    path = RULES_DIR / f"{name}.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RulesError(f"{path.name}: {exc}") from exc


def _expand(text: str, macros: dict[str, str], where: str, depth: int = 0) -> str:
    if depth > 5:
        raise RulesError(f"{where}: macros nest more than 5 deep")

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in macros:
            known = ", ".join(sorted(macros))
            raise RulesError(f"{where}: unknown macro <{name}>; expected one of {known}")
        return _expand(macros[name], macros, where, depth + 1)

    return _MACRO_RE.sub(one, text)


def _strings(entry: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RulesError(f"{where}: {key} must be a string or a list of strings")
    return tuple(value)


def parse_triggers(data: dict[str, Any], *, source: str = "triggers.toml") -> tuple[Trigger, ...]:
    """Build the trigger table from parsed TOML (see ``geo/rules/triggers.toml``)."""
    macros = data.get("macros", {})
    if not isinstance(macros, dict) or not all(isinstance(v, str) for v in macros.values()):
        raise RulesError(f"{source}: [macros] must map names to strings")
    result: list[Trigger] = []
    seen: set[str] = set()
    for index, entry in enumerate(data.get("trigger", []), start=1):
        where = f"{source}: trigger {index}"
        kind = entry.get("kind")
        if not isinstance(kind, str) or not kind:
            raise RulesError(f"{where}: 'kind' missing; expected a name such as \"shooting\"")
        where = f"{source}: trigger {index} ({kind})"
        if kind in seen:
            raise RulesError(f"{where}: kind given twice")
        seen.add(kind)
        event_type = entry.get("event_type")
        if event_type not in EVENT_TYPES:
            raise RulesError(
                f"{where}: event_type {event_type!r}; expected one of {', '.join(EVENT_TYPES)}"
            )
        scope = entry.get("scope", "local")
        if scope not in _SCOPES:
            raise RulesError(f"{where}: scope {scope!r}; expected one of {', '.join(_SCOPES)}")
        pieces = _strings(entry, "pattern", where)
        if not pieces:
            raise RulesError(f"{where}: 'pattern' missing")
        source_pattern = _expand("|".join(pieces), macros, where)
        try:
            pattern = re.compile(source_pattern, re.I)
        except re.error as exc:
            raise RulesError(f"{where}: pattern is not a regular expression: {exc}") from exc
        needs = None
        if "needs" in entry:
            try:
                needs = re.compile(_expand(str(entry["needs"]), macros, where), re.I)
            except re.error as exc:
                raise RulesError(f"{where}: needs is not a regular expression: {exc}") from exc
        result.append(
            Trigger(
                kind=kind,
                event_type=cast(EventType, event_type),
                sub_event_type=str(entry.get("sub_event_type", "")),
                pattern=pattern,
                scope=cast(Scope, scope),
                fatal=bool(entry.get("fatal", False)),
                needs=needs,
                examples=_strings(entry, "examples", where),
                not_examples=_strings(entry, "not_examples", where),
            )
        )
    if not result:
        raise RulesError(f"{source}: no [[trigger]] entries")
    return tuple(result)


@cache
def triggers() -> tuple[Trigger, ...]:
    """Return the trigger table of ``geo/rules/triggers.toml``, in its order."""
    return parse_triggers(load_rules("triggers"))


def parse_short_forms(data: dict[str, Any]) -> tuple[tuple[str, str, str], ...]:
    """Read parsed ``short_forms.toml``: ``(country, short form, region name)`` rows.

    Raises
    ------
    RulesError
        Naming the table and key that is not a two-letter country of short forms to names.
    """
    rows = []
    for country, table in data.items():
        if country == "examples":
            continue
        if not (len(country) == 2 and country.isupper() and isinstance(table, dict)):
            raise RulesError(
                f"short_forms.toml: [{country}] should be a table named by a two-letter "
                "country code (ISO 3166-1 alpha-2)"
            )
        for short, name in table.items():
            if not isinstance(name, str) or not name.strip() or not short.strip():
                raise RulesError(
                    f"short_forms.toml: [{country}] {short!r} should name a region (a string)"
                )
            rows.append((country, short, name))
    return tuple(rows)


@cache
def short_forms() -> tuple[tuple[str, str, str], ...]:
    """Return ``geo/rules/short_forms.toml``: ``(country, short form, region name)`` rows."""
    return parse_short_forms(load_rules("short_forms"))


def fires(trigger: Trigger, sentence: str) -> re.Match[str] | None:
    """Return the trigger's first match in ``sentence`` when everything it needs is there."""
    if trigger.needs is not None and trigger.needs.search(sentence) is None:
        return None
    return trigger.pattern.search(sentence)


#: Shortest word a screen may look for: shorter ones ("a", "of") would pass every sentence.
_MIN_WORD = 3
_ZERO_WIDTH = (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT)


def required_words(pattern: str) -> frozenset[str] | None:
    """Return words one of which every match of ``pattern`` contains, or None.

    Read from the pattern's parse: a run of literal characters in every match, or, for an
    alternation, one such run from each alternative. The screen of the event triggers
    looks for these words in a sentence (one Aho-Corasick pass) before it runs any
    pattern. The pattern is read in lower case, as the screen reads sentences.

    Examples
    --------
    >>> sorted(required_words(r"\\b(?:opened\\s+fire|gunfire)\\b"))
    ['gunfire', 'opened']
    >>> required_words(r"\\b\\w+\\b") is None
    True
    """
    return _required(_sre_parse.parse(pattern.lower()))


def _required(ops: Any) -> frozenset[str] | None:
    options: list[frozenset[str]] = []
    run: list[str] = []

    def close() -> None:
        if len(run) >= _MIN_WORD:
            options.append(frozenset(("".join(run),)))
        run.clear()

    for op, arg in ops:
        if op is _sre.LITERAL:
            run.append(chr(arg))
            continue
        if op in _ZERO_WIDTH:
            continue  # "\\b", a look-around: consumes nothing, the run goes on
        close()
        found: frozenset[str] | None = None
        if op is _sre.SUBPATTERN:
            found = _required(arg[3])
        elif op is _sre.BRANCH:
            branches = [_required(branch) for branch in arg[1]]
            if all(b is not None for b in branches):
                found = frozenset().union(*(b for b in branches if b is not None))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and arg[0] >= 1:
            found = _required(arg[2])
        if found is not None:
            options.append(found)
    close()
    if not options:
        return None
    # the fewest words, then the longest shortest word: the most selective screen
    return min(options, key=lambda o: (len(o), -min(len(w) for w in o)))
