"""Scoring on a GeoWebNews-format corpus, on tiny corpora written here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from geo.errors import GeoError
from geo.evaluate import evaluate, format_report, parse_corpus
from geo.gazetteer import Gazetteer, load_gazetteer
from geo.world import WorldIndex, load_world

ROOT = Path(__file__).resolve().parent.parent

TEXT_1 = "Fighting in Aleppo spread. The city council of Mosul met. Quxville was calm."
TEXT_2 = "Officials in Damascus spoke to the Russian envoy."


def toponym(name: str, kind: str, text: str, lat: float | None, lon: float | None) -> str:
    start = text.index(name)
    coords = (
        f"<latitude>{lat}</latitude><longitude>{lon}</longitude>"
        if lat is not None
        else "<latitude/><longitude/>"
    )
    return (
        f"<toponym><extractedName>{name}</extractedName><type>{kind}</type>"
        f"<start>{start}</start><end>{start + len(name)}</end>{coords}</toponym>"
    )


CORPUS = f"""<?xml version="1.0" ?>
<articles>
  <article file="0"><title>t</title><text>{TEXT_1}</text><toponyms>
    {toponym("Aleppo", "Literal", TEXT_1, 36.20, 37.16)}
    {toponym("city", "Literal_Expression", TEXT_1, None, None)}
    {toponym("Mosul", "Metonymic", TEXT_1, 36.34, 43.13)}
    {toponym("Quxville", "Literal", TEXT_1, 10.0, 10.0)}
  </toponyms></article>
  <article file="1"><title>u</title><text>{TEXT_2}</text><toponyms>
    {toponym("Damascus", "Literal", TEXT_2, 40.0, 36.3)}
    {toponym("Russian", "Demonym", TEXT_2, None, None)}
  </toponyms></article>
</articles>
"""


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="module")
def world() -> WorldIndex:
    return load_world()


def test_parse_leaves_out_spans_that_are_not_toponyms() -> None:
    documents = parse_corpus(CORPUS)
    assert [d.id for d in documents] == ["0", "1"]
    names = [t.name for t in documents[0].toponyms]
    assert names == ["Aleppo", "Mosul", "Quxville"], "Literal_Expression 'city' is no toponym"
    assert documents[1].toponyms[1].lat is None


def test_figures_on_a_tiny_corpus(gazetteer: Gazetteer, world: WorldIndex) -> None:
    report = evaluate(parse_corpus(CORPUS), gazetteer, world=world)
    # Predicted: Aleppo, Mosul, Damascus, Russian (4), all overlap gold; gold 5, found 4.
    assert report.gold == 5
    assert report.predicted == 4 and report.correct_predictions == 4
    assert report.precision == 1.0
    assert report.recall == pytest.approx(4 / 5)
    assert report.f1 == pytest.approx(2 * 0.8 / 1.8)
    # With coordinates and recognised: Aleppo and Mosul near, Damascus gold moved 720 km.
    assert report.resolvable == 3 and report.within == 2
    assert report.accuracy == pytest.approx(2 / 3)
    assert report.median_km < 10
    assert report.by_type["Literal"] == (3, 2, 2, 1)
    assert report.by_type["Demonym"] == (1, 1, 0, 0)


def test_a_prediction_counts_when_it_overlaps_gold(gazetteer: Gazetteer) -> None:
    text = "Rebels held eastern Aleppo for months."
    gold = toponym("Aleppo", "Literal", text, 36.2, 37.16)
    xml = f"<articles><article><text>{text}</text><toponyms>{gold}</toponyms></article></articles>"
    report = evaluate(parse_corpus(xml), gazetteer, world=None)
    assert (report.predicted, report.correct_predictions, report.recognised) == (1, 1, 1)


def test_the_report_prints_a_table_and_json(gazetteer: Gazetteer, world: WorldIndex) -> None:
    report = evaluate(parse_corpus(CORPUS), gazetteer, world=world)
    table = format_report(report)
    assert "precision 1.000" in table and "accuracy@161km 0.667" in table
    assert "Metonymic" in table
    figures = report.as_dict()
    assert figures["f1"] == pytest.approx(0.8889, abs=1e-4)
    assert figures["by_type"]["Literal"]["gold"] == 3  # type: ignore[index]


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        pytest.param("<articles><article>", "not well-formed XML", id="truncated XML"),
        pytest.param("<articles></articles>", "no <article>", id="no articles"),
        pytest.param(
            "<articles><article><text>x</text><toponyms><toponym><start>a</start>"
            "</toponym></toponyms></article></articles>",
            "no numeric <start>/<end>",
            id="offsets not numbers",
        ),
    ],
)
def test_bad_corpora_give_one_line_naming_the_file(xml: str, message: str) -> None:
    with pytest.raises(GeoError, match=message) as error:
        parse_corpus(xml, source="bad.xml")
    assert str(error.value).startswith("bad.xml: ")
    assert "\n" not in str(error.value)


def test_evaluate_on_the_command_line(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.xml"
    corpus.write_text(CORPUS, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "geo", "evaluate", str(corpus), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["precision"] == 1.0 and figures["gold_toponyms"] == 5
    assert set(figures) >= {"recall", "f1", "accuracy_161km", "median_error_km", "by_type"}

    broken = tmp_path / "broken.xml"
    broken.write_text("<articles>", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "geo", "evaluate", str(broken)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and str(broken) in result.stderr
