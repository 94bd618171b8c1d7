"""Feedback a caregiver can trust, on their own words: what a new user wrote and what
Attunement must say (or not say) about it. The examples are the ones that broke trust."""

from __future__ import annotations

import pytest

from attunement.analysis.feelings import named_feelings, reading
from attunement.analysis.markers import find_markers
from attunement.analysis.writing import has_content_word
from attunement.practice.feedback import feedback
from attunement.practice.vignettes import vignette


def counted(text: str) -> set[str]:
    return {f.id for f in find_markers(text) if f.counts}


@pytest.mark.parametrize(
    "vignette_id,reply,kind",
    [
        (
            "v08",
            "Maybe you could ask your brother to sit with her tonight so you can sleep.",
            "Advice",
        ),
        ("v26", "Try keeping a note of each time he checks your phone.", "Advice"),
        ("v02", "Don't worry, the staff will ring you straight away.", "Reassurance"),
        ("v13", "I'm sure you'll make friends once you join a few groups.", "Reassurance"),
        ("v03", "Have you considered asking the hospice about a bed?", "Advice"),
        ("v01", "It might be worth talking to your GP about it.", "Advice"),
        (
            "v25",
            "When my mum was ill I found it helped to take turns with my brother at night.",
            "Advice",
        ),
        ("v25", "What worked for me was saying no to one thing a week.", "Advice"),
        ("v10", "Talking does help, you know, they've done studies on it. Give it a go.", "Advice"),
        (
            "v20",
            "She means well, she's probably just lonely. I'd have a quiet word with her.",
            "Advice",
        ),
        (
            "v17",
            "That's a long wait. I'm going to talk to the charge nurse about it tonight.",
            "Advice",
        ),
        (
            "v12",
            "I'm sure it'll feel different soon. Everyone's a bit wary at the start.",
            "Reassurance",
        ),
    ],
)
def test_advice_and_reassurance_are_named_and_never_praised(vignette_id, reply, kind):
    fb = feedback(vignette(vignette_id), reply)
    assert kind in [s.name for s in fb.power_signs], fb.power_signs
    assert fb.mi.code == "input"
    assert fb.did_well == "" or not any(
        piece in fb.did_well for s in fb.power_signs for piece in s.evidence(reply)
    ), fb.did_well
    assert fb.empathy.explorations.level == 0, "a suggestion is not an invitation to say more"


def test_a_reply_that_reflects_and_then_asks_is_read_in_both_parts():
    reply = (
        "Nobody meeting your eye has left you alone with the worst of it all night. "
        "What has that been like?"
    )
    fb = feedback(vignette("v02"), reply)
    codes = [m["code"] for m in fb.moves]
    assert codes[0].startswith("reflection") and codes[1] == "question-open"
    assert fb.empathy.interpretations.level == 2 and fb.empathy.explorations.level >= 1
    assert not fb.power_signs
    assert "“" in fb.did_well, "done well quotes the move it praises"


@pytest.mark.parametrize(
    "vignette_id,reply,word",
    [
        ("v02", "I'm so sorry you've had such a frightening night.", "fear"),
        ("v21", "Lots of people find it helps to see their GP about that numbness.", "numbness"),
    ],
)
def test_try_next_never_suggests_a_feeling_the_reply_already_says(vignette_id, reply, word):
    assert vignette(vignette_id).feelings[0] == word
    assert f"perhaps {word}" not in feedback(vignette(vignette_id), reply).try_next


@pytest.mark.parametrize(
    "vignette_id,reply,code",
    [
        ("v59", "You will never hear it from him now.", "reflection"),
        ("v22", "You'll never walk that hill again, and that's a real loss.", "reflection"),
        ("v55", "I'd love to hear more about you, if you want to tell me.", "question"),
    ],
)
def test_a_loss_said_back_or_an_invitation_is_not_named_as_fixing(vignette_id, reply, code):
    fb = feedback(vignette(vignette_id), reply)
    assert fb.mi.code == code
    assert not fb.power_signs


def test_try_next_does_not_ask_to_say_back_a_feeling_already_theirs_or_the_responders_own():
    fb = feedback(vignette("v50"), "How long have you been carrying that anger?")
    assert "try saying it back" not in fb.try_next
    fb = feedback(vignette("v03"), "I am so sorry for what you are going through.")
    assert "sorry" not in fb.try_next
    assert "perhaps grief" in fb.try_next


