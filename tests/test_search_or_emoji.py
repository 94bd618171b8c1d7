"""Searching as people type it: "sad OR angry" finds either word, an emoji on its own finds
the entries with it, and a name that finds nothing is met with a hint when the journal
keeps names as placeholders ("[Client A]"). The journal page, the JSON API and
`attune search` all ask the same search."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attunement.core.models import EntryFilter, NewEntry
from attunement.errors import InvalidInput
from attunement.storage.search import fts5_match, parse_query, symbol_snippet

START = datetime(2026, 11, 1, 8, tzinfo=UTC)
NIGHT = "Night shift. I felt sad after the family left, and sat in the sluice room."
ROTA = "Angry at the rota again. I could not say it to anyone."
BOTH = "Sad and angry at once after the review meeting."
TEARS = "The daughter cried on the phone 😢 and I cried after she rang off."
HEART = "Thank you card from the ward ❤️ made my week."
OR_WORD = "Either stay or go: the choice I keep avoiding."


def _titles(journal, query, **kwargs) -> list[str]:
    return sorted(hit.entry.title for hit in journal.search(query, **kwargs))


@pytest.fixture
def diary(journal):
    texts = {"night": NIGHT, "rota": ROTA, "both": BOTH, "tears": TEARS, "heart": HEART}
    texts["choice"] = OR_WORD
    journal.add_many(
        NewEntry(title=title, body=body, created_at=START + timedelta(days=n))
        for n, (title, body) in enumerate(texts.items())
    )
    return journal


# -- OR -------------------------------------------------------------------------------------


def test_or_between_two_words_finds_entries_with_either(diary):
    assert _titles(diary, "sad OR angry") == ["both", "night", "rota"]


def test_or_is_read_in_any_case_between_two_words(diary):
    assert _titles(diary, "sad or angry") == _titles(diary, "sad OR angry")
    assert _titles(diary, "Sad Or ANGRY") == ["both", "night", "rota"]


def test_words_without_or_must_all_match_as_before(diary):
    assert _titles(diary, "sad angry") == ["both"]
    assert _titles(diary, "sad") == ["both", "night"]


def test_or_joins_only_the_words_either_side_of_it(diary):
    """'after sad OR angry' is "after" and either of the other two."""
    assert _titles(diary, "after sad OR angry") == ["both", "night"]
    assert _titles(diary, "rota OR review OR sluice") == ["both", "night", "rota"]


def test_or_in_quotes_or_with_no_word_on_one_side_is_the_word_itself(diary):
    assert _titles(diary, '"stay or go"') == ["choice"]
    assert _titles(diary, "or") == ["choice"]
    assert _titles(diary, "or stay") == ["choice"]
    assert _titles(diary, "go or") == ["choice"]


def test_or_works_with_phrases_and_prefixes(diary):
    assert _titles(diary, '"sluice room" OR angr*') == ["both", "night", "rota"]


def test_a_search_without_or_asks_the_index_exactly_as_before():
    """The words people searched with before reach the index unchanged."""
    assert fts5_match(parse_query("ward tired")) == '"ward" AND "tired"'
    assert fts5_match(parse_query('"quiet day" gri*')) == '"quiet day" AND "gri"*'
    assert fts5_match(parse_query("cry")) == '("cry" OR "cried")'
    assert fts5_match(parse_query("sad OR angry")) == '("sad" OR "angry")'


@pytest.mark.parametrize(
    "query",
    [
        'sad OR "',
        "sad OR NEAR(",
        "sad OR NEAR(sad angry, 2)",
        "title:sad OR body:angry",
        "sad OR -angry",
        "^sad OR angry)",
        "sad OR (angry",
        "sad OR NOT angry",
        "sad AND OR angry",
        'sad OR "angry" OR "',
        "sad OR {title body}: angry",
    ],
)
def test_search_syntax_typed_into_an_or_query_is_read_as_words(diary, query):
    """FTS5's own operators and columns are never its syntax here: the words in them are
    looked for, and nothing is ever an error."""
    found = _titles(diary, query)
    assert set(found) <= {"both", "night", "rota"}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('sad OR or angry"*()^:-+{}[]NEAR😢 .,')), max_size=40))
def test_no_query_is_ever_a_syntax_error(query):
    """Whatever is typed becomes a valid index query, or the one sentence saying there is
    nothing to look for."""
    try:
        parsed = parse_query(query)
    except InvalidInput as exc:
        assert "no words or emoji" in exc.message
        return
    with sqlite3.connect(":memory:") as conn:
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(title, body)")
        conn.execute("INSERT INTO t VALUES ('sad', 'angry 😢')")
        if parsed.has_words:
            conn.execute("SELECT * FROM t WHERE t MATCH ?", [fts5_match(parsed)]).fetchall()


# -- emoji ----------------------------------------------------------------------------------


def test_an_emoji_on_its_own_finds_the_entries_with_it(diary):
    (hit,) = diary.search("😢")
    assert hit.entry.title == "tears"
    start, end = hit.highlights[0]
    assert hit.snippet[start:end] == "😢"


def test_a_heart_is_found_with_or_without_its_emoji_form(diary):
    """ "❤️" is "❤" drawn as an emoji: people type either."""
    assert _titles(diary, "❤") == ["heart"]
    (hit,) = diary.search("❤️")
    assert hit.entry.title == "heart"
    start, end = hit.highlights[0]
    assert hit.snippet[start:end] == "❤️"


def test_emoji_take_or_and_all_must_match_as_words_do(diary):
    assert _titles(diary, "😢 OR ❤️") == ["heart", "tears"]
    assert _titles(diary, "😢 ❤️") == []


def test_an_emoji_in_the_title_is_found(journal):
    journal.add_many([NewEntry(title="A good day 🌻", body="Nothing much to say.")])
    (hit,) = journal.search("🌻")
    assert hit.snippet == "A good day 🌻"


def test_an_emoji_search_keeps_the_filters_and_the_trash_out(diary):
    tears = next(e for e in diary.list_entries() if e.title == "tears")
    assert _titles(diary, "😢", flt=EntryFilter(tags=("nothing",))) == []
    diary.delete(tears.id)
    assert _titles(diary, "😢") == []


def test_emoji_hits_come_newest_first_page_by_page(journal):
    journal.add_many(
        NewEntry(title=f"day {n}", body=f"Tired 🙃 day {n}.", created_at=START + timedelta(days=n))
        for n in range(5)
    )
    first = [h.entry.title for h in journal.search("🙃", limit=2)]
    then = [h.entry.title for h in journal.search("🙃", limit=2, offset=2)]
    assert first + then == ["day 4", "day 3", "day 2", "day 1"]


def test_with_words_beside_it_an_emoji_leaves_the_words_to_decide(diary):
    assert _titles(diary, "cried 😢") == _titles(diary, "cried") == ["tears"]
    assert _titles(diary, "😢 OR angry") == _titles(diary, "angry")


@pytest.mark.parametrize("query", ["***", "?", '"', "…", "—", "%"])
def test_punctuation_alone_still_says_there_is_nothing_to_look_for(diary, query):
    with pytest.raises(InvalidInput, match="no words or emoji to look for"):
        diary.search(query)


def test_an_emoji_snippet_is_the_words_around_it_marked():
    body = " ".join(f"w{n}" for n in range(30)) + " 😢 " + " ".join(f"v{n}" for n in range(30))
    snippet, spans = symbol_snippet("", body, parse_query("😢"), 16)
    assert snippet.startswith("…w22 ") and snippet.endswith(" v6…")
    assert [snippet[a:b] for a, b in spans] == ["😢"]
    assert len(snippet.split()) == 16


# -- placeholders ---------------------------------------------------------------------------


def test_a_name_that_finds_nothing_is_met_with_the_placeholder_hint(journal):
    journal.add_many([NewEntry(title="Visit", body="Sat with Mrs [Client A] and her son.")])
    hits = journal.search("Mrs K")
    assert list(hits) == [] and hits.placeholder == "[Client A]"
    assert "names in your entries may be stored as placeholders such as [Client A]" in (
        hits.placeholder_hint
    )
    (found,) = journal.search(hits.placeholder)
    assert found.entry.title == "Visit"


def test_no_placeholder_hint_when_the_journal_has_no_placeholders(diary):
    hits = diary.search("Mrs K")
    assert list(hits) == [] and hits.placeholder_hint == ""


def test_no_placeholder_hint_when_something_was_found_or_for_a_placeholder(journal):
    journal.add_many([NewEntry(title="Visit", body="Sat with [Client B] in the garden.")])
    assert journal.search("garden").placeholder_hint == ""
    assert journal.search("[Client C]").placeholder_hint == ""


def test_the_page_the_api_and_the_cli_give_the_placeholder_hint(client, attune):
    token = re.search(r'name="form_token"[^>]*value="([^"]*)"', client.get("/write").text)
    assert token
    client.post(
        "/write",
        data={
            "body": "Mrs Okafor phoned about her son.",
            "deid": "redact",
            "form_token": token.group(1),
        },
    )
    page = client.get("/journal", params={"q": "Mrs Okafor"}).text
    assert "Nothing found for “Mrs Okafor”." in page
    assert "may be stored as placeholders such as [Client A]" in page
    assert 'href="/journal?q=%5BClient%20A%5D"' in page
    found = client.get("/journal", params={"q": "[Client A]"}).text
    assert "Mrs [Client A] phoned" in re.sub(r"</?mark>", "", found)
    api = client.get("/api/v1/search", params={"q": "Mrs Okafor"}).json()
    assert api["results"] == [] and "[Client A]" in api["hint"]
    assert client.get("/api/v1/search", params={"q": "son"}).json()["hint"] is None
    said = attune("search", "Mrs Okafor")
    assert "Nothing found." in said.output
    assert 'Try: attune search "[Client A]"' in said.output


# -- the journal page -----------------------------------------------------------------------


def test_the_journal_page_explains_or_and_emoji_beside_the_search_box(client):
    page = client.get("/journal").text
    assert 'aria-describedby="search-hint"' in page
    hint = re.search(r'<p[^>]*id="search-hint"[^>]*>(.*?)</p>', page, re.S)
    assert hint and "sad OR angry" in hint.group(1) and "emoji" in hint.group(1)


def test_the_journal_page_finds_either_word_and_an_emoji(client):
    for body in (NIGHT, ROTA, TEARS):
        client.post("/api/v1/entries", json={"body": body})
    either = client.get("/journal", params={"q": "sad or angry"}).text
    assert "Nothing found" not in either and either.count('class="snippet"') == 2
    emoji = client.get("/journal", params={"q": "😢"}).text
    assert "<mark>😢</mark>" in emoji and "no words" not in emoji
    nothing = client.get("/journal", params={"q": "***"}).text
    assert "no words or emoji to look for" in nothing and "Nothing found" not in nothing
