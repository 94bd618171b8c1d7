"""What new users wrote, read as they meant it: quotations in single quotes are the
speaker's, words not said are not the writer's, plans for next time and wishes are no sign
yet, a claim made in sarcasm is not had, an apology is not a feeling, and the everyday
words people use for tiredness, ease, the pull to fix and self-judgement are found."""

from __future__ import annotations

import pytest

from attunement.analysis.feelings import named_feelings
from attunement.analysis.markers import find_markers, find_rule_markers


def counted(text: str) -> set[str]:
    return {f.id for f in find_markers(text) if f.counts}


def writers_feelings(text: str) -> set[str]:
    return {f.word.lower() for f in named_feelings(text) if f.writers_own}


@pytest.mark.parametrize(
    "text",
    [
        "She told me, 'I am so frightened.'",
        "She told me, ‘I am so frightened.’",
        "Her husband kept saying 'I'm terrified of the nights'.",
        # words the writer did not say, or wishes she had said, are not hers either
        "I was cross with myself for not saying 'I can hear how scared you are'.",
        "I should have said 'that sounds frightening' and I didn't.",
    ],
)
def test_feelings_in_someone_elses_quoted_words_are_not_the_writers(text):
    assert not writers_feelings(text) & {"frightened", "terrified", "scared", "frightening"}


def test_the_writers_own_words_in_single_quotes_are_still_hers():
    found = {f.id for f in find_rule_markers("I told him 'you'll be fine' twice.") if f.counts}
    assert "fixing" in found


def test_a_peers_reflection_quoted_is_not_the_writers_empathy():
    for quote in ("'", '"'):
        text = (
            f"A peer said, {quote}It sounds like you're carrying a lot of responsibility "
            f"for his progress,{quote} and I felt seen."
        )
        assert "empathy" not in counted(text)


@pytest.mark.parametrize(
    "text",
    [
        "I want to be kinder with myself, like I am with the clients.",
        "I'd like to be kinder to myself about the learning curve.",
    ],
)
def test_a_wish_to_be_kinder_to_oneself_is_not_yet_self_kindness(text):
    found = [f for f in find_rule_markers(text) if f.id == "self-kindness"]
    assert found and not any(f.counts for f in found)


def test_not_so_tired_is_not_tired():
    assert "tired" not in writers_feelings("I am not so tired today.")
    found = [f for f in find_rule_markers("I am not so tired today.") if f.id == "fatigue"]
    assert found and all(f.negated for f in found)


@pytest.mark.parametrize(
    "text",
    [
        "I was so very calm, no? Hands shaking while writing the notes.",
        "I was calm, eh, with the alarms going off.",
        "Oh yes, very calm I was, I drop the tube.",
        "I was calm as a millpond, me, banging the keyboard.",
        "Ja, I was so calm tonight, I only swore at the computer three times.",
    ],
)
def test_calm_claimed_in_sarcasm_is_neither_a_feeling_nor_ease(text):
    assert "calm" not in writers_feelings(text)
    assert "ease" not in counted(text)


def test_sorry_said_as_an_apology_is_not_a_feeling_but_felt_sorry_is():
    assert "sorry" not in writers_feelings("I told her I was sorry, that her waiting mattered.")
    assert "sorry" in writers_feelings("I felt so sorry for him.")


@pytest.mark.parametrize(
    "text,word",
    [
        ("I was so tired my legs were like lead by the end of the night.", "tired"),
        ("I felt bad the whole day.", "bad"),
        ("I felt rotten about it all evening.", "rotten"),
        ("I felt steady, feet on the floor.", "steady"),
        ("I hate being used as the closer.", "hate"),
        ("felt grand after.", "grand"),
    ],
)
def test_everyday_words_for_how_the_writer_felt_are_named(text, word):
    assert word in writers_feelings(text)


@pytest.mark.parametrize(
    "text",
    ["The traffic was bad.", "He has steady hands.", "A grand total of three visits."],
)
def test_the_same_words_about_things_are_not_feelings(text):
    assert not writers_feelings(text)