@pytest.mark.parametrize(
    "sentence",
    [
        "Obviously the son's only there for the house.",
        "She is the type that will not take her insulin, I could see it from the door.",
        "she probably just wants someone to tell her its not her fault",
        "Like most farmers of his generation, he would not want to talk about feelings.",
    ],
)
def test_an_assumption_the_writer_does_not_flag_is_still_read(sentence):
    assert "assumption" in counted(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "great job me for crying in the med room again",
        "Well done me, another missed handover.",
        "Wonderful nurse I am, I snapped at the daughter for asking twice.",
        "Top marks to me for losing my temper with the porter.",
        "I'm a bloody idiot, bringing that up in front of her kid.",
        "What kind of OT leaves the knife drawer open in the kitchen.",
    ],
)
def test_self_judgement_by_mock_praise_is_read(sentence):
    assert "self-judgement" in counted(sentence)


def test_a_later_negation_does_not_hide_the_writers_body_before_it():
    assert "somatic-awareness" in counted(
        "The whole visit my teeth were on edge and I did not know why."
    )
    assert "ease" not in counted("I was not calm, and I knew it.")


@pytest.mark.parametrize(
    "sentence,word",
    [
        ("I was bleedin' wrecked by the end of the shift.", "wrecked"),
        ("I'm cream crackered, four assessments and a death review.", "cream crackered"),
        ("By the evening office I was hollowed out, bone tired.", "hollowed out"),
        ("pure wabbit. that's the word.", "wabbit"),
    ],
)
def test_tiredness_in_the_writers_own_words_is_named(sentence, word):
    (feeling,) = [f for f in named_feelings(sentence) if f.word.lower() == word]
    assert feeling.writers_own


def test_disbelief_makes_a_claimed_state_sarcastic():
    (calm,) = named_feelings("Aye, right, I'm calm like a cat in a bath.")
    assert calm.negated
    (calm,) = named_feelings("I was calm as you like. Aye, right. Threw my lanyard at the wall.")
    assert calm.negated
    (peaceful,) = named_feelings("Haha, yes, I was very peaceful, answering three phones at once.")
    assert peaceful.negated
    (peaceful,) = named_feelings("Yes, very peaceful I was, with my phone ringing in my pocket.")
    assert peaceful.negated
    (calm,) = named_feelings("I stayed very calm, with the alarms going off all round.")
    assert calm.writers_own  # calm in the world's noise may be meant
    (put_first,) = named_feelings("Real peaceful I was, with the dog barking and the kettle going.")
    assert put_first.negated  # stressed, put first, and belied by the noise
    (meant,) = named_feelings("Very calm I was, sitting with her in the quiet.")
    assert meant.writers_own
    asked = named_feelings("Me, relaxed? Ehn, very relaxed, with three call bells going.")
    assert [f.negated for f in asked] == [True, True]


def test_a_state_after_a_word_of_degree_is_named():
    (calm,) = named_feelings("I felt weirdly calm during the code, like everything slowed.")
    assert calm.writers_own
    (not_calm,) = named_feelings("I was not remotely calm, whatever my face may have said.")
    assert not_calm.negated


def test_a_negation_typed_without_its_apostrophe_still_negates():
    (anxious,) = named_feelings("i wasnt anxious at all which honestly surprised me")
    assert anxious.negated
    assert "efforting" not in counted("i didnt feel rushed with her today")


def test_try_next_never_asks_for_what_the_reply_already_does():
    fb = feedback(vignette("v02"), "You sound frightened, and alone with it all night.")
    assert "naming the feeling" not in fb.try_next


@pytest.mark.parametrize(
    "sentence",
    [
        "My shoulders were up around my ears the whole visit.",
        "My hands were cold when I went back in.",
        "I felt my breath drop into my belly.",
        "I noticed my fists were clenched.",
    ],
)
def test_the_writers_own_body_is_noticed(sentence):
    assert "somatic-awareness" in counted(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Her hands were cold and his jaw was set.",
        "The patient's chest tightened with each breath.",
    ],
)
def test_someone_elses_body_is_not_the_writers(sentence):
    assert "somatic-awareness" not in counted(sentence)


def test_two_signs_in_one_sentence_are_both_read():
    # Read as one text, the body drowns the pull to fix; the clause the rules point at is
    # read alone as well.
    sentence = "My shoulders went up round my ears and I wanted to fix the whole thing for her."
    found = {f.id for f in find_markers(sentence) if f.counts}
    assert {"somatic-awareness", "fixing"} <= found, found


