"""Counts as reporters write them: digits, separators, words, ranges, and vague amounts."""

from __future__ import annotations

import pytest

from geo.quantities import find_counts, parse_count


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("26", 26, id="digits"),
        pytest.param("nine", 9, id="a number word"),
        pytest.param("thirteen", 13, id="a teen word"),
        pytest.param("twenty-six", 26, id="a hyphenated word is one number, not a range"),
        pytest.param("2,031", 2031, id="thousands separator"),
        pytest.param("12,800", 12800, id="12,800 civilians"),
        pytest.param("3,532", 3532, id="3,532 servicemen"),
        pytest.param("200,000-250,000", 200000, id="a range gives its lower bound"),
        pytest.param("five to ten", 5, id="a worded range gives its lower bound"),
        pytest.param("about 13,000", 13000, id="a hedged figure is still the figure"),
        pytest.param("a dozen", 12, id="a dozen is twelve"),
        pytest.param("two dozen", 24, id="two dozen"),
        pytest.param("one hundred and five", 105, id="British 'and'"),
        pytest.param("1.5 million", 1500000, id="decimal with a scale word"),
        pytest.param("several thousand", None, id="several thousand is not a number"),
        pytest.param("hundreds", None, id="hundreds is not a number"),
        pytest.param("dozens", None, id="dozens is not a number"),
        pytest.param("many", None, id="many is not a number"),
        pytest.param("", None, id="empty"),
        pytest.param("Aleppo", None, id="a word that is no number"),
    ],
)
def test_parse_count(text: str, expected: int | None) -> None:
    assert parse_count(text) == expected


def test_unknown_is_none_never_zero() -> None:
    assert parse_count("several hundred") is None
    assert parse_count("zero") == 0


def test_find_counts_in_the_execution_sentence() -> None:
    sentence = "told about execution of 26 local residents, including nine teenagers, on Saturday."
    counts = find_counts(sentence)
    assert [(c.value, c.text) for c in counts] == [(26, "26"), (9, "nine")]
    assert all(sentence[c.start : c.end] == c.text for c in counts)


def test_find_counts_skips_vague_amounts_and_clock_times() -> None:
    sentence = (
        "several hundred people took part; the regime came into effect from 19:00 Moscow time"
    )
    assert [c.value for c in find_counts(sentence)] == [19]


def test_find_counts_reads_a_range_once() -> None:
    counts = find_counts("an estimated 200,000-250,000 civilians may still remain")
    assert [(c.value, c.text) for c in counts] == [(200000, "200,000-250,000")]


def test_the_documented_examples_hold() -> None:
    import doctest

    import geo.quantities

    result = doctest.testmod(geo.quantities)
    assert result.attempted > 0 and result.failed == 0
