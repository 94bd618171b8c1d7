"""The framework lexicon's rules, case by case: at least ten hand-written sentences per
marker, some that must show it and some that must not (negated, quoted, someone else's
body, or just a near miss). The learnt reading (``find_markers``) reads these rules, and
where they were right on the training writers they confirm or veto it; it is measured on
caregivers' own writing in tests/test_caregiver_feedback.py and by
benchmarks/caregiver_feedback.py."""

from __future__ import annotations

import pytest

from attunement.analysis.markers import find_rule_markers as find_markers
from attunement.analysis.markers import lexicon

# marker id -> (sentences where it must count, sentences where it must not count)
CASES: dict[str, tuple[list[str], list[str]]] = {
    "empathy": (
        [
            "I could sense how she felt when the test results came.",
            "I named her fear before she did.",
            "I tried to put myself in his shoes for a moment.",
            "I reflected their grief back to them gently.",
            "It sounds like you're feeling completely alone with this.",
            "It must be so hard to wait for news.",
        ],
        [
            "I didn't acknowledge her fear at all.",
            "He felt terrible about the diagnosis.",
            "I never imagined how she felt until later.",
            "Her fear filled the room.",
            '"It must be so hard," my colleague said to the family.',
        ],
    ),
    "mindfulness": (
        [
            "I noticed myself leaning forward.",
            "I became aware of the clock on the wall.",
            "I paused before answering.",
            "I took a deep breath and waited.",
            "Noticing it without judging, I let it go.",
            "I caught myself planning my reply.",
        ],
        [
            "I never paused once.",
            "She noticed the rain.",
            "I wasn't aware of the time.",
            "They took a breath together.",
            "The aware patient asked questions.",
        ],
    ),
    "immediacy": (
        [
            "I asked what was happening between us.",
            "In this moment I felt close to him.",
            "We stayed with the here and now.",
            "I named what I was feeling in the room.",
            "I wondered how it felt to tell this to me.",
            "I asked how it feels to share this with me.",
        ],
        [
            "Nothing was happening on the ward.",
            "We talked about next week.",
            "There was a moment yesterday.",
            "I didn't name what was happening between us.",
            "He described the room.",
        ],
    ),
    "active-listening": (
        [
            "I listened without interrupting.",
            "I reflected what she had said.",
            "I repeated back his own words.",
            "I let her finish before speaking.",
            "I really heard what she was saying.",
            "I paraphrased and checked I had it right.",
        ],
        [
            "I didn't listen properly.",
            "She listened to the radio.",
            "I never let him finish.",
            "They heard the alarm.",
            "I was not listening at all.",
        ],
    ),
    "presence": (
        [
            "I was fully present with her.",
            "I gave him my full attention.",
            "I stayed with the silence.",
            "She had my undivided attention.",
            "I sat with them until dawn.",
            "I was present for the whole hour.",
        ],
        [
            "I was not fully present today.",
            "I wasn't really present.",
            "He was present at the meeting.",
            "I couldn't stay with her for long, I never sat with them.",
            "The present was wrapped in paper.",
        ],
    ),
    "experience-knowledge": (
        [
            "From my own experience, grief comes in waves.",
            "My training told me to slow down.",
            "I drew on what I learned in placement.",
            "Research suggests that silence helps.",
            "I've seen this before with other families.",
            "In my years on the ward this is common.",
        ],
        [
            "Her experience was different.",
            "I didn't draw on anything.",
            "The training room was cold.",
            "He has years of pain behind him.",
            "I have never seen anything like it.",
        ],
    ),
    "cognitive-understanding": (
        [
            "I understood why she kept apologising.",
            "It made sense that he was angry.",
            "I could see how the old loss shaped this one.",
            "Given their history, the distance was protective.",
            "There is a pattern of leaving before being left.",
            "I realised that the silence was shame.",
        ],
        [
            "I didn't understand why she left.",
            "I never realised that.",
            "Nothing made sense.",
            "The pattern on the curtains was bright.",
            "He understood the instructions.",
        ],
    ),
    "assumption": (
        [
            "I assumed that she wanted company.",
            "I already knew what he needed.",
            "She obviously needed to cry.",
            "What they really need is a plan.",
            "I told her how she felt.",
            "I said I know exactly how you feel.",
        ],
        [
            "I didn't assume that she wanted company.",
            "I asked what she needed.",
            "I never assumed that he felt better.",
            "She told me what she needed.",
            "He knew the way.",
        ],
    ),
    "sympathy": (
        [
            "I told her at least she had her sister.",
            "Poor thing, I thought.",
            "I felt so sorry for him.",
            "It could have been worse, I said.",
            "I said everything happens for a reason.",
            "I told him it's not that bad.",
            "They mean well, they're just trying to help in the only way they know.",
            "Everyone is just trying to look after you.",
        ],
        [
            '"At least I have my kids," she said.',
            "I wondered whether he meant what he said.",
            "She was trying to help herself up.",
            "I did not feel sorry for her; I felt with her.",
            "I never said at least.",
            "The worse part was the waiting.",
            "He is sorry he was late.",
        ],
    ),
    "fixing": (
        [
            "I wanted to fix it for her.",
            "I gave him advice about sleep.",
            "I said you should try a walk every day.",
            "Have you tried talking to your son?",
            "I told her to call the helpline.",
            "I rushed to solve the housing problem.",
            "Don't worry, the nurses have heard it all before.",
            "I told her she'll be fine.",
            "I'm sure it's routine, they do these scans all the time.",
            "You never know, lots of people surprise themselves with physio.",
            "Don't give up, this time might be different.",
            "I recommend that you not use it at all.",
            "So my suggestion is to start with the mornings.",
        ],
        [
            "I did not want to fix it.",
            "I didn't tell him it would be fine.",
            "I'm not sure what she needed.",
            "I'm sure I missed something in that session.",
            "I worry about him; I don't know what to say.",
            "She suggested we meet on Thursday instead.",
            "I didn't recommend anything this time.",
            "I never gave advice.",
            "She fixed the window herself.",
            "The advice leaflet was on the table.",
            '"You should try harder," her father used to say.',
        ],
    ),
    "efforting": (
        [
            "I was trying so hard to help.",
            "I felt rushed all afternoon.",
            "I pushed to finish the assessment.",
            "I wanted to get it right.",
            "I had to make it work somehow.",
            "My mind was in overdrive.",
        ],
        [
            "I did not feel rushed.",
            "I wasn't rushing today.",
            "The nurse rushed in with the chart.",
            "Nothing was hurried.",
            "We worked through the forms calmly.",
        ],
    ),
    "fatigue": (
        [
            "I was exhausted by the end of the shift.",
            "I felt drained after the family meeting.",
            "I am running on empty.",
            "I had no energy left for the last visit.",
            "I couldn't focus on what he said.",
            "Tired again, I drove home in silence.",
        ],
        [
            "I was not tired today.",
            "I didn't feel drained at all.",
            "The patient was exhausted.",
            "She has energy to spare.",
            "I could focus on her completely.",
        ],
    ),
    "curiosity": (
        [
            "I was curious about what the dream meant.",
            "I wondered what the silence held.",
            "I asked what it was like for her.",
            "I kept wondering how he coped.",
            "Tell me more, I said.",
            "I felt genuinely curious.",
            "Tell me about those mornings in the car.",
            "Help me understand what the nights are like.",
        ],
        [
            "I wasn't curious at all.",
            "I didn't ask her to tell me about it.",
            "I was not curious about the history.",
            "He was a quiet child.",
            "She asked me about parking.",
            "No wondering, just forms.",
        ],
    ),
    "ease": (
        [
            "I felt settled in my chair.",
            "My breath slowed as she talked.",
            "I kept my feet on the floor.",
            "I let the silence be.",
            "There was no need to fix anything.",
            "I stayed calm through the outburst.",
        ],
        [
            "I was not at ease at all.",
            "I didn't feel settled.",
            "I wasn't calm.",
            "She seemed settled in the chair.",
            "She needed the floor mopped.",
        ],
    ),
    "somatic-awareness": (
        [
            "My chest tightened when she mentioned the hospice.",
            "I noticed a knot in my stomach.",
            "My jaw was clenched by the end.",
            "I held my breath as he spoke.",
            "I felt it in my throat.",
            "My shoulders softened after the silence.",
        ],
        [
            "Her chest tightened with each breath.",
            "His shoulders were tense.",
            "The patient's stomach hurt.",
            "My chest was fine this time.",
            "I didn't feel anything in my body.",
        ],
    ),
    "self-judgement": (
        [
            "I should have noticed sooner.",
            "I messed up the ending.",
            "I felt so useless in there.",
            "It was my fault she left upset.",
            "I'm a terrible listener.",
            "I blame myself for the silence.",
        ],
        [
            "I don't blame myself.",
            "I wasn't a failure today.",
            "She said it was her fault.",
            "He felt tired, he told me.",
            "I never failed to call.",
        ],
    ),
    "self-kindness": (
        [
            "I tried to go easy on myself.",
            "It's okay to not have the answers.",
            "I forgave myself for the slip.",
            "I'm only human.",
            "I did the best I could.",
            "I deserve rest tonight.",
        ],
        [
            "I couldn't forgive myself.",
            "I wasn't kind to myself at all.",
            "She forgave herself eventually.",
            "The best tea in the ward.",
            "He is only young.",
        ],
    ),
}


