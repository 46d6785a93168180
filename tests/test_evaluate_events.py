"""Scoring extracted events against a gold file, on three short reports written here.

The scorer tests feed hand-made event features (as ``map.geojson`` holds them), so they
do not depend on what the extractor finds; one command-line test builds the reports.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from geo.cli import main
from geo.errors import GeoError
from geo.evaluate_events import (
    Report,
    extracted_from_features,
    format_report,
    load_gold,
    parse_gold,
    score,
)

ROOT = Path(__file__).resolve().parent.parent

KHARKIV = """Shelling kills three in Kharkiv

March 15, 2022

KHARKIV, Ukraine - Artillery shells struck apartment blocks in the Saltivka district of \
Kharkiv on Monday, killing three civilians and wounding seven, the regional governor said.
Over the weekend Ukrainian and Russian forces fought around Izium, the general staff said.
Officials said they hoped evacuation buses would leave the city on Friday.
"""

NAIROBI = """Police fire tear gas at protesters in Nairobi

July 8, 2023

NAIROBI - Police fired tear gas at hundreds of protesters in central Nairobi on Friday as \
demonstrators marched against new taxes, witnesses said.
Opposition leaders said more rallies would be held across the country next week.
"""

GOMA = """Rebels and army clash near Sake

February 8, 2024

