"""Every rule file's own examples: each trigger fires on its examples and not on its
counter-examples, and the modality cues read each example sentence as its label says."""

from __future__ import annotations

import re

import pytest

from geo.errors import RulesError
from geo.events import _fatalities, _not_scene, _one_dead, _sentence_triggers, _typed_by_actors
from geo.gazetteer import Gazetteer
from geo.geoparse import find_mentions
from geo.lexicon import load_rules, parse_short_forms, parse_triggers, short_forms, triggers
from geo.models import Mention, Place
from geo.nlp import irrealis, modality, parse
from geo.world import WorldIndex

TRIGGERS = triggers()
_PLACE = Place(id="x", name="X", kind="city", lat=0.0, lon=0.0, country="XX")


@pytest.mark.parametrize(
    ("kind", "sentence"),
    [pytest.param(t.kind, ex, id=f"{t.kind}: {ex[:40]}") for t in TRIGGERS for ex in t.examples],
)
def test_a_trigger_fires_on_its_examples(kind: str, sentence: str) -> None:
    assert kind in {t.kind for t, _ in _sentence_triggers(sentence)}


@pytest.mark.parametrize(
    ("kind", "sentence"),
    [
        pytest.param(t.kind, ex, id=f"{t.kind}: {ex[:40]}")
        for t in TRIGGERS
        for ex in t.not_examples
    ],
)
def test_a_trigger_does_not_fire_on_its_counter_examples(kind: str, sentence: str) -> None:
    assert kind not in {t.kind for t, _ in _sentence_triggers(sentence)}


def test_every_trigger_has_an_example() -> None:
    assert [t.kind for t in TRIGGERS if not t.examples] == []


_EXAMPLES = modality().examples


@pytest.mark.parametrize(
    ("label", "sentence", "word"),
    [
        pytest.param(label, sentence, word, id=f"{label}: {sentence[:50]}")
        for label in ("realis", "irrealis")
        for sentence, word in _EXAMPLES[label]
    ],
)
def test_modality_reads_each_example_as_labelled(label: str, sentence: str, word: str) -> None:
    at = sentence.index(word)
    reason = irrealis(parse(sentence), at, at + len(word))
    assert (reason is None) == (label == "realis"), reason


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"trigger": [{"event_type": "Battles", "pattern": "x"}]}, "trigger 1: 'kind' missing"),
        (
            {"trigger": [{"kind": "k", "event_type": "Battle", "pattern": "x"}]},
            "event_type 'Battle'; expected one of Battles",
        ),
        (
            {"trigger": [{"kind": "k", "event_type": "Battles", "pattern": "(x"}]},
            r"trigger 1 \(k\): pattern is not a regular expression",
        ),
        (
            {"trigger": [{"kind": "k", "event_type": "Battles", "pattern": "<NOPE>"}]},
            "unknown macro <NOPE>",
        ),
        (
            {"trigger": [{"kind": "k", "event_type": "Riots", "pattern": "x", "scope": "world"}]},
            "scope 'world'; expected one of local, national, venue",
        ),
        ({}, "no \\[\\[trigger\\]\\] entries"),
    ],
)
def test_a_bad_rule_file_says_which_entry_and_what_was_expected(
    data: dict[str, object], message: str
) -> None:
    with pytest.raises(RulesError, match=message):
        parse_triggers(data)


def test_trigger_patterns_keep_the_screen_exact() -> None:
    # the lower-cased combined screen is exact only for ASCII patterns without upper-case
    # escapes (see geo/events.py)
    for t in TRIGGERS:
        assert t.pattern.pattern.isascii(), t.kind
        assert not re.search(r"(?<!\\)\\[SWDBAZ]", t.pattern.pattern), t.kind


_PLACES = load_rules("places")["examples"]


@pytest.mark.parametrize(
    ("label", "sentence", "name"),
    [
        pytest.param(label, sentence, name, id=f"{label}: {sentence[:50]}")
        for label in (
            "destination",
            "not_destination",
            "residence",
            "not_residence",
            "name",
            "not_name",
            "club",
            "not_club",
        )
        for sentence, name in _PLACES[label]
    ],
)
def test_a_place_before_its_words_is_or_is_not_the_scene(
    label: str, sentence: str, name: str
) -> None:
    at = sentence.index(name)
    mention = Mention(text=name, start=at, end=at + len(name), place=_PLACE)
    expected = "" if label.startswith("not_") else label
    assert _not_scene(sentence, mention) == expected


_ACTORS = load_rules("actors")["examples"]


@pytest.mark.parametrize("sentence", _ACTORS["one_dead"])
def test_one_person_dead_with_no_count(sentence: str) -> None:
    (trigger, match), *_ = _sentence_triggers(sentence)
    assert _one_dead(sentence, match)