@pytest.mark.parametrize(
    "sentence,marker",
    [
        ("Before he had even finished I was listing the services he could ring.", "fixing"),
        ("I started sorting out her week for her.", "fixing"),
        ("I took it for granted that she wanted her son there.", "assumption"),
        ("I presumed he was ready.", "assumption"),
        (
            "After twenty years of night shifts I can tell when a family is about to break.",
            "experience-knowledge",
        ),
    ],
)
def test_the_pull_to_fix_assumptions_and_experience_are_read_as_people_write_them(sentence, marker):
    assert marker in counted(sentence)


def test_evidence_is_a_phrase_that_means_something():
    text = (
        "I noticed my fists were clenched. Before he had even finished I was listing the "
        "services he could ring. Right. I presumed he was ready."
    )
    evidence = [text[s:e] for f in find_markers(text) if f.counts for s, e in f.spans]
    assert evidence and all(has_content_word(e) and len(e.split()) >= 2 for e in evidence)


def test_feelings_named_are_the_writers_own_first_with_negation_and_whose():
    found = named_feelings("I was frightened, and she was furious. I wasn't angry with him.")
    assert [(f.word, f.whose, f.negated) for f in found] == [
        ("frightened", "writer", False),
        ("furious", "other", False),
        ("angry", "writer", True),
    ]


def test_a_feeling_wished_for_or_regretted_is_not_named_as_felt():
    (curious,) = named_feelings("I should have been more curious about her silence.")
    assert curious.negated and curious.wished and not curious.writers_own
    (calm,) = named_feelings("Next time I'll be calm before I knock.")
    assert calm.wished and not calm.writers_own
    # typed as it is said: "should of", "coulda"
    (curious,) = named_feelings("i should of been way more curious about the bruises tbh")
    assert curious.wished and not curious.writers_own
    (settled,) = named_feelings("I coulda been more settled before I went in, honestly.")
    assert settled.wished and not settled.writers_own


def test_feelings_listed_together_belong_to_the_one_who_has_the_first():
    found = named_feelings("Most of them are scared, or angry, or fed up by the time I come.")
    assert [(f.word, f.whose) for f in found] == [
        ("scared", "other"),
        ("angry", "other"),
        ("fed up", "other"),
    ]
    (scared,) = named_feelings("Lots of the older ones are scared we'll report them.")
    assert scared.whose == "other"
    assert all(f.writers_own for f in named_feelings("I was tired, and low, all week."))


def test_someone_elses_feeling_echoed_by_the_writer_is_the_writers_too():
    (tired,) = named_feelings("She was exhausted, and so was I.")
    assert tired.writers_own
    (theirs,) = named_feelings("She was exhausted, and I sat with her.")
    assert theirs.whose == "other"


def test_no_joy_is_read_into_an_entry_about_a_death():
    entry = (
        "Mr D died at four this morning. I sat with his daughter until the undertakers came. "
        "I felt heavy and useless driving home, and I keep seeing his hands."
    )
    result = reading(entry)
    assert "joy" not in result.groups and "surprise" not in result.groups
    assert "useless" in [f.word for f in result.writers_own]


@pytest.mark.parametrize(
    "vignette_id,reply",
    [
        ("v05", "Why not ring the ward first thing tomorrow and ask for the charge nurse?"),
        ("v11", "Would it help to write it all down before the meeting?"),
        ("v19", "Perhaps you should take a proper week off once the funeral is done."),
        ("v22", "It's completely normal, and loads of people get like that after a loss."),
        ("v30", "Och, don't fret, the consultant sees this every single week."),
        ("v03", "Honestly, love, you're doing everything right by him."),
        ("v24", "You've got this, I've seen you cope with worse."),
        ("v33", "She's in really good hands on this ward."),
        ("v33", "Is there a cousin who could sit with her for an hour?"),
        ("v17", "Could you not just keep pressing until someone comes?"),
    ],
)
def test_suggestions_and_normalising_are_named_in_the_forms_people_use(vignette_id, reply):
    fb = feedback(vignette(vignette_id), reply)
    assert any(s.id == "fixing" for s in fb.power_signs), (reply, fb.moves)
    assert fb.mi.code == "input"
    assert not fb.did_well, fb.did_well