GOMA, Congo - M23 rebels and Congolese troops fought on Wednesday around the town of \
Sake, 25 km west of Goma, residents said.
"""

TEXTS = {"kharkiv": KHARKIV, "nairobi": NAIROBI, "goma": GOMA}

SALTIVKA = (50.035, 36.300)
KHARKIV_CITY = (49.993, 36.230)
IZIUM = (49.210, 37.257)
NAIROBI_CBD = (-1.284, 36.823)
SAKE = (-1.574, 29.045)
GOMA_CITY = (-1.679, 29.228)
NORTH_EAST_KHARKIV = (50.010, 36.270)  # 3.5 km from Saltivka, 3.4 km from the city point
BERLIN = (52.52, 13.40)


def sentence(article: str, starts: str) -> str:
    """Return the line of the article that starts so (a line here is one sentence)."""
    return next(line for line in TEXTS[article].splitlines() if line.startswith(starts))


def gold_event(ident: str, article: str, window: tuple[str, str], **extra: Any) -> dict[str, Any]:
    lat, lon = extra.pop("at")
    return {
        "id": ident,
        "article": article,
        "date_window": list(window),
        "place": extra.pop("place", ident),
        "lat": lat,
        "lon": lon,
        "tolerance_km": extra.pop("tol", 10),
        "accept_types": extra.pop("types"),
        "fatalities": extra.pop("fatalities", None),
        "fatalities_exact": extra.pop("exact", False),
        "actors": {"actor1": "", "actor2": ""},
        "claimed_by": "",
        "evidence": extra.pop("evidence"),
        "required": extra.pop("required", True),
        **extra,
    }


GOLD: dict[str, Any] = {
    "meta": {"name": "tiny", "version": "1"},
    "summary": {},
    "articles": [{"article": a, "published": ""} for a in ("kharkiv", "nairobi", "goma")],
    "events": [
        gold_event(
            "kharkiv-e1",
            "kharkiv",
            ("2022-03-14", "2022-03-14"),
            place="Saltivka",
            at=SALTIVKA,
            tol=8,
            alt_places=[
                {
                    "place": "Kharkiv",
                    "lat": KHARKIV_CITY[0],
                    "lon": KHARKIV_CITY[1],
                    "tolerance_km": 20,
                }
            ],
            types=["Explosions/Remote violence"],
            fatalities=3,
            exact=True,
            evidence="Artillery shells struck apartment blocks in the Saltivka district",
        ),
        gold_event(
            "kharkiv-e2",
            "kharkiv",
            ("2022-03-12", "2022-03-13"),
            place="Izium",
            at=IZIUM,
            tol=15,
            types=["Battles"],
            evidence="Ukrainian and Russian forces fought around Izium",
            required=False,
        ),
        gold_event(
            "nairobi-e1",
            "nairobi",
            ("2023-07-07", "2023-07-07"),
            place="central Nairobi",
            at=NAIROBI_CBD,
            tol=15,
            types=["Protests", "Riots"],
            fatalities=0,
            exact=True,
            evidence="Police fired tear gas at hundreds of protesters in central Nairobi",
        ),
        gold_event(
            "goma-e1",
            "goma",
            ("2024-02-07", "2024-02-07"),
            place="Sake",
            at=SAKE,
            tol=8,
            types=["Battles"],
            evidence="M23 rebels and Congolese troops fought on Wednesday around the town",
        ),
    ],
    "non_events": [
        {
            "id": "kharkiv-n1",
            "article": "kharkiv",
            "quote": "hoped evacuation buses would leave the city on Friday",
            "why": "future",
        },
        {
            "id": "nairobi-n1",
            "article": "nairobi",
            "quote": "more rallies would be held across the country next week",
            "why": "future",
        },
    ],
}


def feature(
    article: str,
    day: str,
    kind: str,
    at: tuple[float, float],
    *,
    end: str | None = None,
    fatalities: int | None = None,
    claimed_by: str = "",
    says: str = "",
) -> dict[str, Any]:
    """Return an event feature as ``geo build`` writes it; ``says`` starts its sentence."""
    evidence = sentence(article, says) if says else ""
    start = TEXTS[article].find(evidence) if evidence else 0
    return {
        "type": "Feature",
        "id": f"event:{article}-{day}-{kind}",
        "geometry": {"type": "Point", "coordinates": [at[1], at[0]]},
        "properties": {
            "layer": "event",
            "article": article,
            "event_date": day,
            "end_date": end,
            "event_type": kind,
            "location": "",
            "fatalities": fatalities,
            "claimed_by": claimed_by,
            "evidence": evidence,
            "evidence_start": start,
            "evidence_end": start + len(evidence),
        },
    }


SHELLING = feature(
    "kharkiv",
    "2022-03-14",
    "Explosions/Remote violence",
    SALTIVKA,
    fatalities=3,
    claimed_by="regional governor",
    says="KHARKIV",
)
PROTEST = feature("nairobi", "2023-07-07", "Protests", NAIROBI_CBD, says="NAIROBI")


def scored(*features: dict[str, Any], gold: dict[str, Any] | None = None) -> Report:
    parsed = parse_gold(gold if gold is not None else GOLD)
    return score(parsed, extracted_from_features(features), TEXTS)


def status(report: Report, ident: str) -> str:
    return next(r.status for r in report.results if r.gold.id == ident)


# --- matching ----------------------------------------------------------------------------


def test_a_right_event_matches_and_counts_every_figure() -> None:
    report = scored(SHELLING, PROTEST)
    s = report.summary()
    assert (s["required_hit"], s["required"], s["required_recall"]) == (2, 3, 0.667)
    assert (s["all_hit"], s["gold_events"], s["all_recall"]) == (2, 4, 0.5)
    assert (s["true_positives"], s["extracted"], s["precision"]) == (2, 2, 1.0)
    assert s["false_positives"] == 0
    # 3 dead extracted for 3; the protest's missing count reads as its gold 0
    assert (s["fatalities_scored"], s["fatalities_exact_rate"]) == (2, 1.0)
    assert (s["fatalities_scored_nonzero"], s["fatalities_exact_rate_nonzero"]) == (1, 1.0)
    assert s["claimed_by_present_matched"] == 0.5
    assert s["non_events_extracted"] == 0
    assert status(report, "kharkiv-e1") == "matched"
    assert status(report, "goma-e1") == "no event from this article"


@pytest.mark.parametrize(
    ("extracted", "gold_id", "expected_status", "wrong"),
    [
        pytest.param(
            feature("kharkiv", "2022-03-20", "Explosions/Remote violence", SALTIVKA),
            "kharkiv-e1",
            "wrong date",
            "date",
            id="shelling dated a week late",
        ),
        pytest.param(
            feature("goma", "2024-02-07", "Battles", GOMA_CITY, says="GOMA"),
            "goma-e1",
            "wrong place",
            "place",
            id="Sake clash placed at Goma, 22 km away",
        ),
        pytest.param(
            feature("nairobi", "2023-07-07", "Battles", NAIROBI_CBD, says="NAIROBI"),
            "nairobi-e1",
            "wrong type",
            "type",
            id="tear gas on protesters coded as a battle",
        ),
        pytest.param(
            feature("nairobi", "2023-07-20", "Riots", BERLIN),
            "nairobi-e1",
            "only type right",
            "place",
            id="a fortnight late on the wrong continent",
        ),
    ],
)
def test_one_wrong_field_is_no_match_and_is_named(
    extracted: dict[str, Any], gold_id: str, expected_status: str, wrong: str
) -> None:
    report = scored(extracted)
    assert report.summary()["all_hit"] == 0
    assert status(report, gold_id) == expected_status
    result = next(r for r in report.results if r.gold.id == gold_id)
    assert wrong not in result.ok
    assert report.false_positives[0].kind == "other"
    assert f"{gold_id:<14} {expected_status}" in format_report(report)


@pytest.mark.parametrize(
    ("start", "end", "matches"),
    [
        pytest.param("2022-03-10", "2022-03-12", True, id="range ends on the window's first day"),
        pytest.param("2022-03-13", "2022-03-20", True, id="range starts on its last day"),
        pytest.param("2022-03-01", "2022-03-31", True, id="range covers the window"),
        pytest.param("2022-03-08", "2022-03-11", False, id="range ends the day before"),
        pytest.param("2022-03-12", None, True, id="single day inside"),
        pytest.param("2022-03-14", None, False, id="single day after"),
    ],
)
def test_a_date_range_matches_when_it_overlaps_the_window(
    start: str, end: str | None, matches: bool
) -> None:
    fighting = feature("kharkiv", start, "Battles", IZIUM, end=end, says="Over the weekend")
    report = scored(fighting)
    assert (status(report, "kharkiv-e2") == "matched") is matches


def test_an_alternative_place_is_accepted() -> None:
    at_city_point = feature("kharkiv", "2022-03-14", "Explosions/Remote violence", KHARKIV_CITY)
    report = scored(at_city_point)
    assert status(report, "kharkiv-e1") == "matched"


def test_a_second_event_for_one_gold_event_is_a_duplicate() -> None:
    retold = feature(
        "kharkiv",
        "2022-03-14",
        "Explosions/Remote violence",
        NORTH_EAST_KHARKIV,
        fatalities=3,
        says="Shelling kills",
    )
    report = scored(SHELLING, retold)
    s = report.summary()
    assert (s["true_positives"], s["extracted"], s["precision"]) == (1, 2, 0.5)
    assert (s["fp_duplicates"], s["fp_non_event"], s["fp_other"]) == (1, 0, 0)
    (fp,) = report.false_positives
    assert fp.duplicate_of == ("kharkiv-e1",) and fp.extracted.evidence.startswith("Shelling")
    # the nearer point (Saltivka itself) is the one matched, whatever the file order
    assert report.results[0].candidate is not None
    assert report.results[0].candidate.lat == SALTIVKA[0]
    assert scored(retold, SHELLING).summary() == s


def test_an_event_from_a_listed_non_event_is_counted_as_one() -> None:
    planned = feature("nairobi", "2023-07-14", "Protests", NAIROBI_CBD, says="Opposition")
    report = scored(PROTEST, planned)
    s = report.summary()
    assert (s["fp_non_event"], s["non_events_extracted"], s["non_events"]) == (1, 1, 2)
    assert report.false_positives[0].non_events == ("nairobi-n1",)
    assert "non_event nairobi 2023-07-14 Protests" in format_report(report)


def test_matching_is_greedy_and_one_to_one_by_distance_over_tolerance() -> None:
    """Two gold events share a city; each extracted event goes to the nearer one."""
    gold = copy.deepcopy(GOLD)
    del gold["events"][0]["alt_places"]  # Saltivka's own circle only (8 km)
    gold["events"].append(
        gold_event(
            "kharkiv-e3",
            "kharkiv",
            ("2022-03-14", "2022-03-14"),
            place="Kharkiv",
            at=KHARKIV_CITY,
            tol=20,
            types=["Explosions/Remote violence"],
            evidence="the regional governor said",
        )
    )
    at_city = feature("kharkiv", "2022-03-14", "Explosions/Remote violence", KHARKIV_CITY)
    # The Saltivka event lies within both circles; file order puts the city one first.
    report = scored(at_city, SHELLING, gold=gold)
    got = {r.gold.id: r.candidate.lat for r in report.results if r.candidate and r.matched}
    assert got == {"kharkiv-e1": SALTIVKA[0], "kharkiv-e3": KHARKIV_CITY[0]}
    assert report.summary()["false_positives"] == 0

    # one extracted event, two gold events it matches: the required one at equal ratio
    twin = copy.deepcopy(gold)
    twin["events"][-1].update(lat=SALTIVKA[0], lon=SALTIVKA[1], tolerance_km=8, required=False)
    alone = scored(SHELLING, gold=twin)
    assert status(alone, "kharkiv-e1") == "matched"
    assert status(alone, "kharkiv-e3").startswith("duplicate-merged: its event matched kharkiv-e1")


def test_the_best_candidate_prefers_the_gold_sentence() -> None:
    """Two equally wrong events: the per-field figures use the one from the gold's sentence."""
    headline = feature("goma", "2024-02-07", "Battles", GOMA_CITY, says="Rebels and army")
    lead = feature("goma", "2024-02-07", "Battles", GOMA_CITY, says="GOMA")
    report = scored(headline, lead)
    result = next(r for r in report.results if r.gold.id == "goma-e1")
    assert result.candidate is not None and result.candidate.evidence.startswith("GOMA")
    assert result.same_sentence and result.status == "wrong place"
    assert report.field_right("date") == (1, 4) and report.field_right("place") == (0, 4)

    # equal on every count, neither from the gold's sentence: the first in file order
    late = [
        feature("kharkiv", "2022-03-21", "Explosions/Remote violence", SALTIVKA, says=opening)
        for opening in ("Officials", "Shelling kills")
    ]
    best = scored(*late).results[0].candidate
    assert best is not None and best.evidence.startswith("Officials")


