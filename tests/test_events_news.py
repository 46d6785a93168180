"""Reports of our own from other wars and cities, read end to end: the classes the
extractor learnt on real news (shootings, stabbings, who is no place, a headline told
again, background and plans), each a row that names what a user would see on the map."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.articles import parse_article
from geo.events import Extraction, extract
from geo.gazetteer import Gazetteer
from geo.geoparse import find_mentions
from geo.lexicon import load_rules
from geo.world import WorldIndex, bare_key

D = dt.date

LAGOS = (
    "Gunmen kill trader in Lagos market attack\n\n"
    "LAGOS, June 3, 2024 (Wire) - Gunmen opened fire at a market in Lagos on Sunday, killing a "
    "trader, police said. Chidi Okafor, 41, was shot in the chest, a witness said.\n\n"
    "A man from Ibadan was arrested on Monday. Traders plan to protest outside the state "
    "assembly next week.\n"
)
IRPIN = (
    "Drones strike Kyiv suburb\n\n"
    "KYIV, May 10, 2024 (Wire) - Drones struck an apartment block in Irpin on Thursday, the "
    "regional governor said. In March 2022, Russian troops captured the town and held it for "
    "a month.\n"
)
CARACAS = (
    "Protest at embassy\n\n"
    "CARACAS, August 3, 2024 (Wire) - Hundreds of protesters waving US flags gathered outside "
    "the embassy in Caracas on Saturday, witnesses said.\n"
)
GLASGOW = (
    "Man stabbed outside pub\n\n"
    "GLASGOW, March 9, 2024 (Wire) - Ian Reid, 29, known as Paris, was stabbed outside a pub "
    "in Glasgow on Friday night, police said. A 30-year-old man from Dundee was arrested on "
    "Saturday.\n"
)

OMDURMAN = (
    "Army fires on Omdurman\n\n"
    "KHARTOUM, May 2, 2024 (Wire) - Paramilitary forces fired on Omdurman on Tuesday, "
    "residents said.\n"
)

GAO = (
    "Two soldiers killed by roadside bomb in Mali\n\n"
    "BAMAKO, July 12, 2024 (Wire) - A soldier was killed by a roadside bomb near Gao on "
    "Thursday, the army said. Two soldiers, Sgt Paul Martin of Lyon and a Malian comrade, died "
    "in the blast, the army said on Friday. The explosion happened close to a checkpoint.\n"
)
POZNAN = (
    "Bus driver attacked\n\n"
    "POZNAN, March 5, 2024 (Wire) - A man attacked a bus driver in Poznan on Monday, police "
    "said. He smashed the windows of the bus before fleeing on foot. Protesters burned Israeli "
    "and US flags outside the embassy in Amman on Friday.\n"
)

LEEDS = (
    "Boy hurt as man attacks car\n\nMay 7, 2024\n\n"
    "A boy was hurt when a man attacked his father's car in Leeds.\n\n"
    "A six-year-old boy was cut by flying glass after a man smashed the car's windows in a "
    "brazen attack yesterday, police said.\n"
)

CLUB = (
    "Leeds United charged over bus attack\n\n"
    "GLASGOW, October 3, 2024 (Wire) - Fans threw bottles and flares at the team bus as it "
    "arrived at the stadium in Glasgow on Wednesday evening, police said. Leeds United were "
    "charged over the bus attack on Thursday.\n"
)

SHEFFIELD = (
    "Shopkeeper stabbed\n\n"
    "SHEFFIELD, July 10, 2024 (Wire) - A man stabbed a shopkeeper in Sheffield on Monday, "
    "police said. Officers soon arrested a 32-year-old man nearby.\n"
)

MARSEILLE = (
    "Trouble at the semi-final\n\nApril 5, 2024\n\n"
    "Marseille hosted the Europa League semi-final on Thursday evening.\n\n"
    "10:14, France, Friday 05 April 2024.\n\n"
    "Fans threw bottles at police inside the stadium as the Europa League semi-final took "
    "place.\n"
)

SOWETO = (
    "Police shoot man in Soweto\n\n"
    "JOHANNESBURG, May 9, 2024 (Wire) - Police shot dead a man in Soweto on Wednesday, "
    "officials said. Later a crowd of about 300 people gathered at the scene, shouting at "
    "officers.\n"
)

PECKHAM = (
    "Teenager shot in London\n\n"
    "LONDON, June 4, 2024 (Wire) - A teenager was shot on the North Peckham Estate, in south "
    "east London, on Monday, police said.\n"
)


# Tolls summed over months, beside a total of one day's dead.
KHARTOUM_TOLL = (
    "Monitors count the dead of the siege\n\n"
    "KHARTOUM, October 2, 2024 (Wire) - Between April 15 and September 30, 2024, a total of "
    "2,400 civilians were killed in Khartoum, the doctors' union said. On Tuesday an air strike "
    "killed 14 people at a market in Omdurman, witnesses said.\n"
)
DONETSK_TOLL = (
    "A summer of shelling\n\n"
    "KYIV, September 5, 2024 (Wire) - From June 1 to August 31, shelling killed 310 civilians "
    "in the Donetsk region, the regional governor said. A total of 9 people were killed when a "
    "missile hit a bus station in Kramatorsk on Wednesday, he said.\n"
)


def _read(text: str, gazetteer: Gazetteer, world: WorldIndex) -> Extraction:
    article = parse_article(text)
    mentions = find_mentions(article.text, gazetteer, world=world, spans=article.body)
    return extract(article, mentions, gazetteer)


# (report, evidence starts with, type, sub-type, date, place, geo_precision, fatalities)
ROWS = [
    pytest.param(
        LAGOS,
        "Gunmen opened fire",
        ("Violence against civilians", "Attack", D(2024, 6, 2), "Lagos", 1, 1),
        id="Lagos: a shooting that killed a trader is one event with one dead",
    ),
    pytest.param(
        LAGOS,
        "A man from Ibadan",
        ("Strategic developments", "Arrests", D(2024, 6, 3), "Lagos", 3, None),
        id="Lagos: the arrested man's home town is not where he was arrested",
    ),
    pytest.param(
        IRPIN,
        "Drones struck",
        ("Explosions/Remote violence", "Air/drone strike", D(2024, 5, 9), "Irpin", 1, None),
        id="Irpin: a drone strike on Thursday, not at the KYIV dateline",
    ),
    pytest.param(
        CARACAS,
        "Hundreds of protesters",
        ("Protests", "Peaceful protest", D(2024, 8, 3), "Caracas", 2, None),
        id="Caracas: 'US flags' is no place",
    ),
    pytest.param(
        GLASGOW,
        "Ian Reid, 29, known as Paris",
        ("Violence against civilians", "Attack", D(2024, 3, 8), "Glasgow", 1, None),
        id="Glasgow: a nickname is no place; 'Friday night' before a Saturday report",
    ),
    pytest.param(
        OMDURMAN,
        "Paramilitary forces fired on Omdurman",
        (
            "Explosions/Remote violence",
            "Shelling/artillery/missile attack",
            D(2024, 4, 30),
            "Omdurman",
            1,
            None,
        ),
        id="Omdurman: fire on a town is shelling, not a shooting",
    ),
    pytest.param(
        GAO,
        "A soldier was killed",
        (
            "Explosions/Remote violence",
            "Remote explosive/landmine/IED",
            D(2024, 7, 11),
            "Gao",
            2,
            2,
        ),
        id="Gao: 'a soldier was killed', then 'two soldiers died': one blast, two dead, not Lyon",
    ),
    pytest.param(
        POZNAN,
        "A man attacked a bus driver",
        ("Violence against civilians", "Attack", D(2024, 3, 4), "Poznań", 1, None),
        id="Poznan: the windows he smashed are part of the attack",
    ),
    pytest.param(
        POZNAN,
        "Protesters burned Israeli and US flags",
        ("Protests", "Peaceful protest", D(2024, 3, 1), "Amman", 2, None),
        id="Amman: 'Israeli and US flags' is no place",
    ),
    pytest.param(
        LEEDS,
        "A boy was hurt",
        ("Violence against civilians", "Attack", D(2024, 5, 6), "Leeds", 1, None),
        id="Leeds: the summary names the place, the lead the day ('yesterday'): one event",
    ),
    pytest.param(
        CLUB,
        "Fans threw bottles",
        ("Riots", "Mob violence", D(2024, 10, 2), "Glasgow", 1, None),
        id="Glasgow: 'Leeds United' is a club, its 'bus attack' the fans' mob violence",
    ),
    pytest.param(
        SHEFFIELD,
        "Officers soon arrested",
        ("Strategic developments", "Arrests", D(2024, 7, 8), "Sheffield", 1, None),
        id="Sheffield: 'soon arrested' is on the day of the stabbing, not the report's",
    ),
    pytest.param(
        MARSEILLE,
        "Fans threw bottles",
        ("Riots", "Mob violence", D(2024, 4, 4), "Marseille", 3, None),
        id="Marseille: dated by the semi-final's day elsewhere, not by the posting stamp",
    ),
    pytest.param(
        SOWETO,
        "Later a crowd",
        ("Protests", "Peaceful protest", D(2024, 5, 8), "Soweto", 1, None),
        id="Soweto: a crowd gathered 'at the scene' of the shooting, on its day",
    ),
    pytest.param(
        KHARTOUM_TOLL,
        "On Tuesday an air strike",
        ("Explosions/Remote violence", "Air/drone strike", D(2024, 10, 1), "Omdurman", 1, 14),
        id="Khartoum: a day's strike beside a half-year's toll is still its own event",
    ),
    pytest.param(
        DONETSK_TOLL,
        "A total of 9 people",
        (
            "Explosions/Remote violence",
            "Shelling/artillery/missile attack",
            D(2024, 9, 4),
            "Kramatorsk",
            1,
            9,
        ),
        id="Kramatorsk: 'a total of' one day's dead is one event",
    ),
    pytest.param(
        PECKHAM,
        "A teenager was shot",
        ("Violence against civilians", "Attack", D(2024, 6, 3), "Peckham", 1, None),
        id="Peckham: the estate's district inside the city, finer than London",
    ),
]


@pytest.mark.parametrize(("text", "evidence", "expected"), ROWS)
def test_an_event_of_a_report_from_another_war(
    text: str,
    evidence: str,
    expected: tuple[str, str, dt.date, str, int, int | None],
    gazetteer: Gazetteer,
    world: WorldIndex,
) -> None:
    (event,) = [e for e in _read(text, gazetteer, world).events if e.evidence.startswith(evidence)]
    assert (
        event.event_type,
        event.sub_event_type,
        event.event_date,
        event.location,
        event.geo_precision,
        event.fatalities,
    ) == expected


@pytest.mark.parametrize(
    ("text", "words", "why"),
    [
        pytest.param(LAGOS, "Traders plan to protest", "not reported as happened (planned)"),
        pytest.param(IRPIN, "In March 2022", "is background (dated 2022-03-31"),
        pytest.param(LAGOS, "Chidi Okafor, 41, was shot", "told again"),
        pytest.param(LAGOS, "Gunmen kill trader", "told again"),
        pytest.param(GAO, "Two soldiers, Sgt Paul Martin", "told again"),
        pytest.param(POZNAN, "He smashed the windows", "is part of attack"),
        pytest.param(CLUB, "Leeds United were charged", "told again"),
        pytest.param(KHARTOUM_TOLL, "Between April 15", "is a toll over 169 days"),
        pytest.param(DONETSK_TOLL, "From June 1 to August 31", "is a toll over 92 days"),
    ],
)
def test_what_is_no_new_event_is_dropped_with_its_reason(
    text: str, words: str, why: str, gazetteer: Gazetteer, world: WorldIndex
) -> None:
    result = _read(text, gazetteer, world)
    assert not [e for e in result.events if e.evidence.startswith(words)]
    at = text.index(words)
    end = text.index(".", at) + 1  # the sentence the words open

    def offset(line: str) -> int:
        return int(line.split(": ")[0].rsplit(":", 1)[1])

    lines = [d for d in result.dropped if at <= offset(d) < end]
    assert any(why in line for line in lines), result.dropped


def test_each_report_gives_its_events_once(gazetteer: Gazetteer, world: WorldIndex) -> None:
    counts = [len(_read(t, gazetteer, world).events) for t in (LAGOS, IRPIN, CARACAS, GLASGOW)]
    assert counts == [2, 1, 1, 2]


@pytest.mark.parametrize(
    ("sentence", "first", "last"),
    [
        pytest.param(
            "At least 20 people have been killed in clashes in Sake since Saturday, the army said.",
            D(2024, 3, 9),
            D(2024, 3, 13),
            id="'since Saturday': from Saturday until the report",
        ),
        pytest.param(
            "Fighting has raged in Sittwe since March 3, residents said.",
            D(2024, 3, 3),
            D(2024, 3, 13),
            id="'since March 3': a range to the report",
        ),
        pytest.param(
            "Rebels attacked an army post in Sake on Saturday, the army said.",
            D(2024, 3, 9),
            None,
            id="'on Saturday' stays one day",
        ),
        pytest.param(
            "Lawmakers will meet on Friday as protesting nurses continue to fill the assembly "
            "in Goma.",
            D(2024, 3, 13),
            None,
            id="'will meet on Friday' dates the meeting, not the protest going on",
        ),
        pytest.param(
            "Nurses in Goma are in the third day of a sit-in over unpaid wages.",
            D(2024, 3, 10),
            D(2024, 3, 13),
            id="'the third day of a sit-in': going on until the report",
        ),
    ],
)
def test_an_event_going_on_since_a_day_lasts_until_the_report(
    sentence: str, first: dt.date, last: dt.date | None, gazetteer: Gazetteer, world: WorldIndex
) -> None:
    text = f"News from Goma\n\nGOMA, March 13, 2024 (Wire) - {sentence}\n"
    (event,) = _read(text, gazetteer, world).events
    assert (event.event_date, event.end_date) == (first, last)


@pytest.mark.parametrize(
    ("text", "place"), load_rules("places")["examples"]["where_it_happened"], ids=lambda v: v[:40]
)
def test_a_sentence_saying_where_it_happened_places_the_event_told(
    text: str, place: str, gazetteer: Gazetteer, world: WorldIndex
) -> None:
    events = _read(f"Report\n\nMay 2, 2024\n\n{text}\n", gazetteer, world).events
    assert [bare_key(e.location) for e in events] == [bare_key(place)]


WRAPPED = (
    "Shelling hits Kharkiv market\n\n"
    "KHARKIV, Ukraine, March 3, 2024 (Wire) - Russian artillery shelled a crowded\n"
    "market in the Saltivka district of Kharkiv on Sunday, killing four\n"
    "civilians and wounding 11, the regional governor said. Rescue crews searched\n"
    "the rubble into the night, he said on Telegram.\n\n"
    "In a separate attack, a drone struck a fuel depot near the town of\n"
    "Kupyansk on Saturday, officials said.\n"
)


def test_wire_copy_wrapped_before_a_name_keeps_the_events_place_and_day(
    gazetteer: Gazetteer, world: WorldIndex
) -> None:
    events = _read(WRAPPED, gazetteer, world).events
    found = {(e.location, e.event_date, e.fatalities) for e in events}
    assert ("Saltivka", D(2024, 3, 3), 4) in found
    # the line broke before "Kupyansk on Saturday": read as one sentence, not two
    assert ("Kupyansk", D(2024, 3, 2), None) in found