@pytest.mark.parametrize(
    "text,marker",
    [
        ("I think I've been efforting a lot, trying to prove I belong here.", "efforting"),
        ("My instinct was to start explaining the physiology to them.", "fixing"),
        ("Ah I made a hames of it today.", "self-judgement"),
        ("I was judging myself all the session.", "self-judgement"),
        ("Somewhere in the seventh-inning argument I relaxed.", "ease"),
        ("I felt a strange peace.", "ease"),
        ("Took for granted the wife would want to stay.", "assumption"),
        ("I thought he was just being awkward, so I pushed on.", "assumption"),
        ("sure youll be grand, I told her, and off I went.", "fixing"),
        ("I didn't interrupt her once.", "active-listening"),
        ("Kept my gob shut till he'd finished.", "active-listening"),
        ("My hands wouldn't stop shaking in the car.", "somatic-awareness"),
        ("I'm such a numpty, I forgot the consent form again.", "self-judgement"),
        ("Not that I was not exhausted by the end.", "fatigue"),
    ],
)
def test_the_words_people_use_for_the_framework_are_found(text, marker):
    assert marker in {f.id for f in find_rule_markers(text) if f.counts}


@pytest.mark.parametrize(
    "text,word",
    [
        ("Settled. Calm. First time this month.", "calm"),
        ("Wiped. Nothing left by 0500.", "wiped"),
        ("Fourth night in a row. Beat.", "beat"),
        ("I so vex with myself.", "vex"),
        ("I was tranquil that morning, like the desert before the wind.", "tranquil"),
        ("I felt so much tenderness for him.", "tenderness"),
        ("I was some tired after the night shift.", "tired"),
        ("Felt small in that meeting.", "small"),
        ("I'm jumpy today.", "jumpy"),
    ],
)
def test_a_state_said_alone_or_in_the_writers_own_dialect_is_named(text, word):
    assert word in writers_feelings(text)


@pytest.mark.parametrize(
    "text",
    [
        "We beat the traffic.",
        "The room was cool.",
        "He wiped the table.",
        "It was mad busy on the ward.",
        "I felt it in the small of my back.",
        "There were some tired faces at handover.",
    ],
)
def test_the_same_words_doing_other_work_are_not_feelings(text):
    assert not writers_feelings(text)


def test_a_suggestion_asked_with_why_not_is_fixing_not_a_negation():
    found = [f for f in find_rule_markers("Why don't you try visiting him on Sunday?")]
    assert any(f.id == "fixing" and f.counts for f in found)


def test_a_feeling_someone_is_testing_for_is_not_the_writers():
    said = 'I tell him, "I think you are checking if I am worried," and he laugh.'
    assert "worried" not in writers_feelings(said)
    assert "tired" in writers_feelings("I was checking if I was tired or just bored.")


@pytest.mark.parametrize(
    "text",
    [
        "Next week I'm going to ask what she wants before I unpack the bag.",
        "Next time I will sit down first and let him talk.",
        "I would like to feel more at ease in my chair, but there is never time to sit.",
    ],
)
def test_a_plan_or_a_wish_is_no_sign_yet(text):
    assert not counted(text)


def test_a_wish_to_fix_is_still_the_pull_to_fix():
    assert "fixing" in counted("I wanted to fix it for her so badly.")


@pytest.mark.parametrize(
    "text,word",
    [
        ("I'd love to feel less frazzled on a Friday.", "frazzled"),
        ("shes cream crackered too, hasnt slept in weeks.", "cream crackered"),
        ("My preceptor is plumb worn out, she's been on since six.", "worn out"),
        ("I rattled it off like a recipe.", "rattled"),
        ("It seemed a heavy, lonely morning for him.", "lonely"),
        ("I should be ashamed, missing her fall on the chart.", "ashamed"),
        ("Some nights they tell me to get lost.", "lost"),
        ("Then I am lost in my own memory for a minute.", "lost"),
    ],
)
def test_a_wish_someone_elses_state_or_a_verb_is_not_the_writers_feeling(text, word):
    assert word not in writers_feelings(text)