@pytest.mark.parametrize(
    "vignette_id,reply",
    [
        (
            "v09",
            "Perhaps you could picture it this way, what would your oldest friend say to you?",
        ),
        ("v14", "What if you just told him, plainly, how tired you are of covering for him?"),
        ("v27", "What would happen if you tried writing it all down before bed?"),
    ],
)
def test_a_question_that_carries_a_suggestion_is_never_praised(vignette_id, reply):
    fb = feedback(vignette(vignette_id), reply)
    assert any(s.id == "fixing" for s in fb.power_signs), fb.moves
    assert "open question" not in fb.did_well and "invited" not in fb.did_well, fb.did_well
    assert fb.empathy.explorations.level == 0


def test_a_reflection_before_advice_may_be_praised_but_the_advice_never():
    reply = (
        "You have been carrying the whole house on your own since March. "
        "Maybe you could ask the district nurses to come in twice a day."
    )
    fb = feedback(vignette("v08"), reply)
    assert any(s.id == "fixing" for s in fb.power_signs)
    assert "district nurses" not in fb.did_well


@pytest.mark.parametrize(
    "text,word",
    [
        ("I'm a hopeless administrator, I lost the referral form twice this week.", "hopeless"),
        ("Useless shift. Useless me.", "useless"),
        ("We wheeled the frightened boy down to theatre at six.", "frightened"),
        ("I reassured him that the scan was routine.", "reassured"),
        ("I hope to feel calmer by the time the inquest comes round.", "calmer"),
        ('She kept repeating, "I\'m terrified of the night," and I stayed.', "terrified"),
        ("It was a flat grey morning on the estate.", "flat"),
        ("I nearly offered to put her up in my flat.", "flat"),
        ("The rain was slowing me down all the way to the hospice.", "down"),
        ("I got down on the floor beside him.", "down"),
        ("My breathing was low and even by the end.", "low"),
        ("The body was moved before the family arrived.", "moved"),
    ],
)
def test_words_that_are_not_a_feeling_the_writer_had_are_not_named_as_one(text, word):
    own = [f.word.lower() for f in named_feelings(text) if f.writers_own]
    assert word not in own, own


@pytest.mark.parametrize(
    "text,word",
    [
        ("I felt hopeless on the drive back from the coroner's office.", "hopeless"),
        ("I felt humiliated and stupid when the registrar corrected me.", "stupid"),
        ("I said, \"I'm frightened too, and I'm staying,\" and she held on.", "frightened"),
        ("That visit left me flat for the rest of the day.", "flat"),
        ("I felt low all weekend after the inquest.", "low"),
        ("My fear was that she would die alone.", "fear"),
        ("No doubt I was exhausted by the end of the shift.", "exhausted"),
        ("I was not only tired but frightened.", "tired"),
        ("I was moved by how gently he held her hand.", "moved"),
    ],
)
def test_feelings_the_writer_names_of_themselves_are_still_named(text, word):
    own = [f.word.lower() for f in named_feelings(text) if f.writers_own]
    assert word in own, own


def test_a_long_entry_counts_a_marker_only_where_its_likeliest_sentence_is_sure(monkeypatch):
    import numpy as np

    from attunement.analysis import writing

    monkeypatch.setattr(writing, "thresholds", lambda: np.array([0.5, 0.5]))
    rule = writing.EntryRule(cuts=np.array([0.8, 0.3]), min_sentences=4)
    monkeypatch.setattr(writing, "entry_rule", lambda: rule)
    # Marker 0 only just passes its sentence threshold in one of five sentences: in a
    # whole entry that is not enough. Marker 1 is likelier in the entry than any one
    # sentence shows: it counts in its likeliest sentence.
    probs = np.array([[0.55, 0.1], [0.2, 0.35], [0.1, 0.1], [0.3, 0.2], [0.1, 0.1]])
    assert writing.counted_per_sentence(probs) == [set(), {1}, set(), set(), set()]
    # A short text is read sentence by sentence only.
    assert writing.counted_per_sentence(probs[:2]) == [{0}, set()]