def test_events_of_articles_outside_the_gold_are_ignored() -> None:
    other = dict(SHELLING, properties=dict(SHELLING["properties"], article="elsewhere.txt"))
    s = scored(SHELLING, other).summary()
    assert (s["extracted"], s["ignored_events_other_articles"], s["precision"]) == (1, 1, 1.0)


def test_fatalities_exact_reads_a_missing_count_as_zero() -> None:
    no_count = feature("kharkiv", "2022-03-14", "Explosions/Remote violence", SALTIVKA)
    s = scored(no_count).summary()
    assert (s["fatalities_scored"], s["fatalities_exact_rate"]) == (1, 0.0)
    assert scored(no_count).as_dict()["fatalities_mismatches"] == [
        {"id": "kharkiv-e1", "gold": 3, "alt": [], "extracted": None}
    ]


def test_the_text_report_is_a_table_with_misses_and_false_positives() -> None:
    hostile = feature("kharkiv", "2022-03-20", "Battles", BERLIN)
    hostile["properties"]["evidence"] = "shelled \x1b[31mred\x1b[0m\nline"
    text = format_report(scored(SHELLING, hostile))
    lines = text.splitlines()
    assert lines[0] == "3 articles, 4 gold events (3 required), 2 extracted"
    for figure in (
        "required recall",
        "all-event recall",
        "precision",
        "date correct",
        "place correct",
        "type correct",
        "fatalities exact",
        "claimed_by present",
        "non-events extracted",
    ):
        assert any(line.startswith(figure) for line in lines), figure
    assert "missed required events (2):" in lines
    assert "false positives (1):" in lines
    assert "\x1b" not in text and "shelled \\u001b[31mred\\u001b[0m line" in text


