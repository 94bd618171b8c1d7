"""Check-ins: quick at a terminal, scriptable with options, and always validated."""

from __future__ import annotations

from datetime import UTC

import pytest

from attunement.errors import InvalidInput


@pytest.fixture
def at_terminal(monkeypatch):
    from attunement.cli.context import AppContext

    monkeypatch.setattr(AppContext, "interactive", staticmethod(lambda: True))


def test_a_check_in_with_options(attune):
    saved = attune.json(
        "checkin",
        "--ease",
        "3",
        "--urge-to-fix",
        "8",
        "--body",
        "Chest",
        "--body",
        "throat",
        "--body",
        "chest",
        "--note",
        "before the visit",
        "--moment",
        "before",
    )
    assert (saved["ease"], saved["urge_to_fix"], saved["presence"]) == (3, 8, None)
    assert saved["body"] == ["chest", "throat"] and saved["moment"] == "before"
    listed = attune.json("checkins")["checkins"]
    assert listed == [saved]
    today = attune.json("today")
    assert today["last_checkin"]["id"] == saved["id"]


def test_at_a_terminal_missing_answers_are_asked_and_bad_ones_asked_again(attune, at_terminal):
    answers = (
        "\n".join(
            [
                "4",
                "eleven",
                "7",
                "",
                "9",
                "3",
                "elbow, chest",
                "chest, jaw",
                "face-jaw",
                "long family meeting",
                "after",
            ]
        )
        + "\n"
    )
    result = attune("checkin", input=answers)
    assert "whole number from 0 to 10" in result.stdout
    assert "'elbow' is not a body region" in result.stdout
    saved = attune.json("checkins")["checkins"][0]
    assert (saved["ease"], saved["presence"], saved["curiosity"]) == (4, 7, None)
    assert (saved["urge_to_fix"], saved["fatigue"]) == (9, 3)
    assert saved["body"] == ["face-jaw"]
    assert saved["note"] == "long family meeting" and saved["moment"] == "after"


def test_check_ins_are_listed_newest_first_with_date_filters(journal):
    from datetime import datetime, timedelta

    now = datetime(2026, 11, 25, 9, tzinfo=UTC)
    for days in (3, 2, 1):
        journal.checkin(ease=days, at=now - timedelta(days=days))
    assert [c.ease for c in journal.checkins()] == [1, 2, 3]
    assert [c.ease for c in journal.checkins(since=now - timedelta(days=2, hours=1))] == [1, 2]
    assert [c.ease for c in journal.checkins(limit=1)] == [1]


@pytest.mark.parametrize(
    "fields",
    [
        {"ease": -1},
        {"fatigue": 11},
        {"presence": 2.5},
        {"curiosity": True},
        {"ease": 3, "moment": "during"},
        {"ease": 3, "body": ["spleen"]},
        {"ease": 3, "note": "x" * 5001},
        {"calm": 3},
        {},
    ],
)
def test_invalid_check_ins_are_refused(journal, fields):
    with pytest.raises(InvalidInput):
        journal.checkin(**fields)
    assert journal.checkins() == []
