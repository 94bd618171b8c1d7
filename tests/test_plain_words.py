"""Feedback in plain words: a nurse, a chaplain or a trainee counsellor reads what
Attunement noticed in an entry, in a practice response and in a session transcript at
first reading, without the article's or motivational interviewing's terms; those who know
the terms still find them, in a tooltip or a small note. Only the pages' words change:
the JSON API keeps its ids and figures."""

from __future__ import annotations

import html
import re
from typing import Any

from attunement.analysis.replies import PART_CODES
from attunement.web.words import PARTS, REPLIES, TURN_WORDS, turn_code

GRIEF_SESSION = """Counsellor: Hi, thanks for coming in today. How have things been?
Client: Honestly, terrible. My husband died in March and I still can't sleep in our bed.
Counsellor: It sounds like the bed itself holds so much of him.
Client: Yes. I sleep on the sofa. My daughter says I should just get over it.
Counsellor: Why haven't you tried sleeping in the spare room instead?
Client: I don't know. I suppose I never thought of it.
Counsellor: Don't worry, it gets easier with time. You should try a warm bath.
"""


def visible(page: str) -> str:
    """What a reader sees of a page's main part: its text, without tags or tooltips."""
    main = page.split("<main", 1)[-1].split("</main>", 1)[0]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


def tooltips(page: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r'title="([^"]*)"', page)]


def entry_page(client: Any, body: str) -> str:
    saved = client.post("/api/v1/entries", json={"body": body, "title": "Ward"})
    assert saved.status_code == 201, saved.text
    return client.get(f"/entries/{saved.json()['id']}").text


def feedback_page(client: Any, vignette_id: str, response: str) -> str:
    done = client.post(f"/practice/{vignette_id}", data={"response": response})
    assert done.status_code == 200, done.text
    return done.text