def counted(text: str) -> set[str]:
    return {f.id for f in find_markers(text) if f.counts}


def test_every_marker_has_at_least_ten_cases():
    ids = {m.id for m in lexicon().markers}
    assert ids == set(CASES)
    for marker_id, (positive, negative) in CASES.items():
        assert len(positive) + len(negative) >= 10, marker_id
        assert positive and negative, marker_id


@pytest.mark.parametrize(
    "marker_id,text", [(m, t) for m, (positive, _) in CASES.items() for t in positive]
)
def test_marker_is_found(marker_id, text):
    found = [f for f in find_markers(text) if f.id == marker_id and f.counts]
    assert found, f"{marker_id} not found in: {text}"
    for start, end in found[0].spans:
        assert text[start:end].strip(), "every finding points at real words"


@pytest.mark.parametrize(
    "marker_id,text", [(m, t) for m, (_, negative) in CASES.items() for t in negative]
)
def test_marker_is_not_counted(marker_id, text):
    assert marker_id not in counted(text), f"{marker_id} wrongly counted in: {text}"


def test_negated_findings_are_reported_as_negated_not_dropped():
    (finding,) = [f for f in find_markers("I did not feel rushed today.") if f.id == "efforting"]
    assert finding.negated and not finding.counts
    assert finding.evidence("I did not feel rushed today.") == ["rushed"]


