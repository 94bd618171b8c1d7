"""Plain words at the command line: a nurse, a chaplain or a trainee counsellor who runs
`attune analyze`, practises at the terminal or sums up a session transcript reads the same
words as on the web pages, taken from the one place both say them from
(``attunement.wording``), with the technical term in brackets the first time for those who
know it. Scripts reading `--json` see exactly what they saw before: ids, codes and every
figure."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from .test_plain_words import GRIEF_SESSION, entry_page, tooltips, visible

TIRED = "By the end of the shift I was exhausted. I wanted to fix it."
BODY = "My chest tightened when she cried. I did not feel rushed. My shoulders were slightly tense."
TO = "I'm exhausted and I can't cope with the kids anymore."
ADVICE = "You should just try to get more sleep."
SAID_BACK = "You're worn out, and it's all landed on you."
GRIEF = "After the funeral"


def grief_transcript(attune: Any, tmp_path: Any) -> str:
    path = tmp_path / "grief.txt"
    path.write_text(GRIEF_SESSION, encoding="utf-8")
    return str(attune("transcript", "import", str(path), "--title", GRIEF).stdout.strip())


# -- `attune analyze`: one's own writing --------------------------------------------------


def test_an_entry_reads_the_same_at_the_terminal_as_on_its_page(client, attune):
    page = entry_page(client, TIRED)
    entry_id = client.get("/api/v1/entries").json()["entries"][0]["id"]
    said = attune("analyze", entry_id).stdout
    sentence = "Showed up: signs of losing ease: fatigue, fixing."
    assert sentence in visible(page) and sentence in said
    assert "What Attunement noticed" in said and "a sign of losing ease" in said
    assert "power-centred" not in said.replace("calls a power-centred encounter", "")
    # The article's word is explained once, as on the page.
    assert said.count("“Losing ease” is what the article calls a power-centred") == 1


def test_a_sign_said_lightly_or_denied_is_said_in_plain_words_with_the_term_once(attune):
    said = attune("analyze", "--text", BODY).stdout
    assert "Noticing your body (also called somatic awareness)" in said
    assert "Somatic awareness" not in said and said.count("somatic awareness") == 1
    assert "(said lightly, with a word such as “a bit” or “maybe”)" in said
    assert "(softened)" not in said
    assert "Straining (the article's word: efforting)" in said
    assert "(not counted: you said it was not so)" in said and "negated" not in said


def test_writing_with_no_signs_says_so_as_the_page_does(client, attune):
    nothing = "Drove home. Had soup."
    said = attune("analyze", "--text", nothing).stdout
    assert "None of the signs Attunement looks for showed up in this text." in said
    assert "None of the signs Attunement looks for" in visible(entry_page(client, nothing))
    assert "framework markers" not in said and "Markers" not in said


# -- `attune analyze --response`: what a reply does -----------------------------------------


def test_advice_is_called_advice_with_the_mi_term_in_brackets(attune):
    said = attune("analyze", "--response", ADVICE, "--to", TO).stdout
    assert "Advice (MI: input, advice)" in said
    assert "input (advice)" not in said and "Empathy communication" not in said
    assert "Showing warmth and concern: none" in said


def test_saying_back_is_named_as_the_practice_page_names_it(attune):
    said = attune("analyze", "--response", SAID_BACK, "--to", TO).stdout
    assert "Saying back what they said, with meaning added (MI: complex reflection)" in said
    assert "reflection (complex)" not in said


# -- Practice at the terminal ---------------------------------------------------------------


def test_practice_feedback_says_the_feedback_pages_words(client, attune):
    response = "You should try to get more sleep. It sounds so hard. What happened?"
    page = client.post("/practice/v11", data={"response": response}).text
    said = attune("practice", "respond", "v11", "--text", response).stdout
    assert "What your response does: Advice (MI: input, advice)" in said
    assert "Overall: Advice" in visible(page)
    # Part by part, each part as the page says it, its MI term once.
    for words in ("an open question, inviting more than yes or no", "advice"):
        assert f"{words}" in visible(page) and words in said
    assert "an open question, inviting more than yes or no (MI: open question)" in said
    assert "MI term: open question" in tooltips(page)
    # The statement's setting and themes by name, the article's word once.
    assert "Counselling room · Being overridden (the article's word: intrusive)" in said
    assert "intrusive," not in said and "counselling room" not in said


def test_a_term_comes_in_brackets_only_the_first_time(attune):
    listed = attune("practice", "list").stdout
    assert listed.count("Being overridden") > 3
    assert listed.count("(the article's word: intrusive)") == 1
    assert "loss-and-life-change" not in listed and "Loss and life change" in listed


def test_a_theme_is_chosen_by_the_name_the_list_shows_or_by_its_id(attune):
    by_name = attune.json("practice", "list", "--theme", "Being overridden")
    assert by_name == attune.json("practice", "list", "--theme", "intrusive")
    assert by_name["vignettes"]
    refused = attune("practice", "list", "--theme", "nonsense", ok=False)
    assert refused.exit_code == 2 and "'nonsense' is not a practice theme" in refused.stderr


def test_progress_names_the_themes_to_practise(attune):
    attune("practice", "respond", "v11", "--text", ADVICE)
    table = attune("practice", "progress").stdout
    assert "Themes to practise more: " in table and "Being overridden" in table
    assert "intrusive" not in table


# -- A session transcript ---------------------------------------------------------------------


def test_a_grief_session_is_summed_up_without_change_talk(attune, tmp_path):
    tid = grief_transcript(attune, tmp_path)
    result = attune("transcript", "analyze", tid)
    said = result.stdout
    assert (
        "Times the caregiver said back what they heard, for each question asked "
        "(MI: reflection-to-question ratio): 0.50  Below fair (fair is 1, good 2)"
    ) in said
    assert "Reflections per question" not in said and "below fair" not in said
    assert "change talk" not in said.lower() and "How often the client spoke" not in said
    assert said.count("MITI 4.2.1") == 1, "MITI is named once, as the source of the marks"
    assert "--about-change" in result.stderr


def test_a_session_about_change_shows_how_the_client_spoke_when_asked(attune, tmp_path):
    tid = grief_transcript(attune, tmp_path)
    result = attune("transcript", "analyze", tid, "--about-change")
    assert (
        "How often the client spoke for a change / for keeping things as they are "
        "(MI: client change talk / sustain talk): 1 / 1"
    ) in result.stdout
    assert "--about-change" not in result.stderr


def test_a_folder_of_sessions_brackets_each_term_once(attune, tmp_path):
    folder = tmp_path / "sessions"
    folder.mkdir()
    for name in ("monday", "tuesday"):
        (folder / f"{name}.txt").write_text(GRIEF_SESSION, encoding="utf-8")
    said = attune("transcript", "analyze", str(folder)).stdout
    assert said.count("Times the caregiver said back what they heard") == 2
    assert said.count("(MI: reflection-to-question ratio)") == 1
    assert said.count("MITI 4.2.1") == 1


def test_the_report_file_keeps_mis_own_names_as_the_pages_download_does(attune, tmp_path):
    tid = grief_transcript(attune, tmp_path)
    report = attune("transcript", "report", tid).stdout
    assert "| Reflections per question |" in report and "change talk" in report


# -- The JSON is an API: it does not change -------------------------------------------------


def test_the_json_of_analyze_is_the_analysis_itself_with_its_terms(attune):
    from attunement.analysis.report import analyze_response, analyze_text

    data = attune.json("analyze", "--text", TIRED)
    assert data == json.loads(json.dumps(analyze_text(TIRED).to_dict()))
    assert {m["family"] for m in data["markers"]} == {"power-centred"}
    assert data["summary"] == "Showed up: signs of a power-centred encounter: fatigue, fixing."
    reply = attune.json("analyze", "--response", ADVICE, "--to", TO)
    assert reply == json.loads(json.dumps(analyze_response(ADVICE, TO).to_dict()))
    assert (reply["mi"]["code"], reply["mi"]["subtype"]) == ("input", "advice")


def test_the_json_of_practice_keeps_the_codes(attune):
    data = attune.json("practice", "respond", "v11", "--text", ADVICE)
    assert (data["mi"]["code"], data["mi"]["subtype"]) == ("input", "advice")
    assert [m["code"] for m in data["moves"]] == ["advice"]
    assert attune.json("practice", "list", "--theme", "intrusive")["vignettes"][0]["themes"][0]


def test_the_json_of_a_transcript_has_every_figure_with_or_without_the_choice(attune, tmp_path):
    tid = grief_transcript(attune, tmp_path)
    plain = attune.json("transcript", "analyze", tid)
    assert plain == attune.json("transcript", "analyze", tid, "--about-change")
    assert (plain["summary"]["change_talk"], plain["summary"]["sustain_talk"]) == (1, 1)
    assert {t["code"] for t in plain["turns"] if t["role"] == "client"} <= {
        "change",
        "sustain",
        "neutral",
    }


# -- One place for the words ----------------------------------------------------------------


def test_the_pages_and_the_command_line_take_their_words_from_one_place():
    from attunement import wording
    from attunement.web import words

    assert words.REPLIES is wording.REPLIES and words.PARTS is wording.PARTS
    assert words.noticed is wording.noticed and words.name_of is wording.name_of


def test_the_command_lines_words_come_without_the_web_app():
    code = (
        "import sys, attunement.wording, attunement.cli.analyze, attunement.cli.practice, "
        "attunement.cli.transcripts; attunement.wording.name_of('intrusive'); "
        "print(sorted(m for m in sys.modules if m.startswith(('attunement.web', 'fastapi'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