def transcript_id(client: Any) -> str:
    made = client.post(
        "/api/v1/transcripts",
        data={"title": "After the funeral"},
        files={"file": ("grief.txt", GRIEF_SESSION.encode())},
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


# -- An entry ---------------------------------------------------------------------------


def test_tiredness_in_an_entry_reads_as_a_sign_of_losing_ease_not_of_power(client):
    page = entry_page(client, "By the end of the shift I was exhausted. I wanted to fix it.")
    seen = visible(page)
    assert "signs of losing ease: fatigue, fixing" in seen
    assert "a sign of losing ease" in seen, "the legend names the marks the same way"
    assert "power-centred sign" not in seen and "signs of a power-centred encounter" not in seen
    # The article's own term is still there, explained once, and as the legend's tooltip.
    assert "“Losing ease” is what the article calls a power-centred encounter" in seen
    assert any("power-centred encounter" in t for t in tooltips(page))


def test_an_entry_without_those_signs_has_no_note_about_them(client):
    seen = visible(entry_page(client, "I sat with her and listened. I was curious."))
    assert "losing ease" not in seen and "power-centred" not in seen


def test_a_sign_said_lightly_says_so_in_words_with_the_reason_in_a_tooltip(client):
    page = entry_page(client, "My shoulders were slightly tense as she talked.")
    seen = visible(page)
    assert "Noticing your body (said lightly, with a word such as “a bit” or “maybe”)" in seen
    assert "(softened)" not in page
    assert "Also called somatic awareness." in tooltips(page)
    assert any(t.startswith("A softening word such as “maybe”") for t in tooltips(page))


def test_a_sign_denied_in_the_entry_says_why_it_does_not_count_in_plain_words(client):
    seen = visible(entry_page(client, "I was not curious about her at all."))
    assert "(not counted: you said it was not so)" in seen and "negated" not in seen


def test_an_entry_with_no_signs_says_so_without_framework_words(client):
    seen = visible(entry_page(client, "Drove home. Had soup."))
    assert "None of the signs Attunement looks for showed up in this text." in seen
    assert "framework markers" not in seen


def test_the_json_api_keeps_the_markers_ids_names_and_its_own_summary(client):
    data = client.post("/api/v1/analysis/text", json={"text": "I was exhausted."}).json()
    (fatigue,) = [m for m in data["markers"] if m["id"] == "fatigue"]
    assert fatigue["family"] == "power-centred", "the id stays; only the page's words change"
    assert data["summary"].startswith("Showed up:")


# -- A practice response ----------------------------------------------------------------


def test_advice_is_called_advice_with_the_mi_term_in_a_tooltip(client):
    page = feedback_page(
        client,
        "v01",
        "You should try to get more sleep and maybe talk to your GP about it.",
    )
    seen = visible(page)
    assert "Overall: Advice" in seen
    assert "Input (advice)" not in seen and "Input (" not in seen
    assert "MI term: input (advice)" in tooltips(page)
    assert "In motivational interviewing (MI) terms, the response as a whole is: input" in seen


def test_a_condolence_says_what_other_means(client):
    page = feedback_page(client, "v01", "I'm so sorry for your loss.")
    seen = visible(page)
    assert "Something else: not saying back, asking or advising" in seen
    assert not re.search(r"Overall: Other\b", seen)
    assert "MI term: other" in tooltips(page)


def test_a_reflection_is_saying_back_with_the_mi_term_kept(client):
    page = feedback_page(client, "v01", "You're worn out, and it's all landed on you.")
    seen = visible(page)
    assert "Overall: Saying back what they said, with meaning added" in seen
    assert "Reflection (complex)" not in seen
    assert "MI term: complex reflection" in tooltips(page)


def test_the_empathy_dimensions_keep_their_research_terms_as_tooltips(client):
    page = feedback_page(client, "v01", "That sounds exhausting.")
    assert "Empathy term: emotional reactions." in tooltips(page)
    assert "Showing warmth and concern" in visible(page)


def test_every_code_the_models_give_has_plain_words_and_its_term():
    from attunement.analysis.models import _model

    heads = {h["name"]: h["labels"] for h in _model("mi.npz").meta["heads"]}
    for code in heads["therapist"]:
        assert (code, None) in REPLIES and (code, None) in TURN_WORDS
        for subtype in heads.get(f"{code}_subtype", []):
            words, term = REPLIES[(code, subtype)]
            assert words and term and (code, subtype) in TURN_WORDS
    for code in heads["client"]:
        assert (code, None) in TURN_WORDS
    assert set(PART_CODES) == set(PARTS)


def test_the_themes_intrusive_and_neglectful_are_named_kindly_with_the_articles_word(client):
    page = client.get("/practice/v11").text  # a statement on being overridden
    seen = visible(page)
    assert "Being overridden" in seen and "Intrusive" not in seen
    assert any(t.startswith("The article's word: intrusive") for t in tooltips(page))
    home = visible(client.get("/practice").text)
    assert "Being overlooked" in home and "Neglectful" not in home


# -- A transcript -----------------------------------------------------------------------


def test_a_grief_session_shows_no_change_talk_and_no_client_codes(client):
    tid = transcript_id(client)
    page = client.get(f"/transcripts/{tid}").text
    seen = visible(page)
    assert "Times the caregiver said back what they heard, for each question asked" in seen
    assert "Below fair (fair is 1, good 2)" in seen
    assert "change talk / sustain talk" not in seen.lower().replace("mi's ", "")
    assert "How often the client spoke for a change" not in seen
    assert "[for change]" not in seen and "[neither]" not in seen
    assert "Client turns are shown without a code." in seen
    # The caregiver's turns are coded in plain words, the MI code in a tooltip.
    assert "[open question]" in seen and "MI code: open question" in tooltips(page)
    assert "MI: reflection-to-question ratio" in tooltips(page)
    # MITI is named once, as the source of the marks, for a reader who knows it.
    assert seen.count("MITI 4.2.1") == 1


def test_a_session_about_change_shows_how_the_client_spoke_about_it_when_asked(client):
    tid = transcript_id(client)
    page = client.get(f"/transcripts/{tid}").text
    assert f'href="/transcripts/{tid}?change=1">Also show how the client spoke' in page
    chosen = client.get(f"/transcripts/{tid}?change=1").text
    seen = visible(chosen)
    assert "How often the client spoke for a change / for keeping things as they are" in seen
    assert "MI: client change talk / sustain talk" in tooltips(chosen)
    assert re.search(r"\[(for change|for keeping things as they are|neither)\]", seen)
    assert f'href="/transcripts/{tid}">Leave these out</a>' in chosen
    # A link to one turn keeps the choice.
    jump = client.get(f"/transcripts/{tid}?turn=3&change=1", follow_redirects=False)
    assert jump.headers["location"] == f"/transcripts/{tid}?change=1#turn-3"


def test_the_transcripts_data_keeps_change_and_sustain_talk(client):
    tid = transcript_id(client)
    client.get(f"/transcripts/{tid}")  # the page leaves them out; the data does not
    data = client.get(f"/api/v1/transcripts/{tid}").json()
    assert {"change_talk", "sustain_talk"} <= set(data["summary"])
    assert {t["code"] for t in data["turns"] if t["role"] == "client"} <= {
        "change",
        "sustain",
        "neutral",
    }
    report = client.get(f"/api/v1/transcripts/{tid}/report?format=md").text
    assert "MITI 4.2.1" in report, "the report file keeps MI's own names"


def test_a_turns_code_is_plain_words_with_the_mi_code_as_tooltip():
    said = turn_code("question", "closed", "caregiver", about_change=False)
    assert 'title="MI code: closed question"' in said and "[closed question]" in said
    assert turn_code("change", None, "client", about_change=False) == ""
    assert "[for change]" in turn_code("change", None, "client", about_change=True)


# -- The supervision packet -------------------------------------------------------------


def test_an_empty_packet_asks_for_entries_without_talking_of_ids(client):
    nothing = client.post("/supervision", data={"action": "preview", "redact": "1"})
    assert nothing.status_code == 422
    said = visible(nothing.text)
    assert "choose some entries, a period or a tag, or add a question" in said
    assert "by id" not in said