@pytest.mark.parametrize("sentence", _ACTORS["crowd_attack"])
def test_an_attack_by_a_crowd_is_mob_violence(sentence: str) -> None:
    (trigger, _), *_ = _sentence_triggers(sentence)
    assert _typed_by_actors(trigger, sentence) == ("Riots", "Mob violence")


_CASUALTIES = load_rules("casualties")["examples"]


@pytest.mark.parametrize("sentence", _CASUALTIES["non_violent"] + _CASUALTIES["aggregate"])
def test_a_count_of_the_dead_that_is_no_event(sentence: str) -> None:
    kinds = {t.kind for t, _ in _sentence_triggers(sentence)}
    assert not kinds & {"casualties", "killing of civilians", "killing of combatants"}, kinds


@pytest.mark.parametrize(("sentence", "dead"), _CASUALTIES["dead"])
def test_only_the_people_the_parse_says_died_are_counted(sentence: str, dead: int) -> None:
    assert (_fatalities(sentence)[0] or 0) == dead


_CONFLICT_ACTORS = [
    (conflict["name"], actor["name"], example)
    for conflict in load_rules("conflicts")["conflict"]
    for actor in conflict["actor"]
    for example in actor.get("examples", ())
]


@pytest.mark.parametrize(("conflict", "name", "sentence"), _CONFLICT_ACTORS)
def test_each_conflicts_actor_is_found_in_its_examples(
    conflict: str, name: str, sentence: str
) -> None:
    from geo.events import _ACTORS, _actor_hits

    table = tuple(a for a in _ACTORS if a.name == name)
    assert [n for _, n in _actor_hits(sentence, table, "Congo")] == [
        name.format(country="Congo")
    ], conflict


def test_the_syrian_war_table_applies_to_syria_only() -> None:
    from geo.events import _actor_table

    syria = Place(id="s", name="Aleppo", kind="city", lat=36.2, lon=37.2, country="SY")
    mali = Place(id="m", name="Mopti", kind="city", lat=14.5, lon=-4.2, country="ML")

    def names(place: Place) -> set[str]:
        mention = Mention(text=place.name, start=0, end=len(place.name), place=place)
        return {a.name for a in _actor_table([mention])}

    assert "Militants" in names(syria)
    assert "Militants" not in names(mali)
    assert "Unidentified Armed Group ({country})" in names(mali)


_SHORT_FORM_EXAMPLES = load_rules("short_forms")["examples"]


@pytest.mark.parametrize(
    ("sentence", "town", "country"),
    [pytest.param(*example, id=example[0][:50]) for example in _SHORT_FORM_EXAMPLES],
)
def test_a_short_form_after_a_town_places_both_in_its_country(
    sentence: str, town: str, country: str, gazetteer: Gazetteer, world: WorldIndex
) -> None:
    found = {m.text: m.place for m in find_mentions(sentence, gazetteer, world=world)}
    short = sentence[sentence.index(town) + len(town) + 2 :].split()[0].rstrip(",")
    assert (found[town].kind, found[town].country) == ("city", country), found
    assert (found[short].kind, found[short].country) == ("region", country), found


def test_every_short_form_names_a_region_of_its_country(world: WorldIndex) -> None:
    missing = [
        (country, short)
        for country, short, _ in short_forms()
        if (place := world.state_abbreviation(short)) is None or place.country != country
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"Canada": {"Ont.": "Ontario"}}, r"\[Canada\] should be a table named by a two-letter"),
        ({"CA": "Ontario"}, r"\[CA\] should be a table"),
        ({"CA": {"Ont.": 7}}, r"\[CA\] 'Ont\.' should name a region"),
    ],
)
def test_a_bad_short_form_says_which_and_what_was_expected(
    data: dict[str, object], message: str
) -> None:
    with pytest.raises(RulesError, match=message):
        parse_short_forms(data)


@pytest.mark.parametrize(
    ("text", "phrase", "part"),
    [
        pytest.param(*example, id=f"{example[1]} -> {example[2] or 'none'}: {example[0][:40]}")
        for example in load_rules("places")["examples"]["city_part"]
    ],
)
def test_a_direction_alone_is_the_part_of_the_paragraphs_city(
    text: str, phrase: str, part: str, gazetteer: Gazetteer, world: WorldIndex
) -> None:
    found = find_mentions(text, gazetteer, world=world, features=True)
    at = text.index(phrase)
    placed = [m.place.id for m in found if (m.start, m.end) == (at, at + len(phrase))]
    assert placed == ([part] if part else []), found
