"""Practice replies written as people speak are read for what they do, and quoted as
written."""

from __future__ import annotations

import pytest

from attunement.analysis.spelling import as_written, standard_spelling
from attunement.practice.feedback import feedback
from attunement.practice.vignettes import vignette


@pytest.mark.parametrize(
    "vignette_id,reply,code",
    [
        ("v42", "Whit's it like, tryin tae keep aw they plates spinnin?", "question"),
        ("v25", "Ye're feart he'll go if ye close yer eyes.", "reflection"),
        ("v17", "Forty minutes an naebody came. Nae wonder ye stopped pressin, hen.", "reflection"),
    ],
)
def test_a_reply_in_scots_is_read_as_the_same_reply_in_standard_english(vignette_id, reply, code):
    fb = feedback(vignette(vignette_id), reply)
    assert fb.mi.code == code and not fb.power_signs
    # the praise quotes the person's own words, not the standard spelling the models read
    assert fb.did_well and "“" in fb.did_well
    quoted = fb.did_well.split("“", 1)[1].split("”", 1)[0]
    assert quoted in reply


def test_shetland_forms_are_read_as_standard_english():
    assert standard_spelling("Dunna fash, du's no a bother, I telt dem") == (
        "don't fash, you're no a bother, I told them"
    )


def test_only_spellings_change_and_everything_else_is_kept():
    assert standard_spelling("Whit's it like, tryin tae cope?") == "what's it like, trying to cope?"
    # words of their own are left alone: names, "sin", "within", "cabin", "de", "aw"
    kept = "Ken sat within the cabin; sin and win, aw, de la Cruz."
    assert standard_spelling(kept) == kept
    assert standard_spelling("I was feelin' it") == "I was feeling it"


@pytest.mark.parametrize(
    "vignette_id,reply",
    [
        ("v04", "Like the lights went out in the chapel when she went, is it?"),
        ("v21", "You feel like nobody sees it, yeah?"),
        ("v39", "You are doubting yourself, no?"),
    ],
)
def test_a_statement_said_back_with_a_tag_is_a_reflection_not_a_question(vignette_id, reply):
    assert feedback(vignette(vignette_id), reply).mi.code == "reflection"


def test_a_real_question_keeps_its_tag_and_a_tag_is_read_only_by_the_models():
    assert as_written("Did you sleep at all, no?") == "Did you sleep at all, no?"
    assert (
        as_written("You are doubting yourself, no? Tell me.")
        == "You are doubting yourself. Tell me."
    )
    fb = feedback(vignette("v39"), "You are doubting yourself, no?")
    assert fb.response == "You are doubting yourself, no?"
