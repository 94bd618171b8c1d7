"""Practice replies that advise or reassure without the usual words: normalising ("That's
really common after a shock") is reassurance, an offer to act for them ("want me to find
someone who can tell you") is advice, an offer of one's company or one's own return is not,
and "Let me ask you something" only opens a question. None of the first two is praised."""

from __future__ import annotations

import pytest

from attunement.practice.feedback import feedback
from attunement.practice.vignettes import vignette


@pytest.mark.parametrize(
    "vid,reply,kind",
    [
        (
            "v01",
            "That's really common after a shock, it's your brain protecting you.",
            "reassurance",
        ),
        (
            "v27",
            "Headaches from stress are very common, and in most cases the scan shows nothing.",
            "reassurance",
        ),
        (
            "v02",
            "thats proper scary want me to find someone who can tell you whats going on?",
            "advice",
        ),
        ("v02", "Would you like me to ring the ward and find out?", "advice"),
        ("v31", "You can't stay still. Let's get you walking, I'll grab your IV pole.", "advice"),
        ("v05", "I bet deep down he was proud of you, dads are like that.", "reassurance"),
        (
            "v27",
            "Anxiety chest pain can feel like a heart attack. They've checked your heart, so "
            "you're safe.",
            "reassurance",
        ),
        ("v15", "Is there a room in the house where you could get some quiet?", "advice"),
        ("v17", "you gotta eat though, just ask, thats what were here for.", "advice"),
        # time offered as the answer, the routine of it, a verdict on how they are doing
        ("v37", "Eighteen months, pet, honestly these things take time.", "reassurance"),
        ("v51", "The law is slow, I am afraid. Time will help.", "reassurance"),
        # what the one they lost would want, said to move them on
        (
            "v01",
            "You miss her terribly. She wouldn't want you sitting in the car all day, though.",
            "advice",
        ),
        ("v02", "The biopsy is routine, they'll ring you with it all on Friday.", "reassurance"),
        ("v05", "You're doing great, love, really you are.", "reassurance"),
        ("v49", "Honestly, we're not all like that on this ward.", "reassurance"),
        # many others feel it too; the responder's own certainty beside what others say
        ("v27", "A lot of people with headaches like yours feel exactly that.", "reassurance"),
        ("v02", "I'm sure it's nothing, they tell you that because it's true.", "reassurance"),
        # vouching for those looking after them, or for all of us
        ("v02", "I'm sure your consultant has seen this a hundred times.", "reassurance"),
        ("v10", "We all go through patches like this, pet.", "reassurance"),
        # what would help, put forward rather than asked
        ("v27", "A short walk after lunch could really help with the tension.", "advice"),
    ],
)
def test_reassurance_and_advice_in_other_words_are_named_and_not_praised(vid, reply, kind):
    fb = feedback(vignette(vid), reply)
    assert fb.mi.code == "input"
    assert kind in {m["code"] for m in fb.moves}
    assert "without rushing to fix" not in fb.did_well


def test_an_offer_of_company_is_not_advice():
    fb = feedback(vignette("v04"), "Do you want me to sit with you for a bit?")
    assert fb.mi.code != "input" and not fb.power_signs


def test_let_me_ask_you_only_opens_the_question():
    fb = feedback(vignette("v05"), "Let me ask you something: what was the hardest part?")
    assert fb.mi.code == "question" and not fb.power_signs


@pytest.mark.parametrize(
    "reply",
    ["I'll come again next week, same day.", "I promise to come back on Friday."],
)
def test_ones_own_return_is_availability_not_advice(reply):
    fb = feedback(vignette("v10"), reply)
    assert "advice" not in {m["code"] for m in fb.moves}
    assert "Advice" not in [s.name for s in fb.power_signs]


def test_asking_them_to_come_back_is_still_advice():
    fb = feedback(vignette("v10"), "You need to come back tomorrow for bloods.")
    assert "advice" in {m["code"] for m in fb.moves}


@pytest.mark.parametrize(
    "vid,reply",
    [
        ("v50", "She means well, you say. And still it is your kitchen, and your home."),
        ("v12", "Tell him to go home, you said. And I'm hearing ten years of hurt in that."),
        (
            "v03",
            "Three trips, told each time it's anxiety. Of course you keep going back.",
        ),
    ],
)
def test_their_words_said_back_and_validation_are_reflections_not_input(vid, reply):
    fb = feedback(vignette(vid), reply)
    assert fb.mi.code == "reflection"
    assert not {"Advice", "Reassurance", "Sympathy or minimising"} & {
        s.name for s in fb.power_signs
    }


def test_a_bare_instruction_after_so_just_is_named():
    fb = feedback(vignette("v17"), "The nurses don't mind at all, it's their job, so just buzz.")
    assert fb.mi.code == "input"
    assert {"Advice", "Reassurance"} & {s.name for s in fb.power_signs}


def test_their_words_said_back_then_turned_from_are_still_reassurance():
    fb = feedback(vignette("v27"), "They say it gets easier, but you'll be fine.")
    assert fb.mi.code == "input"
    assert "Reassurance" in [s.name for s in fb.power_signs]


@pytest.mark.parametrize(
    "reply,kinds",
    [
        ("No point worrying till the results are in, is there?", {"reassurance"}),
        (
            "Nothing to be gained from worrying till the results are in, is there?",
            {"advice", "reassurance"},
        ),
    ],
)
def test_reassurance_with_a_question_tagged_on_is_not_a_question(reply, kinds):
    fb = feedback(vignette("v02"), reply)
    assert fb.mi.code == "input"
    assert kinds & {m["code"] for m in fb.moves}
    assert "without rushing to fix" not in fb.did_well


def test_a_real_closed_question_is_still_one():
    fb = feedback(vignette("v02"), "Are you sleeping at all, with all this waiting?")
    assert fb.mi.code == "question"


def test_what_they_believe_the_one_they_lost_would_want_said_back_is_a_reflection():
    fb = feedback(vignette("v40"), "You feel he would want you to keep it simple.")
    assert fb.mi.code == "reflection"


@pytest.mark.parametrize(
    "vid,reply",
    [
        ("v20", "Your nerves just haven't settled since the fall, that's all it is."),
        ("v27", "It's tension from the move sitting in your neck, nothing more."),
        ("v20", "Sounds like it's only stress, your body doing what bodies do."),
    ],
)
def test_an_account_closed_down_as_no_more_than_it_is_is_never_praised(vid, reply):
    # it may be read as a reflection, but it shrinks what it says back
    fb = feedback(vignette(vid), reply)
    assert "with meaning added" not in fb.did_well
    assert "understood of their experience" not in fb.did_well


def test_a_plain_reflection_with_all_in_it_is_still_praised():
    fb = feedback(vignette("v05"), "It's all landed on you, and you're exhausted.")
    assert fb.mi.code == "reflection"
    assert "understood of their experience" in fb.did_well, "'it's all' closes nothing down"


def test_what_would_help_asked_is_an_open_question_not_advice():
    fb = feedback(vignette("v27"), "What do you think might help, even a little?")
    assert fb.mi.code == "question" and not fb.power_signs