def test_an_entry_head_reads_a_sign_spread_over_several_sentences(monkeypatch):
    import numpy as np

    from attunement.analysis import writing

    monkeypatch.setattr(writing, "thresholds", lambda: np.array([0.5, 0.5]))
    # A head that counts a marker where the mean of its sentences' readings is high enough,
    # whatever the entry's meaning (two numbers here): marker 0 is fairly likely in every
    # sentence and sure in none; marker 1 is sure in one sentence and nowhere else.
    weights = np.zeros((2, 5 + 2))
    weights[:, 4] = 10.0  # the mean reading
    rule = writing.EntryRule(
        cuts=np.array([0.9, 0.9]), min_sentences=4, weights=weights, bias=np.array([-3.0, -3.0])
    )
    monkeypatch.setattr(writing, "entry_rule", lambda: rule)
    probs = np.array([[0.4, 0.9], [0.45, 0.0], [0.4, 0.0], [0.35, 0.0]])
    counted = writing.counted_per_sentence(probs, np.array([0.1, 0.2]))
    assert counted == [set(), {0}, set(), set()]


def test_a_reply_that_names_one_feeling_is_not_told_that_one_feeling_is_enough():
    reply = "It sounds like you're frightened of being forgotten. What are the nights like?"
    fb = feedback(vignette("v17"), reply)
    assert "one feeling" not in fb.try_next, fb.try_next
    crowded = (
        "You're frightened, angry, ashamed and lonely all at once, and nobody came. "
        "What was it like?"
    )
    assert "one feeling" in feedback(vignette("v17"), crowded).try_next


@pytest.mark.parametrize(
    "sentence,marker",
    [
        ("Her daughter kept telling her it would all be fine, and I just listened.", "fixing"),
        ("The registrar assumed she had capacity, and I went along with it.", "assumption"),
        ("His sponsor told him to pray about it.", "fixing"),
    ],
)
def test_someone_elses_advice_or_assumption_is_not_the_writers(sentence, marker):
    assert marker not in counted(sentence)


def test_the_writers_own_advice_beside_someone_elses_still_counts():
    assert "fixing" in counted("Her daughter was crying and I told her it would all be fine.")


def test_what_the_writer_wishes_they_had_done_is_not_counted_as_done():
    assert "curiosity" not in counted("I should have been more curious about what he meant.")
    assert "curiosity" in counted("I was curious about what he meant.")


def test_a_state_the_writer_shares_with_someone_else_is_the_writers_too():
    assert "fatigue" in counted("She was exhausted and so was I.")
    assert "fatigue" not in counted("She was exhausted after the night.")


@pytest.mark.parametrize(
    "sentence,marker",
    [
        ("She said at least she still had her kids.", "sympathy"),
        ("My matron said I should have called the doctor sooner.", "self-judgement"),
        ("My supervisor says it is okay to let them cry.", "self-kindness"),
        ("The porter was rushing, banging the trolley through the doors.", "efforting"),
    ],
)
def test_someone_elses_words_and_states_are_not_the_writers(sentence, marker):
    assert marker not in counted(sentence)


def test_a_double_negation_is_read_as_what_it_affirms():
    text = "Not that I wasn't tired."
    assert "fatigue" in counted(text)
    assert [(f.word, f.negated) for f in named_feelings(text)] == [("tired", False)]


@pytest.mark.parametrize(
    "vignette_id,reply,sign",
    [
        ("v05", "Poor you, that's awful.", "Sympathy or minimising"),
        (
            "v05",
            "That's all it is, just the depression talking.",
            "Assuming their feelings or needs",
        ),
        ("v05", "What you really need is to let people in.", "Assuming their feelings or needs"),
        ("v13", "Everyone copes differently.", "Reassurance"),
    ],
)
def test_pity_certainty_and_normalising_are_named_and_never_praised(vignette_id, reply, sign):
    fb = feedback(vignette(vignette_id), reply)
    assert sign in [s.name for s in fb.power_signs], fb.power_signs
    assert fb.did_well == ""


@pytest.mark.parametrize(
    "reply",
    ["No wonder you're furious.", "Of course you're angry, after all that waiting."],
)
def test_validation_is_not_called_an_assumption(reply):
    fb = feedback(vignette("v06"), reply)
    assert "Assuming their feelings or needs" not in [s.name for s in fb.power_signs]
    assert "naming the feeling" not in fb.try_next  # it named it
    assert fb.mi.code == "reflection"  # the guideline's complex reflection


def test_agreement_alone_is_not_validation():
    assert feedback(vignette("v06"), "That makes sense.").mi.code == "other"


def test_presence_and_permission_are_not_called_advice():
    fb = feedback(vignette("v40"), "Take your time. I'm here.")
    assert fb.power_signs == ()
    assert fb.mi.code == "other"


