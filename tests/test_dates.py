"""Date expressions resolved against the article's own date."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.dates import DateSpan, day_count, duration_hours, find_dates
from geo.lexicon import load_rules

SUN_18_SEP = dt.date(2016, 9, 18)  # 000: "MOSCOW, September 18" (a Sunday)
MON_24_OCT = dt.date(2016, 10, 24)  # 002: dated by "on Monday"
WED_26_OCT = dt.date(2016, 10, 26)  # 001: footer 26.10.2016
MON_1_AUG = dt.date(2016, 8, 1)  # 003: "GENEVA, August 1"
FRI_7_OCT = dt.date(2016, 10, 7)  # 004: "MOSCOW, October 7", "said Friday"
D = dt.date


def spans(
    sentence: str, published: dt.date | None
) -> list[tuple[str, dt.date, dt.date | None, int]]:
    return [(d.text, d.date, d.end_date, d.precision) for d in find_dates(sentence, published)]


@pytest.mark.parametrize(
    ("sentence", "published", "expected"),
    [
        pytest.param(
            "told about execution of 26 local residents, including nine teenagers, on Saturday.",
            SUN_18_SEP,
            [("Saturday", D(2016, 9, 17), None, 1)],
            id="Saturday before a Sunday dateline",
        ),
        pytest.param(
            "In March 2015, during the worst of the fighting, the town changed hands twice.",
            SUN_18_SEP,
            [("March 2015", D(2015, 3, 1), D(2015, 3, 31), 3)],
            id="a month and year opening the sentence",
        ),
        pytest.param(
            "In 2012 the two armies signed a border accord.",
            SUN_18_SEP,
            [("2012", D(2012, 1, 1), D(2012, 12, 31), 3)],
            id="a year opening the sentence",
        ),
        pytest.param(
            "left via the corridors at ten in the morning on Sunday",
            SUN_18_SEP,
            [("Sunday", D(2016, 9, 18), None, 1)],
            id="the dateline's own weekday is that day",
        ),
        pytest.param(
            "Russia on Monday ruled out early moves to renew its ceasefire",
            MON_24_OCT,
            [("Monday", D(2016, 10, 24), None, 1)],
            id="Monday in a Monday report",
        ),
        pytest.param(
            "Lavrov on Friday accused fighters",
            MON_24_OCT,
            [("Friday", D(2016, 10, 21), None, 1)],
            id="Friday before a Monday report",
        ),
        pytest.param(
            "the talks went on Thursday",
            SUN_18_SEP,
            [("Thursday", D(2016, 9, 15), None, 1)],
            id="weekday after the dateline's weekday goes to last week",
        ),
        pytest.param(
            "they will meet next Tuesday",
            SUN_18_SEP,
            [("next Tuesday", D(2016, 9, 20), None, 1)],
            id="next weekday looks forward",
        ),
        pytest.param(
            "after a Lausanne meeting on October 15 that ended with no breakthrough",
            MON_24_OCT,
            [("October 15", D(2016, 10, 15), None, 1)],
            id="missing year takes the article's",
        ),
        pytest.param(
            "before the US elections on November 8",
            MON_24_OCT,
            [("November 8", D(2016, 11, 8), None, 1)],
            id="a date two weeks ahead stays in the article's year",
        ),
        pytest.param(
            "shelling resumed on December 28",
            D(2017, 1, 5),
            [("December 28", D(2016, 12, 28), None, 1)],
            id="year rollover: December in a January report",
        ),
        pytest.param(
            "World September 18, 2016, 18:02",
            None,
            [("September 18, 2016", D(2016, 9, 18), None, 1)],
            id="a full date needs no article date",
        ),
        pytest.param(
            "the humanitarian pause in Aleppo 26.10.2016",
            None,
            [("26.10.2016", D(2016, 10, 26), None, 1)],
            id="dotted date is day first",
        ),
        pytest.param(
            "In a period from February 27 to September 1, 2016, a total of 2,031 violations",
            FRI_7_OCT,
            [("February 27 to September 1, 2016", D(2016, 2, 27), D(2016, 9, 1), 2)],
            id="range keeps both ends and lends its year to the start",
        ),
        pytest.param(
            "killed in a period from late February and September 1 in violations",
            FRI_7_OCT,
            [("late February and September 1", D(2016, 2, 21), D(2016, 9, 1), 3)],
            id="range from a vague start is month precision",
        ),
        pytest.param(
            "Syrian troops withdrew from Castello Road twice on September 15 and 16",
            FRI_7_OCT,
            [("September 15", D(2016, 9, 15), None, 1), ("16", D(2016, 9, 16), None, 1)],
            id="September 15 and 16 are two days",
        ),
        pytest.param(
            "Several humanitarian corridors were opened in Aleppo in late July",
            SUN_18_SEP,
            [("late July", D(2016, 7, 21), D(2016, 7, 31), 3)],
            id="late July is its last third, month precision",
        ),
        pytest.param(
            "the meeting Mr Putin and Mr. Obama in Hangzhou in September in China",
            WED_26_OCT,
            [("September", D(2016, 9, 1), D(2016, 9, 30), 3)],
            id="a month alone",
        ),
        pytest.param(
            "Deliveries of humanitarian aid to Aleppo last month were frustrated",
            FRI_7_OCT,
            [("last month", D(2016, 9, 1), D(2016, 9, 30), 3)],
            id="last month",
        ),
        pytest.param(
            "after a brief truce ended at the weekend",
            MON_24_OCT,
            [("at the weekend", D(2016, 10, 22), D(2016, 10, 23), 2)],
            id="the weekend before a Monday",
        ),
        pytest.param(
            "Russian Defense Minister Sergey Shoigu on July 28 said that",
            MON_1_AUG,
            [("July 28", D(2016, 7, 28), None, 1)],
            id="July 28",
        ),
        pytest.param(
            "after the city came under attack in 2012, but",
            MON_1_AUG,
            [("2012", D(2012, 1, 1), D(2012, 12, 31), 3)],
            id="a year alone",
        ),
        pytest.param(
            "The humanitarian pause began to operate in the city on October 20 and then was "
            "extended until the evening of the 22nd, and then ended.",
            WED_26_OCT,
            [
                ("October 20", D(2016, 10, 20), None, 1),
                ("the evening of the 22nd", D(2016, 10, 22), None, 1),
            ],
            id="the 22nd takes the month of the date before it",
        ),
        pytest.param(
            "via the 1st and 6th humanitarian corridors",
            SUN_18_SEP,
            [],
            id="ordinal corridor numbers are not days",
        ),
        pytest.param("on February 30", FRI_7_OCT, [], id="an impossible day is no date"),
        pytest.param("on Saturday", None, [], id="a weekday needs the article date"),
    ],
)
def test_find_dates(
    sentence: str,
    published: dt.date | None,
    expected: list[tuple[str, dt.date, dt.date | None, int]],
) -> None:
    assert spans(sentence, published) == expected


def test_until_marks_the_end_of_a_span() -> None:
    sentence = "was extended until the evening of the 22nd"
    (span,) = find_dates(sentence, WED_26_OCT)
    assert span.role == "until"
    assert sentence[span.start : span.end] == span.text


def test_offsets_point_into_the_sentence() -> None:
    sentence = "On September 14, the ceasefire was extended; on Saturday it ended."
    found = find_dates(sentence, SUN_18_SEP)
    assert all(isinstance(d, DateSpan) for d in found)
    assert [sentence[d.start : d.end] for d in found] == ["September 14", "Saturday"]


def test_day_count_and_duration() -> None:
    assert day_count("Aircraft of Russian air force the eighth day, has observed a moratorium") == 8
    assert day_count("for the 3rd consecutive day") == 3
    assert day_count("the day before") is None
    assert duration_hours("who held thirteen-hours-long talks in Geneva on September 10") == 13
    assert duration_hours("the ceasefire was extended for 48 hours more") == 48
    assert duration_hours("no length given") is None


def test_the_documented_examples_hold() -> None:
    import doctest

    import geo.dates

    result = doctest.testmod(geo.dates)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    ("sentence", "published", "day"),
    load_rules("calendar")["examples"]["holiday"],
    ids=lambda v: str(v)[:40],
)
def test_a_named_day_is_its_last_one_before_the_report(
    sentence: str, published: str, day: str
) -> None:
    (found,) = find_dates(sentence, dt.date.fromisoformat(published))
    assert found.date == dt.date.fromisoformat(day)


@pytest.mark.parametrize(
    ("sentence", "day"),
    [
        ("He was remanded in custody on Janaury 9th, the court heard.", dt.date(2018, 1, 9)),
        ("The convoy was hit on Feburary 12, 2017 near Mosul.", dt.date(2017, 2, 12)),
        ("Police said the raid took place on Septmber 3.", dt.date(2017, 9, 3)),
        ("Rebels entered the town on Novmber 30, 2016.", dt.date(2016, 11, 30)),
    ],
)
def test_a_month_misspelt_by_one_letter_is_still_read(sentence: str, day: dt.date) -> None:
    (found,) = find_dates(sentence, dt.date(2018, 4, 5))
    assert found.date == day


@pytest.mark.parametrize(
    "sentence",
    ["Augusta 12 people were hurt.", "Junior 10 won the race.", "Marches 4 and 5 ended."],
)
def test_words_near_a_month_are_no_date(sentence: str) -> None:
    assert find_dates(sentence, dt.date(2018, 4, 5)) == ()
