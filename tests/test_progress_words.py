"""A nurse reads her practice progress, her Insights and the packet she takes to
supervision: levels said in words (none, weak or strong, with the average out of 2),
never a bare 0.44; an axis that ends today, not on a Sunday still to come; this month
named on the calendar; and no first-half/second-half trend read into three check-ins."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from attunement.core.dates import now_local
from attunement.practice.dimensions import figure_text, level_text, share_text
from attunement.supervision import packet as supervision
from attunement.web import charts

# Scores kept per response are the level halved (none 0, weak 0.5, strong 1).
SCORES = {
    "emotional_reactions": 0.0,
    "interpretations": 0.5,
    "explorations": 0.0,
    "reflection": 1.0,
    "no_power_signs": 1.0,
}


def test_an_average_level_is_said_as_the_level_it_is_nearest_with_the_average_out_of_2():
    assert level_text(0.06) == "none (0.1 of 2)"
    assert level_text(0.44) == "weak (0.9 of 2)"
    assert level_text(0.11) == "none (0.2 of 2)"
    assert level_text(0.25) == "weak (0.5 of 2)"  # half way to weak is weak
    assert level_text(0.74) == "strong (1.5 of 2)"  # the word follows the number shown
    assert (level_text(0.0), level_text(1.0)) == ("none (0 of 2)", "strong (2 of 2)")
    assert share_text(0.444) == "44%"
    assert figure_text("interpretations", 0.44) == "weak (0.9 of 2)"
    assert figure_text("reflection", 0.44) == "44%"


def _practised(journal, scores_by_day):
    for when, scores in scores_by_day:
        journal.store.add_attempt(
            vignette_id="v01",
            response="That sounds so heavy.",
            scores=scores,
            feedback={},
            now=when,
        )


@pytest.fixture
def saturday(monkeypatch):
    """Today is Saturday 5 Dec 2026 (the practice week runs to Sunday 6 Dec)."""
    tz = now_local().tzinfo
    today = datetime(2026, 12, 5, 18, 0, tzinfo=tz)
    from attunement.practice import views

    monkeypatch.setattr(views, "now_local", lambda: today)
    monkeypatch.setattr(charts, "now_local", lambda: today)
    return today


def test_the_practice_page_says_levels_in_words_and_ends_its_axis_today(client, data_dir, saturday):
    from attunement.core.journal import Journal

    with Journal.open(data_dir) as journal:
        _practised(
            journal,
            [
                (saturday - timedelta(days=3), SCORES),
                (saturday - timedelta(days=1), {**SCORES, "interpretations": 0.0}),
                (saturday, {**SCORES, "interpretations": 1.0, "reflection": 0.0}),
            ],
        )
    page = client.get("/practice").text
    assert "<td>weak (1\u00a0of\u00a02)</td>" in page, "it wraps before the bracket only"
    page = page.replace("\u00a0", " ")
    assert "3 responses over 1 week" in page
    # Showing you understood: (0.5 + 0 + 1) / 3 = 0.5 of the scores, 1 level of 2.
    assert "<td>weak (1 of 2)</td>" in page and "<td>none (0 of 2)</td>" in page
    assert "<td>67%</td>" in page  # reflections: a share of the responses
    assert "0.50" not in page and "0.00" not in page, "no bare decimals"
    assert "Empathy levels: 0 none" not in page
    assert "none, weak or strong (0, 1 or 2)" in page
    # The week of 30 Nov is drawn up to today, Saturday 5 Dec, never to Sunday 6 Dec.
    svg = page[page.index('<svg viewBox="0 0 300') :]
    svg = svg[: svg.index("</svg>")]
    assert ">30 Nov</text>" in svg and ">5 Dec</text>" in svg
    assert "6 Dec" not in page
    assert "weak (1 of 2)</title>" in page, "a dot's own words say it too"


def test_an_axis_never_runs_into_the_future(saturday):
    monday, sunday = date(2026, 11, 30), date(2026, 12, 6)
    drawn = str(charts.line([("2026-11-30T12:00:00", 0.5)], monday, sunday, "A week"))
    assert ">5 Dec</text>" in drawn and "6 Dec" not in drawn
    # A value dated later than today (a clock put back) still shows: the axis reaches it.
    later = str(charts.line([("2026-12-06T09:00:00", 0.5)], monday, sunday, "A week"))
    assert ">6 Dec</text>" in later
    # A past week keeps its Sunday; a chart of one day names that day once.
    past = str(charts.line([], date(2026, 11, 2), date(2026, 11, 8), "Earlier"))
    assert ">2 Nov</text>" in past and ">8 Nov</text>" in past
    one_day = str(charts.line([], date(2026, 12, 5), date(2026, 12, 5), "Today"))
    assert one_day.count(">5 Dec</text>") == 1


def _month_labels(svg: str) -> list[tuple[float, str]]:
    return [
        (float(x), m)
        for x, m in re.findall(r'<text x="([\d.]+)" y="12" class="label">(\w+)</text>', svg)
    ]


def test_the_calendar_names_the_current_month_though_its_first_week_began_in_the_last():
    start, today = date(2026, 9, 14), date(2026, 12, 5)  # Insights' 12 weeks to Sat 5 Dec
    svg = str(charts.calendar({"2026-12-05": 1}, start, today, "Days you wrote"))
    labels = _month_labels(svg)
    assert [m for _, m in labels] == ["Sep", "Oct", "Nov", "Dec"]
    width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    assert labels[-1][0] + charts.MONTH_LABEL_WIDTH <= width, "Dec fits inside the picture"
    # Each month sits over the week holding its first day (1 Oct is a Thursday).
    xs = [x for x, _ in labels]
    assert all(b - a >= 2 * 18 for a, b in zip(xs, xs[1:], strict=False)), "names never overlap"
    # A period starting just before a month's first day names that month, not both.
    late = _month_labels(str(charts.calendar({}, date(2026, 9, 28), today, "Days")))
    assert [m for _, m in late] == ["Oct", "Nov", "Dec"]


def test_insights_names_this_month_on_its_calendar(client):
    client.post("/api/v1/entries", json={"body": "A few lines today."})
    page = client.get("/insights").text
    calendar = page[page.index('class="chart calendar"') :]
    calendar = calendar[: calendar.index("</svg>")]
    assert f">{now_local():%b}</text>" in calendar


# -- the packet ------------------------------------------------------------------------------


def _packet_with(journal, eases, *, practice=()):
    tz = now_local().tzinfo
    day = datetime(2026, 11, 3, 9, 0, tzinfo=tz)
    for i, ease in enumerate(eases):
        journal.checkin(ease=ease, at=day + timedelta(minutes=10 * i))
    _practised(journal, [(day + timedelta(hours=1), s) for s in practice])
    entry = journal.store.add_entry(journal.new_entry("The ward round.", created_at=day))
    return supervision.build(
        journal,
        supervision.Selection.from_words(entry_ids=[entry.id]),
        now=day + timedelta(days=2),
    )


def test_three_check_ins_are_counted_not_read_as_a_trend(journal):
    made = _packet_with(journal, [3, 3, 5])
    text = supervision.markdown(made)
    assert "| Ease | average 3.7 out of 10 from 3 check-ins |" in text
    assert "half" not in text and "first" not in text
    assert "average 3.7 out of 10 from 3 check-ins" in supervision.html_body(made)
    ease = made.to_dict()["checkins"]["scales"]["ease"]
    assert ease == {"mean": 3.7, "first_half": None, "second_half": None}


def test_from_four_check_ins_the_first_half_is_compared_with_the_second(journal):
    made = _packet_with(journal, [2, 4, 6, 7, 8])
    text = supervision.markdown(made)
    assert "| Ease | average 5.4 out of 10 from 5 check-ins (first 2: 3, last 3: 7) |" in text
    ease = made.to_dict()["checkins"]["scales"]["ease"]
    assert ease == {"mean": 5.4, "first_half": 3.0, "second_half": 7.0}


def test_the_packet_says_practice_levels_in_the_practice_pages_words(journal):
    made = _packet_with(
        journal,
        [5],
        practice=[SCORES, {**SCORES, "interpretations": 0.0}, {**SCORES, "explorations": 0.5}],
    )
    text = supervision.markdown(made)
    row = next(line for line in text.splitlines() if line.startswith("| Practice |"))
    assert row == (
        "| Practice | 3 responses; on average, Showing warmth and concern: none (0 of 2); "
        "Showing you understood: weak (0.7 of 2); Inviting them to say more: none (0.3 of 2). "
        "The feedback reads each response as none, weak or strong (0, 1 or 2). |"
    )
    assert "| Ease | 5 out of 10 (1 check-in) |" in text
    html = supervision.html_body(made)
    assert "Showing you understood: weak (0.7 of 2)" in html and "0.33" not in html
    assert "empathy level" not in text and "0.5 weak" not in text


def test_the_command_line_says_progress_in_the_same_words(attune, journal):
    _practised(journal, [(now_local(), SCORES)])
    said = attune("practice", "progress").stdout
    assert said.startswith("1 response over 1 week.")
    table = said[: said.index("Themes to practise more")]
    assert "weak (1 of 2)" in table and "none (0 of 2)" in table and "100%" in table
    assert "0.50" not in table and "none, weak or strong (0, 1 or 2)" in " ".join(table.split())
