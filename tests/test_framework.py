"""The framework is data: the source's prompts verbatim, concepts in our own words, and
user decks validated with errors that name the line and the field."""

from __future__ import annotations

import marshal
import sys
from pathlib import Path

import pytest

from attunement import framework
from attunement.errors import FormatError, InvalidInput
from attunement.framework import DeckSet, builtin_decks, concepts, parse_deck

from .conftest import SHARED

SEED = SHARED / "seed" / "the-art-of-attunement.txt"


def test_built_in_decks_load_with_stable_ids():
    decks = {d.id: d for d in builtin_decks()}
    assert list(decks) == ["art-of-attunement", "rupture-and-repair", "gibbs-reflective-cycle"]
    assert [p.id for p in decks["art-of-attunement"].prompts] == [f"aoa-{n}" for n in range(1, 8)]
    assert len(decks["gibbs-reflective-cycle"].prompts) == 6
    aoa = decks["art-of-attunement"]
    assert aoa.quoted and aoa.source_title == "The Art of Attunement + Journaling Prompts"


@pytest.mark.skipif(not SEED.exists(), reason="the source document is not beside the repo")
def test_the_seven_prompts_are_quoted_verbatim_from_the_source():
    source = " ".join(SEED.read_text(encoding="utf-8").split())
    prompts = builtin_decks()[0].prompts
    assert len(prompts) == 7
    for prompt in prompts:
        assert " ".join(prompt.text.split()) in source, prompt.id


def test_concepts_cover_the_source():
    framework = concepts()
    assert {c.id for c in framework.subskills} == {
        "empathy",
        "mindfulness",
        "immediacy",
        "active-listening",
        "presence",
        "experience-knowledge",
        "cognitive-understanding",
    }
    kinds = {c.id: c.kind for c in framework.posture}
    assert kinds["ease"] == kinds["curiosity"] == "ease"
    for sign in (
        "assumption",
        "sympathy",
        "fixing",
        "efforting",
        "fatigue",
        "disregarding-experience",
        "limited-curiosity",
    ):
        assert kinds[sign] == "power-centred"
    assert len(framework.adaptations) == 9
    assert [p.id for p in framework.continuum_poles] == ["intrusive", "neglectful"]
    assert [s.id for s in framework.scales] == [
        "ease",
        "presence",
        "curiosity",
        "urge_to_fix",
        "fatigue",
    ]
    for concept in (*framework.subskills, *framework.posture, *framework.adaptations):
        assert len(concept.definition) > 30, concept.id


def test_every_prompt_skill_is_a_known_sub_skill():
    known = concepts().subskill_ids
    for deck in builtin_decks():
        for prompt in deck.prompts:
            assert set(prompt.skills) <= known


GOOD_TOML = """\
schema = 1
id = "cpe-verbatim"
name = "CPE verbatim"

[[prompts]]
id = "cpe-1"
text = "What did you hear beneath the words?"
skills = ["empathy"]
"""


def test_a_user_deck_is_added_listed_and_used(attune, tmp_path: Path):
    path = tmp_path / "cpe.toml"
    path.write_text(GOOD_TOML, encoding="utf-8")
    assert "Added the deck 'cpe-verbatim' with 1 prompts" in attune("deck", "add", str(path)).stdout
    assert [d["id"] for d in attune.json("deck", "list")["decks"]][-1] == "cpe-verbatim"
    entry_id = attune("write", "--prompt", "cpe-1", "I heard fear").stdout.strip()
    assert attune.json("show", entry_id)["prompt_id"] == "cpe-1"
    again = attune("deck", "add", str(path), ok=False)
    assert again.exit_code == 1 and "--replace" in again.stderr
    attune("deck", "add", str(path), "--replace")
    attune("deck", "remove", "cpe-verbatim")
    assert attune.json("show", entry_id)["body"] == "I heard fear"


@pytest.mark.parametrize(
    "text,line,field",
    [
        (GOOD_TOML.replace('text = "What', 'txt = "What'), 7, "prompts[0].txt"),
        (GOOD_TOML.replace('["empathy"]', '["telepathy"]'), 8, "prompts[0].skills"),
        (GOOD_TOML.replace('id = "cpe-1"', 'id = "CPE 1"'), 6, "prompts[0].id"),
        (GOOD_TOML.replace('name = "CPE verbatim"\n', ""), None, None),
        (GOOD_TOML + '\n[[prompts]]\nid = "cpe-1"\ntext = "again"\n', 11, "prompts[1].id"),
        (GOOD_TOML + '\n[[prompts]]\nid = "cpe-2"\ntext = 42\n', 12, "prompts[1].text"),
        (GOOD_TOML.replace("schema = 1", "schema = 2"), 1, "schema"),
        ('id = "x"\nname = "oops\n', 2, None),
    ],
)
def test_a_bad_toml_deck_names_line_and_field(text, line, field):
    with pytest.raises(FormatError) as err:
        parse_deck(text, "toml", where="my.toml", known_skills=concepts().subskill_ids)
    message = err.value.message
    assert message.startswith("my.toml")
    if line is not None:
        assert f"line {line}:" in message, message
    if field is not None:
        assert field in message


