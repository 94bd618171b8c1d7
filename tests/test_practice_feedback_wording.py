"""What a caregiver is told about a practice reply, in words that never praise more than
the reply did: a condolence is not "meeting their feeling", "You reflected first" is said
only when a reflection came first, a "why" question is asked again with "what", and the
tip after a good reflection speaks of this vignette. The replies are ones new caregivers
wrote to the vignettes."""

from __future__ import annotations

import re

import pytest

from attunement.analysis.feelings import said_in
from attunement.practice.feedback import _said_as, feedback
from attunement.practice.vignettes import vignette, vignettes

REACHED = "You let them see that what they told you reached you"
FIXING = ("advice", "reassurance")


def _sure(move: dict) -> bool:
    return not move["unsure"]


@pytest.mark.parametrize(
    "vignette_id,reply",
    [
        ("v09", "I'm so sorry for your loss, love."),
        ("v59", "I am deeply sorry for your loss."),
        ("v17", "That's awful. I'm sorry nobody came."),
    ],
)
def test_a_condolence_alone_is_told_it_reached_them_not_that_it_met_their_feeling(
    vignette_id, reply
):
    fb = feedback(vignette(vignette_id), reply)
    assert "met their feeling" not in fb.did_well, fb.did_well
    if all(m["code"] == "other" for m in fb.moves) and fb.empathy.emotional_reactions.level:
        # The guideline's reading: a condolence is `other` with a weak emotional reaction.
        quoted = "… ".join(m["text"] for m in fb.moves)
        assert fb.did_well == f"{REACHED} (“{quoted}”)."
    assert "naming the feeling" in fb.try_next, "what is left is to name their feeling"


@pytest.mark.parametrize(
    "vignette_id,reply,condolence,fixing",
    [
        (
            "v36",
            "I'm so sorry about your divorce and your back. I'll be praying for you.",
            "I'm so sorry about your divorce and your back.",
            "I'll be praying for you.",
        ),
        ("v04", "I am sorry. Maybe God is still there, only quiet.", "I am sorry.", "Maybe God"),
    ],
)
def test_a_condolence_beside_reassurance_is_praised_modestly_and_the_reassurance_never(
    vignette_id, reply, condolence, fixing
):
    fb = feedback(vignette(vignette_id), reply)
    assert "met their feeling" not in fb.did_well
    assert fixing not in fb.did_well
    assert fb.did_well in ("", f"{REACHED} (“{condolence}”).")
    assert "Reassurance" in [s.name for s in fb.power_signs]


def test_a_reflection_after_i_am_so_sorry_is_what_is_praised():
    # Morag, to the father afraid for his daughter: the second sentence carries the meaning.
    reply = (
        "I'm so sorry. You've been holding it all together on your own, and you're "
        "frightened of what happens when you can't."
    )
    fb = feedback(vignette("v08"), reply)
    assert fb.did_well.startswith("You said back what you understood"), fb.did_well
    assert "You've been holding it all together" in fb.did_well
    assert "I'm so sorry" not in fb.did_well


def test_i_am_so_sorry_is_never_the_feeling_met_even_when_the_reflection_after_it_is_less_sure():
    reply = "I'm so sorry. That's a really hard thing to be carrying."
    fb = feedback(vignette("v08"), reply)
    assert fb.did_well != "You met their feeling (“I'm so sorry.”).", fb.did_well
    if "That's a really hard thing to be carrying." in fb.did_well:
        return  # the reflection is read surely enough to praise: it is what is praised
    assert fb.did_well in ("", f"{REACHED} (“I'm so sorry.”).")


def test_met_their_feeling_quotes_the_reflection_not_the_pleasantry_beside_it():
    reply = "Six weeks with nobody. I'm glad I asked your name. What would you like me to call you?"
    fb = feedback(vignette("v55"), reply)
    if fb.did_well.startswith("You met their feeling"):
        assert "I'm glad I asked your name" not in fb.did_well
        assert "Six weeks with nobody." in fb.did_well


def test_an_invitation_after_a_condolence_is_praised_over_the_condolence():
    # The chaplain, to the woman whose God went quiet: the question opens her prayer up.
    fb = feedback(vignette("v04"), "I'm sorry. What was your praying like, back when she was ill?")
    assert "What was your praying like" in fb.did_well, fb.did_well
    assert "I'm sorry" not in fb.did_well


def test_you_reflected_first_when_the_reflection_comes_before_the_advice():
    reply = (
        "You have been carrying the whole house on your own since March. "
        "Maybe you could ask the district nurses to come in twice a day."
    )
    fb = feedback(vignette("v08"), reply)
    assert fb.try_next.startswith("You reflected first; now try leaving the advice out")