def test_whose_state_it_is_decides_whether_it_counts():
    text = "She was exhausted and I was exhausted too."
    findings = [f for f in find_markers(text) if f.id == "fatigue"]
    assert {(f.about_other, f.counts) for f in findings} == {(True, False), (False, True)}


def test_a_regret_is_shown_as_wished_not_as_done():
    text = "I should have been a bit more curious about her silence."
    (finding,) = [f for f in find_markers(text) if f.id == "curiosity"]
    assert not finding.counts and finding.wished
    assert finding.why_not_counted == "wished for or regretted, not done"


def test_negation_does_not_cross_a_clause():
    text = "I wasn't sure what to say, but I was curious."
    assert "curiosity" in counted(text)


def test_hedges_soften_but_still_count():
    (finding,) = [f for f in find_markers("I felt a bit rushed.") if f.id == "efforting"]
    assert finding.hedged and finding.counts


def test_quoted_words_of_others_are_flagged_and_own_quotes_count():
    theirs = '"At least I have my kids," she said.'
    mine = 'I said, "at least you tried."'
    (finding,) = [f for f in find_markers(theirs) if f.id == "sympathy"]
    assert finding.quoted and not finding.counts
    assert "sympathy" in counted(mine)


def test_findings_are_deterministic_and_in_text_order():
    text = "My chest tightened. I wanted to fix it. Later I wondered what she needed."
    first = find_markers(text)
    assert first == find_markers(text)
    assert [f.id for f in first] == ["somatic-awareness", "fixing", "curiosity"]
    assert all(a.spans[0][0] <= b.spans[0][0] for a, b in zip(first, first[1:], strict=False))


def test_every_marker_explains_itself_for_caregivers():
    for marker in lexicon().markers:
        assert len(marker.explanation) > 60, marker.id
        assert marker.family in {"subskill", "power-centred", "ease", "self"}


def test_word_lists_named_in_patterns_are_spelled_out():
    patterns = [p.pattern for m in lexicon().markers for p in (*m.patterns, *m.idioms)]
    assert not [p for p in patterns if "{body}" in p or "{sensation}" in p]
    assert any("sternum" in p for p in patterns)


@pytest.mark.parametrize(
    "sentence",
    [
        "Poor wee lamb, I kept thinking, all that way on the bus on her own.",
        "Puir bairn, I thought, watching him try to get the sock on.",
        "I caught myself telling her that loads of folk have it far worse.",
        "I said a sprained wrist was nothing compared to what the man in bay four had.",
    ],
)
def test_pity_in_everyday_words_and_shrinking_by_comparison_are_found_as_sympathy(sentence):
    assert "sympathy" in {f.id for f in find_markers(sentence)}