# --- bad gold ----------------------------------------------------------------------------


def broken(path: str, value: Any) -> dict[str, Any]:
    """Return the gold with one field set (``events.0.date_window``)."""
    gold = copy.deepcopy(GOLD)
    *parents, last = path.split(".")
    node: Any = gold
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    node[int(last) if last.isdigit() else last] = value
    return gold


@pytest.mark.parametrize(
    ("gold", "message"),
    [
        pytest.param([], "expected a JSON object with an 'events' list", id="a list"),
        pytest.param({"articles": []}, "'events' list", id="no events"),
        pytest.param(
            broken("events.0.date_window", ["2022-03-14"]),
            r"events\[0\] \(kharkiv-e1\): date_window: expected \[lo, hi\] ISO dates",
            id="one date",
        ),
        pytest.param(
            broken("events.1.date_window", ["2022-03-13", "2022-03-12"]),
            "lo <= hi",
            id="window backwards",
        ),
        pytest.param(
            broken("events.2.accept_types", ["Protest"]),
            "accept_types: expected a list of ACLED types",
            id="unknown type",
        ),
        pytest.param(
            broken("events.3.lat", 123.4), r"lat: expected a number in \[-90, 90\]", id="lat"
        ),
        pytest.param(
            broken("events.0.alt_places.0.tolerance_km", "20"),
            r"alt_places\[0\]: tolerance_km: expected a number",
            id="tolerance as text",
        ),
        pytest.param(
            broken("events.0.required", "yes"), "required: expected true or false", id="required"
        ),
        pytest.param(
            broken("events.0.article", "kyiv"),
            "article 'kyiv' is not in 'articles'",
            id="article not listed",
        ),
        pytest.param(
            broken("events.1.id", "kharkiv-e1"), "'kharkiv-e1' is given twice", id="same id"
        ),
        pytest.param(
            broken("non_events.0.quote", ""),
            r"non_events\[0\]: quote: expected a non-empty string",
            id="empty quote",
        ),
    ],
)
def test_bad_gold_gives_one_line_naming_the_field(gold: Any, message: str) -> None:
    with pytest.raises(GeoError, match=message) as error:
        parse_gold(gold, source="tiny.json")
    assert str(error.value).startswith("tiny.json: ")
    assert "\n" not in str(error.value)