def test_a_feeling_after_someone_named_as_an_object_is_still_the_writers():
    found = named_feelings("I wasn't angry with him, just sad.")
    assert [(f.word, f.whose, f.negated) for f in found] == [
        ("angry", "writer", True),
        ("sad", "writer", False),
    ]
    (quoted,) = named_feelings("I named it to him: 'You feel humiliated.'")
    assert quoted.whose == "other"


def test_an_echoed_state_is_shown_with_the_writers_words():
    text = "She was exhausted, and so was I."
    (fatigue,) = [f for f in find_markers(text) if f.id == "fatigue" and f.counts]
    assert fatigue.evidence(text) == [text]


@pytest.mark.parametrize(
    "sentence,marker",
    [
        ("Mrs K was tired and did not want to eat.", "fatigue"),
        ("Her sister was convinced she wanted to go to Lourdes.", "assumption"),
        ("Her neighbour told her it could be worse.", "sympathy"),
        ("The son kept trying to fix it all, ringing lawyers.", "fixing"),
    ],
)
def test_a_sentence_only_about_someone_else_carries_none_of_the_writers_signs(sentence, marker):
    assert marker not in counted(sentence)


def test_speaking_up_for_those_who_hurt_them_is_still_the_responders_sympathy():
    fb = feedback(vignette("v05"), "They mean well, they're just trying to help.")
    assert "Sympathy or minimising" in [s.name for s in fb.power_signs]
    assert fb.did_well == ""


def test_making_sense_of_someone_may_be_written_without_the_writer_in_it():
    sentence = (
        "Her own mother had left her at eleven, so of course she didn't trust anyone to stay."
    )
    assert "cognitive-understanding" in counted(sentence)
    assert "fatigue" in counted("The volunteers are tired, and so am I.")


def test_a_state_of_someone_the_lists_do_not_know_is_not_the_writers():
    (relaxed,) = named_feelings("The physiotherapist was very relaxed with him, humming along.")
    assert relaxed.whose == "other"
    (tired,) = named_feelings("A bit tired today.")
    assert tired.whose == "writer"


@pytest.mark.parametrize(
    "sentence,word",
    [
        ("The young officer on the landing was plainly frightened of him.", "frightened"),
        ("Amma was frightened of the needle.", "frightened"),
        ("I could tell how tired of fighting she was.", "tired"),
        ("I sensed how lonely he must feel with no visitors all week.", "lonely"),
        ('I told her, "I see how angry you are."', "angry"),
    ],
)
def test_someone_elses_state_named_before_or_after_them_is_theirs(sentence, word):
    (feeling,) = [f for f in named_feelings(sentence) if f.word == word]
    assert feeling.whose == "other"


def test_a_state_said_of_a_thing_or_not_had_is_not_the_writers_feeling():
    assert not [f for f in named_feelings("The room was far too warm.") if f.writers_own]
    (alarmed,) = [
        f for f in named_feelings("I was curious, rather than alarmed.") if f.word == "alarmed"
    ]
    assert alarmed.negated
    (curious,) = named_feelings("I might have been more curious.")
    assert curious.wished
    (irritated,) = named_feelings("It is human to be irritated by a client like that.")
    assert irritated.writers_own


@pytest.mark.parametrize(
    "sentence",
    [
        "Oh, I was so calm, shouting down the corridor for the hoist.",
        "I was so grounded, obviously, with my phone buzzing through the whole assessment.",
        "Oh aye, I was the picture of calm at four in the morning.",
        "I was THRILLED to be called back in, with two hours of sleep.",
    ],
)
def test_a_state_claimed_in_sarcasm_is_not_had(sentence):
    (feeling,) = named_feelings(sentence)
    assert feeling.whose == "writer" and feeling.negated


@pytest.mark.parametrize(
    "sentence",
    [
        "Of course I was anxious, with the inspection coming.",
        "Oh, I was so relieved when she finally rang.",
        "I was tired, with my feet aching from the shift.",
    ],
)
def test_a_state_said_plainly_after_an_opener_is_had(sentence):
    (feeling,) = named_feelings(sentence)
    assert feeling.writers_own


@pytest.mark.parametrize(
    "sentence,word",
    [
        ("Under the bluster about units I picked up a lot of shame about the drinking.", "shame"),
        ("It must be very lonely, I said, to be the only one who hears them.", "lonely"),
        ("Assumed she'd want to be woken. She didn't. Angry with me.", "Angry"),
        ("It is okay to be tired after a death, my ward manager said.", "tired"),
    ],
)
def test_a_state_perceived_guessed_or_reported_is_someone_elses(sentence, word):
    (feeling,) = [f for f in named_feelings(sentence) if f.word == word]
    assert feeling.whose == "other"