@pytest.mark.parametrize(
    "vignette_id,reply",
    [
        (
            "v58",
            "It's not stupid. Your body's telling you something even if he's never done anything.",
        ),
        (
            "v52",
            "You'll find your peace, I'm sure of it. "
            "Lots of folk feel like this near the end and it passes.",
        ),
    ],
)
def test_reassurance_before_the_reflection_is_not_called_reflecting_first(vignette_id, reply):
    fb = feedback(vignette(vignette_id), reply)
    assert "reflected first" not in fb.try_next, fb.try_next
    assert fb.moves[0]["code"] == "reassurance"
    assert fb.try_next.startswith("You moved to reassurance before staying with what they said")
    assert "leaving the reassurance out" in fb.try_next


# Replies new caregivers wrote: reflections, advice and reassurance in either order,
# condolences, questions, and words the reading is unsure of.
STORIES = [
    (
        "v52",
        "You'll find your peace, I'm sure of it. "
        "Lots of folk feel like this near the end and it passes.",
    ),
    (
        "v58",
        "It's not stupid. Your body's telling you something even if he's never done anything.",
    ),
    (
        "v13",
        "that doesnt sound like overreacting to me. "
        "reading ur messages and tracking ur phone is control not love",
    ),
    ("v12", "This is not right. You are a person, not furniture."),
    ("v25", "You love him very much."),
    ("v27", "The pain is real and it feels like dying, even when the doctors say anxiety."),
    ("v08", "I'm so sorry. That's a really hard thing to be carrying."),
    (
        "v02",
        "Ah God. All night on your own with that. "
        "Sure they'd tell you if it was bad, wouldn't they.",
    ),
    (
        "v41",
        "Yes before he'd even finished. "
        "Next time he asks, you could tell him you'll think about it overnight.",
    ),
    ("v18", "Tell him to go home, you said. And I'm hearing ten years of hurt in that."),
    ("v14", "You can try to put a limit, like two times checking and then send. Little by little."),
    ("v26", "Sunday evening itself your chest starts, and by Monday you are already behind."),
]


@pytest.mark.parametrize(
    "vignette_id,reply",
    STORIES + [(v.id, r) for v in vignettes()[:20] for r in v.responses],
)
def test_a_line_about_a_move_or_its_order_is_true_of_the_reading(vignette_id, reply):
    fb = feedback(vignette(vignette_id), reply)
    reflections = [
        i for i, m in enumerate(fb.moves) if m["code"].startswith("reflection") and _sure(m)
    ]
    fixing = [i for i, m in enumerate(fb.moves) if m["code"] in FIXING]
    if fb.try_next.startswith("You reflected first"):
        assert fixing and reflections and reflections[0] < fixing[0], fb.moves
    if fb.try_next.startswith("You moved to"):
        assert fixing and fb.try_next.startswith(f"You moved to {fb.moves[fixing[0]]['code']}")
        assert not any(i < fixing[0] for i in reflections), fb.moves
    if fb.try_next.startswith("After your reflection"):
        assert reflections, fb.moves


@pytest.mark.parametrize(
    "vignette_id,reply,asked_with_what",
    [
        # Sione, to the mother who agreed to one more party.
        (
            "v42",
            "Far out, that's a lot. Why did you agree to the party?",
            "What led you to agree to the party?",
        ),
        ("v41", "Why didn't you just say no?", "What made it hard to just say no?"),
        ("v41", "why didnt u say no to him", "What made it hard to say no to him?"),
        ("v41", "WHY DIDN’T YOU SAY NO?", "What made it hard to say no?"),
        (
            "v13",
            "Why do you think he checks your phone?",
            "What makes you think he checks your phone?",
        ),
        (
            "v13",
            "Why would you stay with someone who reads your messages?",
            "What leads you to stay with someone who reads your messages?",
        ),
    ],
)
def test_a_why_question_is_offered_back_as_what(vignette_id, reply, asked_with_what):
    fb = feedback(vignette(vignette_id), reply)
    if fb.mi.code == "input":
        # "why didn't you say no" read as the advice it can carry: that is named first
        assert fb.try_next.startswith(("The advice", "The reassurance")), fb.try_next
        return
    assert "“why” question can sound like blame" in fb.try_next, fb.try_next
    assert f"(“{asked_with_what}”)" in fb.try_next


