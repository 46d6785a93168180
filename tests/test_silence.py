"""An article that gives no event says why, in one line (the CLI prints it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from geo.articles import parse_article
from geo.events import extract
from geo.gazetteer import Gazetteer
from geo.geoparse import find_mentions
from geo.world import WorldIndex

REPORTS = [
    pytest.param(
        "Обстрел Харькова\n\nХАРЬКОВ, 12 марта 2023 года. В результате обстрела города погибли "
        "три человека, сообщили местные власти. Обстрел продолжался всю ночь.\n",
        "unsupported language",
        id="Russian",
    ),
    pytest.param(
        "Manifestation à Dakar\n\nDAKAR, 4 mars 2024 (Agence) - Des milliers de manifestants ont "
        "défilé dans le centre de la capitale pour protester contre le report de l'élection, "
        "selon des témoins.\n",
        "unsupported language",
        id="French",
    ),
    pytest.param(
        "Protesta en Quito\n\nQUITO, 5 de junio de 2024 - Miles de estudiantes marcharon por el "
        "centro de la ciudad contra la reforma, según la policía y los organizadores.\n",
        "unsupported language",
        id="Spanish",
    ),
    pytest.param(
        "قصف على المدينة\n\nقتل ثلاثة مدنيين في قصف على حي سكني في المدينة يوم السبت، بحسب "
        "مصادر طبية وشهود عيان في المنطقة.\n",
        "unsupported language",
        id="Arabic",
    ),
    pytest.param(
        "Shares rise in Frankfurt\n\nFRANKFURT, May 6, 2024 (Wire) - German shares rose on "
        "Monday as carmakers gained, traders said. The euro edged higher against the dollar.\n",
        "no event words",
        id="business news: no event words",
    ),
    pytest.param(
        "Clashes in the east\n\nSoldiers and rebels clashed near Goma, residents said. Several "
        "houses were burned in the fighting.\n",
        "no date: the article gives no publication date",
        id="undated report",
    ),
    pytest.param(
        "Talks planned\n\nNAIROBI, July 7, 2025 (Wire) - The two sides will hold talks in "
        "Nairobi next week, a mediator said. A protest is scheduled for Friday.\n",
        "every candidate dropped",
        id="only planned events",
    ),
]


def _silence(text: str, gazetteer: Gazetteer, world: WorldIndex) -> str:
    article = parse_article(text)
    mentions = find_mentions(article.text, gazetteer, world=world, spans=article.body)
    result = extract(article, mentions, gazetteer)
    assert result.events == ()
    return result.silence


@pytest.mark.parametrize(("text", "why"), REPORTS)
def test_an_article_with_no_event_says_why(
    text: str, why: str, gazetteer: Gazetteer, world: WorldIndex
) -> None:
    silence = _silence(text, gazetteer, world)
    assert silence.startswith(why) or why in silence, silence
    assert "\n" not in silence


def test_an_article_with_events_is_not_silent(gazetteer: Gazetteer, world: WorldIndex) -> None:
    article = parse_article(
        "Clashes near Goma\n\nGOMA, May 6, 2024 (Wire) - Soldiers and rebels clashed near "
        "Goma on Sunday, residents said.\n"
    )
    mentions = find_mentions(article.text, gazetteer, world=world, spans=article.body)
    result = extract(article, mentions, gazetteer)
    assert result.silence == ""


def test_geo_build_prints_each_silent_article_and_why(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, param in (("ru", REPORTS[0]), ("undated", REPORTS[5]), ("shares", REPORTS[4])):
        (folder / f"{name}.txt").write_text(param.values[0], encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "geo", "build", str(folder), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = result.stdout.splitlines()
    assert lines[0].startswith("3 articles, 0 events")
    assert sorted(line.split(":")[0] for line in lines[1:]) == [
        "no event from ru",
        "no event from shares",
        "no event from undated",
    ]