def test_a_state_noticed_in_oneself_stays_the_writers():
    (panic,) = named_feelings("I noticed a wave of panic rising in me as he shouted.")
    assert panic.writers_own
    (anger,) = named_feelings("I noticed a flicker of anger in her.")
    assert anger.whose == "other"


@pytest.mark.parametrize(
    "sentence",
    [
        "Heart hammering in triage.",
        "Gut in knots for the rest of the shift.",
        "I sat with her after and felt my jaw unlock.",
        "Then I was fully with her, and my shoulders came down.",
        "I feel his fear in my own belly, the same fear, in the night.",
        "He spoke of his father, and I noticed a faint nausea rising.",
    ],
)
def test_the_writers_body_in_any_words_is_somatic_awareness(sentence):
    assert "somatic-awareness" in counted(sentence)


@pytest.mark.parametrize(
    "sentence",
    ["His heart rate dropped to forty.", "Her hands were cold and her jaw was set."],
)
def test_someone_elses_body_or_a_measurement_is_not_the_writers(sentence):
    assert "somatic-awareness" not in counted(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Kept telling her she'd be grand. Couldn't stop myself.",
        "I rushed to reassure the mother that her son is doing well.",
        "I filled the silence with options, the clinic, the helpline, the food bank.",
        "Told her to cut up the cards and give her sister the pin.",
        "I felt the familiar urge to say something hopeful.",
    ],
)
def test_the_pull_to_fix_told_in_a_journal_is_fixing(sentence):
    assert "fixing" in counted(sentence)


@pytest.mark.parametrize(
    "sentence,marker",
    [
        ("Shattered. Eyes closing on the drive home.", "fatigue"),
        ("By the last visit I was running on fumes.", "fatigue"),
        ("Gave myself a hard time all the way home.", "self-judgement"),
        ("What kind of nurse forgets to book the interpreter?", "self-judgement"),
        ("Thirty years on the wards have taught me to wait.", "experience-knowledge"),
        ("Heard her out, every word, before I said anything.", "active-listening"),
        ("I said it back to her, slowly, in her own words.", "active-listening"),
    ],
)
def test_tiredness_harshness_experience_and_listening_in_everyday_words(sentence, marker):
    assert marker in counted(sentence)


def test_anything_but_calm_is_not_ease_and_being_cross_with_oneself_is_harsh():
    assert "ease" not in counted("I was anything but calm, my knee going like a sewing machine.")
    assert not [f for f in named_feelings("I felt anything but relaxed.") if f.writers_own]
    assert "self-judgement" in counted("I'm cross with myself for rushing her.")
    assert "self-judgement" in counted("I was so hard on myself on the drive home.")


def test_a_guess_at_their_tiredness_is_not_advice():
    result = feedback(
        vignette("v25"), "Night after night, watching every breath. You must be exhausted."
    )
    assert result.mi.code == "reflection" and not result.power_signs


def test_someone_elses_tiredness_is_not_the_writers():
    assert "fatigue" not in counted("Her daughter was shattered after three nights by the bed.")


def test_someone_elses_reassurance_is_not_the_writers_fixing():
    assert "fixing" not in counted("'You'll be fine,' the doctor told her, and walked off.")


def test_a_state_the_writer_only_imagines_having_had_is_wished_not_had():
    (settled,) = named_feelings("If I had been more settled I would have noticed.")
    assert (settled.whose, settled.wished) == ("writer", True)


@pytest.mark.parametrize(
    "vignette_id,reply,fixing",
    [
        ("v34", "You're wishing they'd find something. Have you spoken with your GP?", "GP"),
        ("v37", "That's your body remembering, that's all, it'll settle in time.", "settle"),
        ("v21", "If it gets severe or you're short of breath, call 999.", "999"),
        ("v23", "Moving somewhere new is hard for everyone at first. It gets easier.", "easier"),
    ],
)
def test_advice_and_reassurance_in_passing_are_named_and_never_praised(vignette_id, reply, fixing):
    fb = feedback(vignette(vignette_id), reply)
    assert fb.mi.code == "input", fb.moves
    assert "fixing" in [s.id for s in fb.power_signs]
    assert fixing not in fb.did_well