def test_a_gold_file_that_is_not_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "gold.json"
    path.write_text("events: []", encoding="utf-8")
    with pytest.raises(GeoError, match=f"{path}: not JSON"):
        load_gold(path)


# --- the command line --------------------------------------------------------------------


def write_set(folder: Path) -> tuple[Path, Path]:
    articles = folder / "articles"
    articles.mkdir()
    for name, text in TEXTS.items():
        (articles / f"{name}.txt").write_text(text, encoding="utf-8")
    gold = folder / "gold.json"
    gold.write_text(json.dumps(GOLD), encoding="utf-8")
    return gold, articles


def test_evaluate_events_on_the_command_line(tmp_path: Path) -> None:
    gold, articles = write_set(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "geo", "evaluate-events", str(gold), str(articles), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    s = report["summary"]
    assert (s["articles"], s["gold_events"], s["required"], s["non_events"]) == (3, 4, 3, 2)
    for name in (
        "required_recall",
        "all_recall",
        "precision",
        "date_correct_rate",
        "place_correct_rate",
        "type_correct_rate",
    ):
        assert s[name] is None or 0.0 <= s[name] <= 1.0, name
    assert s["true_positives"] + s["false_positives"] == s["extracted"]
    assert [g["id"] for g in report["gold"]] == [e["id"] for e in GOLD["events"]]
    assert len(report["false_positives"]) == s["false_positives"]
    assert not list(tmp_path.glob("**/map.*")), "nothing is written"


@pytest.mark.parametrize(
    ("case", "message"),
    [
        pytest.param("no gold", "missing.json: cannot read the gold file", id="missing gold"),
        pytest.param("not json", "gold.json: not JSON", id="gold not JSON"),
        pytest.param("article gone", "no article 'goma' that", id="an article of the gold missing"),
        pytest.param("no folder", "nowhere: not a folder", id="missing folder"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, message: str
) -> None:
    gold, articles = write_set(tmp_path)
    if case == "no gold":
        gold = tmp_path / "missing.json"
    elif case == "not json":
        gold.write_text("{'events': []}", encoding="utf-8")
    elif case == "article gone":
        (articles / "goma.txt").unlink()
    elif case == "no folder":
        articles = tmp_path / "nowhere"
    assert main(["evaluate-events", str(gold), str(articles), "--no-world"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and message in captured.err
    assert captured.err.startswith("newsmap evaluate-events: error: ")
    assert "Traceback" not in captured.err