def test_a_double_negation_leaves_the_feeling_had():
    assert "exhausted" in writers_feelings("Not that I was not exhausted, but I stayed.")
    assert "tired" in writers_feelings("I'm not saying I wasn't tired.")


@pytest.mark.parametrize(
    "text,word",
    [
        # a state known again from one's own life is the other person's now
        ("She was so weary of it all, and from my own nan I know that tired.", "tired"),
        ("I could hear it in him, and I recognise that kind of lonely.", "lonely"),
        # their words said back to them
        ("Summarised it back: frightened, not sleeping, behind on the rent.", "frightened"),
        ("I gave her own words back to her: 'I am so ashamed of the house.'", "ashamed"),
        # people as they are called in speech
        ("The wee fella in bed four was frightened of the drip.", "frightened"),
        ("Dude was clearly rattled after the phone call.", "rattled"),
        # a degree before the feeling, and a state one is able to take
        ("I felt awful sorry for the poor man.", "awful"),
        ("After years in the ambulance I know how to be calm around blood.", "calm"),
    ],
)
def test_states_recognised_said_back_or_someone_elses_are_not_the_writers(text, word):
    assert word not in writers_feelings(text)


def test_the_writers_own_feeling_beside_them_is_still_found():
    assert writers_feelings("I felt awful sorry for the poor man.") == {"sorry"}
    assert "tired" in writers_feelings("I know I was tired, and that tired made me curt.")
    assert "calm" in writers_feelings("I know how to be calm, and tonight I was calm.")
    assert "tired" in writers_feelings("The nurse said I looked tired, and I was.")


@pytest.mark.parametrize(
    "text",
    [
        "I felt right sorry for her, stood on her own at the tea urn.",
        "felt that sorry for him, seventy odd and getting threatening texts",
        "Felt real sorry for the old guy, oxygen tank and still smoking.",
        "I felt desperately sorry for the birth mother.",
    ],
)
def test_sorry_with_an_everyday_word_of_degree_is_the_writers_feeling(text):
    assert writers_feelings(text) == {"sorry"}


def test_a_word_of_degree_is_not_a_determiner_before_someone_elses_feeling():
    assert "grief" not in writers_feelings("I felt that grief of hers go right through me.")


@pytest.mark.parametrize(
    "text,word",
    [
        # what the writer said to them about them, typed fast
        ("told her straight, i reckon youre proper scared and thats fair enough", "scared"),
        # a guess at their state, a few words long
        ("I said it aloud: it must be a kind of grief, losing the horizon.", "grief"),
        ("shes so tired of the forms", "tired"),
        # seen in them
        ("I sensed a kind of relief in him, as though he'd set something down.", "relief"),
        ("There was so much anger in his voice.", "anger"),
        ("He laughed it off, but I could sense real fear in her, under the jokes.", "fear"),
    ],
)
def test_feelings_said_to_them_or_guessed_at_are_theirs(text, word):
    assert word not in writers_feelings(text)


def test_a_feeling_had_in_someones_house_is_still_the_writers():
    assert "calm" in writers_feelings("I felt calm in her house, for once.")


def test_a_writer_who_types_i_in_lower_case_is_still_the_one_acting():
    text = "noticed i was holding my breath every time she said a number"
    assert {"somatic-awareness", "mindfulness"} <= counted(text)
    assert "tired" in writers_feelings("im so tired")


def test_an_assumption_acted_on_is_the_assumption_not_the_pull_to_fix():
    acted = "I was sure she would prefer a female doctor, so I changed the list without asking her."
    assert counted(acted) == {"assumption"}
    both = "I assumed she wanted help, so I jumped in and told her to ring the council."
    assert {"assumption", "fixing"} <= counted(both)
    assert "fixing" in counted(
        "Before he had even finished I was listing the services he could ring."
    )


def test_a_feeling_had_in_their_house_is_still_the_writers():
    assert "calm" in writers_feelings("I felt calm in her house, it is very quiet.")