def test_advice_is_named_before_the_why_question_beside_it():
    fb = feedback(vignette("v42"), "Why did you agree to it? You could just cancel.")
    assert fb.try_next.startswith("The advice moves them on"), fb.try_next


def test_a_why_question_is_never_what_done_well_quotes():
    fb = feedback(vignette("v42"), "Why did you agree to the party, and what was it like?")
    assert "Why did you" not in fb.did_well, fb.did_well
    assert "“why” question" in fb.try_next


def _after_reflection_lines() -> list[tuple[str, str, str]]:
    out = []
    for v in vignettes():
        for reply in v.responses:
            line = feedback(v, reply).try_next
            if line.startswith("After your reflection"):
                out.append((v.id, reply, line))
    return out


def test_the_tip_after_a_good_reflection_speaks_of_this_vignette_and_not_always_alike():
    lines = _after_reflection_lines()
    assert len(lines) >= 20, "Attunement's own example replies mostly reflect with meaning"
    assert len({line for _, _, line in lines}) >= len(lines) // 2, "not one line for all"
    for vignette_id, reply, line in lines:
        v = vignette(vignette_id)
        feeling = re.search(r"the feeling beneath it, perhaps (.+), on their own\.$", line)
        need = re.search(r"what may be needed here: (.+)\.$", line)
        if feeling:
            word = feeling.group(1)
            assert word in v.feelings
            said = said_in(reply, word)
            assert not said or _said_as(reply, said) == "speaker", (reply, word)
        elif need:
            assert need.group(1) in v.needs
        else:
            assert line.endswith("they may take it further on their own.")
        assert feedback(v, reply).try_next == line, "the same reply gets the same line"


def test_a_reflection_that_names_their_feeling_is_pointed_to_what_they_may_need():
    # Beatriz, to the student alone in a new city: she named the feelings, so the tip
    # points to what may be needed rather than to a feeling she has already said.
    fb = feedback(vignette("v56"), "You are feeling alone and scared in this new city.")
    if fb.try_next.startswith("After your reflection"):
        assert "what may be needed here: belonging" in fb.try_next, fb.try_next


@pytest.mark.parametrize("reply", ["Mm.", "Okay.", "Right"])
def test_a_bare_filler_is_not_praised_for_what_it_leaves_out(reply):
    fb = feedback(vignette("v04"), reply)
    assert fb.did_well == ""


@pytest.mark.parametrize(
    "vignette_id,reply,word",
    [
        ("v54", "Cutting down gradually is safer than stopping all at once.", "down"),
        ("v56", "You won't get lost if you take the bus, it stops right outside.", "lost"),
        ("v22", "The physio might get you back up that hill, you never know.", None),
    ],
)
def test_a_word_used_for_something_else_is_not_quoted_back_as_their_feeling(
    vignette_id, reply, word
):
    # "down" in "cutting down", "lost" on the way to somewhere: words that name a feeling
    # only after a word of feeling or being. The tip must not say the reply named one.
    fb = feedback(vignette(vignette_id), reply)
    assert "You said “" not in fb.try_next, fb.try_next
    if word:
        assert said_in(reply, "grief" if vignette_id != "v56" else "loneliness") is None


def test_a_cued_feeling_word_said_as_theirs_still_counts_as_said():
    assert said_in("You must feel so low about it all.", "grief") == "low"
    assert said_in("It sounds like you feel let down and alone.", "loneliness") == "alone"


def test_a_reflection_that_goes_against_their_words_is_not_praised_as_understanding():
    # "I don't feel sad exactly. I don't feel anything."
    fb = feedback(vignette("v21"), "It sounds like you're carrying a lot of sadness.")
    assert fb.did_well == ""
    assert fb.try_next.startswith("They said they don't feel sad")
    heard = feedback(vignette("v21"), "You don't feel sad, just nothing, like watching yourself.")
    assert heard.did_well  # saying back what they did say is praised


def test_a_condolence_where_no_one_has_died_is_not_praised():
    # "I'm not scared of dying. I'm scared of what happens to my daughter…"
    fb = feedback(vignette("v08"), "I'm so sorry for your loss. My condolences.")
    assert fb.did_well == "" and "answers a death" in fb.try_next
    grieving = feedback(vignette("v01"), "I'm so sorry for your loss.")  # "Since the funeral…"
    assert "answers a death" not in grieving.try_next


def test_why_questions_are_never_praised_beside_the_line_that_warns_of_them():
    fb = feedback(
        vignette("v02"), "Why do you think you feel that way? Why didn't you tell anyone?"
    )
    assert fb.did_well == "" and "“why” question" in fb.try_next