def test_relief_after_a_death_is_not_read_as_joy():
    read = reading("He died at four. I felt relief, and I felt so sad.")
    assert "joy" not in read.groups
    assert "sadness" in read.groups


@pytest.mark.parametrize(
    "sentence,word",
    [
        ("I wasnae feeling sorry for her, I was raging on her behalf.", "sorry"),
        ("I didnae feel calm at all, if I'm honest.", "calm"),
        ("I cannae say I was settled.", "settled"),
    ],
)
def test_a_scots_negation_is_a_negation(sentence, word):
    (found,) = [f for f in named_feelings(sentence) if f.word.lower() == word]
    assert found.negated and not found.writers_own


@pytest.mark.parametrize(
    "sentence",
    [
        "It was peaceful at the end, the daughter holding his hand.",
        "I said, 'It feels a bit tense between us today, doesn't it.'",
        "I think I've just lost you there, have I said something wrong?",
        "I wouldn't say I was tired exactly; more that the room was too warm.",
    ],
)
def test_the_state_of_a_moment_a_room_or_a_lost_thread_is_no_feeling_of_the_writers(sentence):
    assert [f.word for f in named_feelings(sentence) if f.writers_own] == []


@pytest.mark.parametrize(
    "sentence,word",
    [
        ("Some days it's tiredness, nothing more.", "tiredness"),
        ("It felt awful afterwards, sick in my stomach.", "awful"),
        ("I felt lost in that meeting.", "lost"),
    ],
)
def test_a_feeling_named_as_a_thing_or_felt_stays_the_writers(sentence, word):
    assert word in [f.word.lower() for f in named_feelings(sentence) if f.writers_own]


@pytest.mark.parametrize(
    "vignette_id,reply",
    [
        ("v48", "You're not being unreasonable. Decided without you, no wonder you're angry."),
        ("v49", "Sorry you've been let down. But I'm not like that, I promise."),
        ("v52", "There is no timetable for peace, it comes in its own time."),
    ],
)
def test_telling_someone_they_are_not_what_they_fear_or_promising_is_reassurance(
    vignette_id, reply
):
    fb = feedback(vignette(vignette_id), reply)
    assert "Reassurance" in [s.name for s in fb.power_signs]
    assert "unreasonable" not in fb.did_well and "promise" not in fb.did_well


@pytest.mark.parametrize(
    "sentence,word",
    [
        ('I repeated to her what she told me: "I am afraid I will not breathe".', "afraid"),
        ('I said back her words, "I am tired of being the strong one," and waited.', "tired"),
    ],
)
def test_someone_elses_words_said_back_are_still_theirs(sentence, word):
    (found,) = [f for f in named_feelings(sentence) if f.word.lower() == word]
    assert found.whose == "other"


def test_a_claim_put_first_and_laughed_at_is_sarcasm():
    (calm,) = named_feelings("Very calm I am, ha, biting my nails under the table.")
    assert calm.negated


@pytest.mark.parametrize("word", ["bone-tired", "wrung out", "dog-tired", "worn thin"])
def test_tiredness_in_compound_and_idiom_is_named(word):
    assert word in [f.word.lower() for f in named_feelings(f"By nine I was {word}.")]


@pytest.mark.parametrize(
    "vignette_id,reply,praise_free_of",
    [
        ("v07", "Nobody minds, honestly.", "Nobody minds"),
        ("v22", "Everyone ends up on the other side of the bed eventually.", "Everyone"),
        ("v22", "We've all been there, love.", "been there"),
        ("v10", "That's rough. You might be owed a fair bit, you know.", "owed"),
    ],
)
def test_normalising_and_what_they_are_owed_are_named_never_praised(
    vignette_id, reply, praise_free_of
):
    fb = feedback(vignette(vignette_id), reply)
    assert {"Reassurance", "Advice"} & {s.name for s in fb.power_signs}
    assert praise_free_of not in fb.did_well


def test_reassurance_in_dialect_is_named():
    fb = feedback(vignette("v20"), "Doan worry, de doctor gine sort you out.")
    assert {"Reassurance", "Advice"} & {s.name for s in fb.power_signs}
    assert fb.did_well == ""


def test_my_love_said_to_someone_is_no_feeling_named():
    said = "I told her not to worry, my love, we'll get you sorted."
    assert [f.word for f in named_feelings(said) if f.writers_own] == []
    assert "love" in [f.word for f in named_feelings("I felt my love for her fill the room.")]