def test_a_bad_yaml_deck_names_line_and_field():
    text = (
        "id: mine\nname: Mine\nprompts:\n  - id: m-1\n    text: hello\n"
        "  - id: m-2\n    text: [1, 2]\n"
    )
    with pytest.raises(FormatError) as err:
        parse_deck(text, "yaml", where="my.yaml")
    assert "my.yaml, line 7: prompts[1].text must be text" in err.value.message
    with pytest.raises(FormatError) as err:
        parse_deck("id: mine\n  name: : :\n", "yaml", where="broken.yaml")
    assert "broken.yaml, line 2" in err.value.message


@pytest.mark.parametrize(
    "fmt,text,line,field",
    [
        ("toml", GOOD_TOML.replace('text = "What', 'text = "W\\u0000hat'), 7, "prompts[0].text"),
        ("toml", GOOD_TOML.replace('name = "CPE verbatim"', 'name = "CPE\\u0000"'), 3, "name"),
        ("yaml", 'id: mine\nname: Mine\nprompts:\n  - id: m-1\n    text: "he\\0llo"\n', 5, None),
        ("yaml", 'id: mine\nname: Mine\nprompts:\n  - id: m-1\n    text: "a \\udc00"\n', 5, None),
    ],
    ids=["toml prompt", "toml name", "yaml prompt", "yaml lone surrogate"],
)
def test_a_deck_holding_a_nul_or_broken_unicode_is_refused_like_any_stored_text(
    fmt, text, line, field
):
    """A deck's words are stored and shown like an entry's, so they follow the same rule:
    no NUL characters, valid Unicode."""
    with pytest.raises(FormatError) as err:
        parse_deck(text, fmt, where=f"my.{fmt}", known_skills=concepts().subskill_ids)
    message = err.value.message
    assert message.startswith(f"my.{fmt}, line {line}:"), message
    assert "NUL" in message or "not valid Unicode" in message
    if field is not None:
        assert field in message


def test_user_decks_cannot_take_built_in_ids():
    deck = parse_deck(GOOD_TOML.replace('"cpe-1"', '"aoa-1"'), "toml")
    with pytest.raises(InvalidInput, match="already used by the deck 'art-of-attunement'"):
        DeckSet().check_new_deck(deck)
    deck = parse_deck(GOOD_TOML.replace('"cpe-verbatim"', '"art-of-attunement"'), "toml")
    with pytest.raises(InvalidInput, match="built-in"):
        DeckSet().check_new_deck(deck)


def test_deck_add_refuses_other_file_types(attune, tmp_path: Path):
    path = tmp_path / "deck.txt"
    path.write_text("hello", encoding="utf-8")
    result = attune("deck", "add", str(path), ok=False)
    assert result.exit_code == 2 and "TOML nor YAML" in result.stderr


def _deck_sources() -> list[bytes]:
    folder = Path(framework.__file__).parent
    files = [folder / "concepts.toml"]
    files += [folder / "decks" / name for name in framework.BUILTIN_DECK_FILES]
    return [f.read_bytes() for f in files]


def test_built_in_decks_are_kept_compiled_and_read_back_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    parsed = framework.compiled_decks(tmp_path, _deck_sources())
    (kept,) = tmp_path.glob("builtin-decks-*.marshal")
    assert framework.compiled_decks(tmp_path, _deck_sources()) == parsed
    assert parsed == framework._parse_builtin_decks()
    assert list(tmp_path.glob("builtin-decks-*.marshal")) == [kept]


def test_an_edited_deck_file_is_parsed_again_not_read_from_the_old_copy(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    sources = _deck_sources()
    framework.compiled_decks(tmp_path, sources)
    (old,) = tmp_path.glob("builtin-decks-*.marshal")
    # Spoil the kept copy: were it read for other sources, the decks would come out wrong.
    spoiled = [list(d) for d in framework._decks_to_data(framework._parse_builtin_decks())]
    spoiled[0][1] = "SPOILED"
    old.write_bytes(marshal.dumps((tuple(sources), tuple(tuple(d) for d in spoiled))))
    assert framework.compiled_decks(tmp_path, sources)[0].name == "SPOILED"  # it is read
    edited = [sources[0], sources[1] + b"\n# edited\n", *sources[2:]]
    assert framework.compiled_decks(tmp_path, edited) == framework._parse_builtin_decks()
    assert framework.compiled_decks(tmp_path, edited)[0].name != "SPOILED"


def test_a_damaged_or_unwritable_copy_only_costs_a_parse(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    framework.compiled_decks(tmp_path, _deck_sources())
    (kept,) = tmp_path.glob("builtin-decks-*.marshal")
    kept.write_bytes(b"not marshal at all")
    assert framework.compiled_decks(tmp_path, _deck_sources()) == framework._parse_builtin_decks()
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    assert framework.compiled_decks(blocked, _deck_sources()) == framework._parse_builtin_decks()


def test_nothing_is_written_when_python_writes_no_bytecode(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    framework.compiled_decks(tmp_path, _deck_sources())
    assert list(tmp_path.iterdir()) == []
