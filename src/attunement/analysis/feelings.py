"""The feelings a text names, and whose they are, before any model's reading.

A caregiver's own words are the best evidence of what they felt: "I was frightened, and
she was furious" names the writer's fear and someone else's anger. Each feeling word from
the shipped list (``framework/feelings.toml``) is read with its negation ("I wasn't
angry") and its owner: the nearest person before it in its clause ("she was exhausted"
is hers; "I felt", "made me", or no one named, in a journal, is the writer's). The
model's reading of the emotions in a text (``models.emotions``) comes second, and only
for groups whose thresholds were chosen on caregivers' entries (``feelings_model``); it is
never shown where the text holds no such feeling.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from attunement.analysis.segments import Span, sentences

_WORD = re.compile(r"[\w']+")
_CLAUSE_BREAK = re.compile(r"[,;:—–()\"“”]|\b(?:but|and|while|whereas|because|though)\b", re.I)
# (with the forms typed without an apostrophe: "im", "ive")
_WRITER = frozenset("i i'm i've i'd i'll im ive me my myself mine we us our".split())
_OTHER = frozenset(
    "she he they her him his their them she's he's they're patient client resident family "
    "son daughter wife husband partner mother father mum mom dad child baby nurse doctor "
    "colleague colleagues everyone everybody somebody someone people team staff who man woman boy "
    "girl lady gentleman mr mrs ms student students parents parent sons daughters relatives "
    "he'd she'd they'd sister brother friend grandmother grandfather widow widower carer "
    "carers patients clients residents registrar consultant gp supervisor supervisee "
    "trainee manager chaplain porter midwife paramedic volunteer physio surgeon "
    "boss aunt uncle cousin niece nephew grandson granddaughter neighbour neighbor supporter "
    "volunteers nurses doctors mothers fathers families lad kid kids men women mums moms "
    "dads husbands wives partners sisters brothers friends widows widowers children "
    "teenagers officers officer prisoner prisoners soldier soldiers pupils pupil "
    # typed without apostrophes, and more of the people a caregiver works beside
    "shes hes theyre theyd preceptor mentor tutor educator lecturer teacher coach therapist "
    "counsellor counselor psychologist psychiatrist pharmacist receptionist coordinator "
    "worker workers assistant sponsor interpreter "
    # people as they are called in speech and dialect
    "sir madam dude bloke blokes fella fellas fellow guy guys chap lass lassie youngster "
    "elder elders granny grandad grandpa grandma nana auntie missus wifie bairn wean "
    # people spoken of as a group ("the older ones", "the bereaved folk")
    "ones folk folks visitors callers mourners".split()
)
_BE = frozenset("was is were are felt feels seemed looked sounded got became".split())
# Before a feeling word, these make it something else's: "the angry son", "a flat tyre",
# "some tired corner of the brain" (a word describing a thing or someone else) ...
_DETERMINERS = frozenset(
    "a an the some this that these those his her their its your our any every".split()
)
_PRONOUNS = frozenset(
    "she he they her him his their them she's he's they're he'd she'd they'd who everyone "
    "everybody somebody someone people".split()
)
_OBJECT_ONLY = frozenset("him them".split())
_YOU = frozenset("you your you're youre you've youve yourself yourselves".split())
# A judgement of a thing made so, not of oneself: "I had made it small".
_MADE_SO = frozenset("it this that them things everything".split())
_PARTICLE_AFTER_IT = re.compile(r" (?:it|this|that) (?:off|out|up|down|back|away|over)\b", re.I)
_ABSORBED = re.compile(
    r" in (?:(?:my|his|her|their|the) )?(?:own )?(?:thoughts?|memor(?:y|ies)|work|paperwork"
    r"|notes|book|music|phone|head)\b",
    re.IGNORECASE,
)
_TIMES = frozenset("morning afternoon evening night day week weekend shift visit".split())
_THINGS = frozenset("something anything nothing everything".split())
_LINKS = frozenset("of and or but with about for at to in by one".split())
# ... these, a verb's object: "I reassured her", "the nurse moved the bed" ...
_OBJECTS = frozenset("her him them me us the my his their a an everyone".split())
_DEGREE = frozenset("so too very really quite pretty rather that".split())
# "my love" said to someone, between commas or at a sentence's edge: a name to call them by.
_CALLED = re.compile(r"(?:^|[,.!?;:(\u2014\u2013]|\b(?:oh|ah|aw))\s*my\s+$", re.I)
_CALLED_END = re.compile(r"\s*(?:[,.!?;:)\u2014\u2013]|$)")
# ... and these a wish, not a feeling had: "I hope to feel settled", "I wanted to be calm".
_WISHES = frozenset("hope hoped hoping wish wished wishing".split())
# Words of saying before "sorry" make it an apology ("told her I was sorry", "said sorry").
_APOLOGY = frozenset("said say saying says told tell telling apologised apologized".split())
_WANTS = frozenset("want wanted wanting wanna like love trying tried".split())
# "me" cues a feeling only after a verb that causes one ("it made me sad", "left me
# flat"), not in "slowing me down".
_CAUSES = frozenset(
    "made make makes making left leave leaves leaving got gets getting had has have keeps "
    "kept set sets".split()
)
_POSSESSIVES = _DETERMINERS | {"my"}
# A part of oneself whose state is a feeling ("my heart was heavy", "my mind was calm"),
# unlike "my hands were numb" or "my breathing was low".
_INNER = frozenset("mind heart spirit soul mood body self head gut insides".split())
_BE_STATE = frozenset("was is were are felt feels seemed looked got became went".split())
# Feeling words that are a degree before another ("awful sorry", "terrible lonely").
_AS_DEGREE = frozenset("awful awfully terrible terribly dreadful desperate fierce wild".split())
# Words of degree in everyday English that stand between a verb of feeling and the feeling
# ("I felt right sorry for her", "felt that sorry", "felt real settled"); after any other
# cue they are often no degree at all ("went right down the corridor", "it was that low").
_FELT_DEGREE = frozenset(
    "right real well that proper dead desperately absolutely bloody fair pure mighty".split()
)
_FEEL_VERBS = frozenset("feel felt feeling feels".split())
# "I know how to be calm with blood": a state one can take, not one had.
_ABLE_TO_BE = re.compile(r"\bhow\s+to\s+(?:be|stay|keep|remain)\s+(?:[\w']+\s+)?$", re.I)
# After a state word, these make it a place or a motion: "got down on the floor", "flat out".
_PLACES = frozenset("on onto into beside next off out under over".split())


def _cue_missing(word: str, before: list[str], lex: _Lexicon) -> bool:
    """Whether a word that names a feeling only after a cue lacks one: a cue must come
    just before it; a determiner cues only a noun ("my fear", not "my flat"); "me" only
    after a verb that causes a feeling. A word of degree that is a feeling word itself
    ("felt awful sorry"), or an everyday one after a verb of feeling ("felt right sorry"),
    stands aside for the cue before it."""
    if len(before) > 1 and (
        before[-1] in _AS_DEGREE
        or (
            before[-1] in _FELT_DEGREE
            and before[-2] in _FEEL_VERBS
            and not (before[-1] == "that" and word in lex.cued_nouns)  # "felt that grief"
        )
    ):
        before = before[:-1]
    if not before or before[-1] not in lex.cues:
        return True
    cue = before[-1]
    if cue in _POSSESSIVES and word not in lex.cued_nouns:
        return True
    return cue == "me" and (len(before) < 2 or before[-2] not in _CAUSES)


def _said_alone(text: str, start: int, end: int, word: str) -> bool:
    """Whether the sentence is the feeling word alone ("Settled.", "Calm.", "Wiped."): a
    journal's shorthand for the writer's own state, with no cue needed."""
    return text[start:end].strip(" \t\n.!…*_\"'“”‘’").lower() == word


def _next_word(text: str, at: int, end: int) -> str:
    """The word just after ``at`` (one space between), within ``text[:end]``; "" if none."""
    following = re.match(r" ([A-Za-z']+)", text[at:end])
    return following.group(1).lower() if following else ""


def _a_things_state(before: list[str]) -> bool:
    """ "my breathing was low", "the body was moved", "my hands were numb": the state of a
    thing or a part of the body, not a feeling (a determiner, a noun that is not a person
    or a part of oneself that feels, then a verb of being)."""
    if len(before) < 3 or before[-1] not in _BE_STATE:
        return False
    noun, owner = before[-2], before[-3]
    if owner not in _POSSESSIVES or noun in _WRITER or noun in _OTHER or noun in _PRONOUNS:
        return False
    return not (owner in ("my", "our") and noun in _INNER)


def _clause_subject_is_not_me(before: list[str]) -> bool:
    """Whether the clause before a feeling word ends on a subject of its own that is no
    one the lists know, a verb of being and perhaps a word of degree: "the room was too
    warm", "that the nurse was very". Such a state is not the writer's."""
    while before and before[-1] in _DEGREE:
        before = before[:-1]
    if len(before) < 3 or before[-1] not in _BE_STATE or before[-3] not in _SUBJECT_DETERMINERS:
        return False
    return before[-2] not in _WRITER | _AMOUNTS and before[-2] not in ("one", "way")


def _its_state(word: str, before: list[str]) -> bool:
    """ "it was peaceful at the end", "it feels heavy in here", "that's sad": the state of a
    moment or a room, said of "it", not a feeling the writer names (the data's labellers
    never count it as one); a feeling named as a thing stays the writer's ("Some days it's
    tiredness"), as does a judgement felt ("It felt awful afterwards")."""
    if word.endswith(("ness", "ment", "tion", "sion", "ity")):
        return False
    while before and before[-1] in _DEGREE | _AMOUNTS | {"a"}:
        before = before[:-1]
    if before and before[-1] in ("it's", "that's", "its", "thats"):
        return True
    return len(before) >= 2 and before[-1] in _BE_STATE and before[-2] in ("it", "this")


@cache
def _not_had() -> re.Pattern[str]:
    """ "I was curious rather than alarmed", "anything but calm": the word after these (and
    a word of degree) is a feeling not had; the lexicon's ``negating_phrases`` (which the
    clause breaks of this module would otherwise cut off) and a choice of one over it."""
    from attunement.analysis.linear import phrases_pattern
    from attunement.analysis.markers import lexicon

    phrases = phrases_pattern((("rather", "than"), ("instead", "of"), *lexicon().negating_phrases))
    return re.compile(rf"\b(?:{phrases})\s+(?:[\w']+\s+)?$", re.IGNORECASE)


def _owner_after_how(
    before: list[str], text: str, at: int, end: int, speaker_is_writer: bool
) -> bool:
    """ "I could tell how tired of fighting she was", "I see how angry you are", "I sensed
    how lonely he must feel": after "how", the person and the verb that follow, a few
    words on, own the word."""
    if before[-2:] in (["how", "much"], ["how", "many"]):
        before = before[:-1]  # "I felt how much shame she carried"
    if not before or before[-1] != "how":
        return False
    after = [w.lower() for w in _WORD.findall(text[at:end])[:6]]
    if after and after[0] in _THING_OPENERS:
        return True  # "how lonely the house was for her", "how lonely it is to be new"
    for i in range(len(after) - 1):
        person, verb = after[i], after[i + 1]
        if (verb in _BE or verb in _OWNING_VERBS) and (
            person in _OTHER or (speaker_is_writer and person == "you")
        ):
            return True
        if person in _WRITER:
            return False
    return False


# After "how" and the word, these open what the word is said of: a thing, a time, "it".
_THING_OPENERS = frozenset("the this that these those a an it".split())
# Besides a verb of being, what can follow the person who owns the feeling: "how lonely he
# must feel", "how frightened they feel".
_OWNING_VERBS = frozenset(
    "must might may would could will feel feels carried carries carry had has held holds".split()
)


@dataclass(frozen=True)
class NamedFeeling:
    word: str
    span: Span
    group: str  # anger | disgust | fear | joy | sadness | surprise | other
    whose: str  # writer | other
    negated: bool
    wished: bool = False  # wished for or regretted, not felt: "I should have been calmer"

    @property
    def writers_own(self) -> bool:
        return self.whose == "writer" and not self.negated

    def to_dict(self) -> dict[str, Any]:
        return {
            "word": self.word,
            "span": list(self.span),
            "group": self.group,
            "whose": self.whose,
            "negated": self.negated,
            "wished": self.wished,
        }


@dataclass(frozen=True)
class _Lexicon:
    pattern: re.Pattern[str]
    group_of: dict[str, str]
    cued: frozenset[str]  # words that name a feeling only after a cue word
    cued_nouns: frozenset[str]  # of those, the ones a determiner may cue ("my fear")
    cues: frozenset[str]
    judgements: frozenset[str]  # words that name a feeling only after a word of feeling
    feel_cues: tuple[tuple[str, ...], ...]
    ironic_claims: frozenset[str]  # the states sarcasm claims: "calm", "thrilled"
    ironic_opener: re.Pattern[str]  # the sentence up to the word opens ironically
    disbelief: re.Pattern[str]  # anywhere in the sentence: "Aye, right"
    ironic_tag: re.Pattern[str]  # just after the word: ", obviously,"
    contrary: re.Pattern[str]  # after the word: what shows the claim is not meant
    ironic_figure: re.Pattern[str]  # just before the word: "the picture of"
    perceived: re.Pattern[str]  # just before the word: "I picked up a lot of"
    in_oneself: re.Pattern[str]  # just after the word: "rising in me"
    reported: re.Pattern[str]  # the rest of the sentence: ", my ward manager said."
    recognised: re.Pattern[str]  # just before the word: "I know that kind of"
    said_back: re.Pattern[str]  # earlier in the sentence: "Summarised it back:"
    own_disruption: re.Pattern[str]  # after the word: ", with my phone ringing"
    noise: re.Pattern[str]  # after the word: ", with the dog barking"


_SUBJECT_DETERMINERS = frozenset("the a an this that".split())
# "A bit tired", "the whole shift tense": amounts and times, not someone else.
_AMOUNTS = frozenset("bit little lot touch whole rest first last next same".split())


# A verb of being after a bare name: "Amma was frightened" ("felt" is left out: "Still
# felt tired" is the writer's, in a note).
_NAME_BE = frozenset("was is were seemed looked sounded got became".split())
# Words that open a sentence without being anyone: "It is okay to be tired".
_NOT_NAMES = frozenset(
    "it this that there here what which today tonight yesterday everything nothing "
    "something all one".split()
)


def _a_things_subject(sentence_before: list[str], first_word: str) -> bool:
    """Whether the sentence opens on someone or something that is neither the writer nor
    a person the lists know, then a verb of being: "The physiotherapist was very
    relaxed", "The young officer on the landing was plainly frightened", "The room felt
    tense" (a noun and the few words that describe it), or a name: "Amma was frightened"
    (``first_word`` as written, its capital kept)."""
    if (
        len(sentence_before) >= 2
        and first_word[:1].isupper()
        and first_word.lower() not in _WRITER | _NOT_NAMES
        and not first_word.lower().endswith("ly")
        and sentence_before[1] in _NAME_BE
    ):
        return True
    words = sentence_before[:7]
    if len(words) < 3 or words[0] not in _SUBJECT_DETERMINERS or words[1] in _AMOUNTS:
        return False
    return any(w in _BE_STATE for w in words[2:7])


@cache
def _lexicon() -> _Lexicon:
    raw = tomllib.loads(
        (resources.files("attunement.framework") / "feelings.toml").read_text("utf-8")
    )
    groups: dict[str, list[str]] = raw["groups"]
    group_of = {w.lower(): g for g, words in groups.items() for w in words}
    words = sorted(group_of, key=len, reverse=True)
    # Whole words only, and not part of a hyphenated word ("bone-tired", "fear-driven").
    pattern = re.compile(
        r"(?<![\w'-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w'-])",
        re.IGNORECASE,
    )
    judgements = raw.get("judgements", {})
    sarcasm, others = raw["sarcasm"], raw["others"]

    from attunement.analysis.linear import phrases_pattern

    def disturbed(things: str) -> re.Pattern[str]:  # ", with my phone ringing"
        return re.compile(
            rf"^\s*,\s*(?:[\w']+,\s*)?{things}(?:{alternation(sarcasm['disruptions'])})\b", flags
        )

    def alternation(phrases: list[str]) -> str:  # the longest first
        return phrases_pattern(
            tuple(tuple(p.split()) for p in sorted(phrases, key=len, reverse=True))
        )

    flags = re.IGNORECASE
    return _Lexicon(
        pattern,
        group_of,
        frozenset(w.lower() for w in raw["cued"]["words"]),
        frozenset(w.lower() for w in raw["cued"].get("nouns", [])),
        frozenset(w.lower() for w in raw["cued"]["cues"]),
        frozenset(w.lower() for w in judgements.get("words", [])),
        tuple(tuple(c.lower().split()) for c in judgements.get("cues", [])),
        frozenset(
            [w.lower() for w in sarcasm["claims"]] + [w for w, g in group_of.items() if g == "joy"]
        ),
        re.compile(rf"^\W*(?:{alternation(sarcasm['openers'])})\b", flags),
        re.compile(rf"\b(?:{alternation(sarcasm['disbelief'])})\b", flags),
        re.compile(
            r"^(?:,\s*(?:very|so|really|totally)\s+[\w']+)?\s*[,!]\s*"
            rf"(?:{alternation(sarcasm['tags'])})\s*[,!.]",
            flags,
        ),
        # a comma, then within a few words a word of contrast or a verb in -ing
        re.compile(
            r"^[^.!?]*?,\s*(?:[\w']+,?\s+){0,3}?"
            rf"(?:(?:{alternation(sarcasm['contrary'])})\b|[\w']+ing\b)",
            flags,
        ),
        re.compile(rf"\b(?:{alternation(sarcasm['ironic_figures'])})\s+$", flags),
        re.compile(
            rf"\b(?:{alternation(others['perceiving'])})\s+"
            rf"(?:(?:{alternation(others['perceived_amounts'])})\s+){{0,2}}$",
            flags,
        ),
        re.compile(rf"^\s+(?:[\w']+\s+){{0,2}}?(?:{alternation(others['in_oneself'])})\b", flags),
        re.compile(
            r"^[^.!?]*,\s*(?:(?:my|the|her|his|our|their)\s+)?(?:[\w'-]+\s+){0,2}"
            rf"(?:{alternation(others['reporting'])})\W*$",
            flags,
        ),
        re.compile(
            rf"\b(?:{alternation(others['recognising'])})\s+"
            rf"(?:{alternation(others['recognised_as'])})\s+$",
            flags,
        ),
        re.compile(rf"\b(?:{alternation(others['saying_back'])})\b", flags),
        # a comma, a word or two at most, then the writer's own things disturbing the peace
        disturbed(r"(?:with|and)\s+my\s+(?:[\w']+\s+){1,2}?"),
        # the same with anyone's things: only after a claim both stressed and put first
        disturbed(r"(?:with|and|while)\s+(?:[\w']+\s+){1,3}?"),
    )


def said_in(text: str, feeling: str) -> str | None:
    """The word of ``text`` that already says ``feeling`` in some form of it or of its
    group ("frightening" says fear, "numbness" says numb), or None: a word and the feeling
    share their first six letters, or the word is one of the feeling's group. A state word
    that names a feeling only after a cue, or one that judges more than it names, says it
    only where it is read as a feeling ("you must feel so low", never "cutting down
    gradually", "that's awful"); a noun of feeling says it anywhere ("that numbness")."""
    lex = _lexicon()
    target = feeling.lower()
    group = lex.group_of.get(target)
    kin = {w[:6] for w, g in lex.group_of.items() if g == group and g != "other"} | {target[:6]}
    named: set[int] | None = None
    for match in _WORD.finditer(text):
        word = match.group(0).lower()
        if not (
            word[:6] in kin or (group not in (None, "other") and lex.group_of.get(word) == group)
        ):
            continue
        if (word in lex.cued and word not in lex.cued_nouns) or word in lex.judgements:
            if named is None:
                named = {
                    f.span[0]
                    for f in named_feelings(text, speaker_is_writer=False, every_word=True)
                }
            if match.start() not in named:
                continue
        return match.group(0)
    return None


def _clause_before(text: str, start: int, floor: int) -> list[str]:
    head = text[floor:start]
    cut = max((m.end() for m in _CLAUSE_BREAK.finditer(head)), default=0)
    return [w.lower().strip("'") for w in _WORD.findall(head[cut:])]


def _of_me(before: list[str]) -> bool:
    """Whether the words end with the writer being or feeling ("I was", "I'm", "I felt"),
    after which "some" is a word of degree ("I was some tired", Irish, Newfoundland and
    Cornish English), not a determiner."""
    if before[-1:] in (["i'm"], ["im"]):
        return True
    return before[-2:-1] == ["i"] and before[-1] in ("was", "am", "felt", "feel", "get", "got")


def _not_a_feeling(
    text: str, match: re.Match[str], span: Span, before: list[str], lex: _Lexicon
) -> bool:
    """Whether a feeling word is used for something other than a feeling had: a
    judgement of oneself with no word of feeling before it ("I'm a useless carer"), a
    word describing a thing or someone ("the angry son", "a flat tyre"), a verb with its
    object ("I reassured her"), the state of a thing ("my breathing was low"), a place
    ("got down on the floor") or a wish ("I hope to feel settled")."""
    word = match.group(0).lower()
    if word in lex.judgements and before and before[-1] in _DETERMINERS | _MADE_SO:
        return True  # "the small of my back", "I had made it small"
    if word in lex.judgements:
        near = [w.lower() for w in _WORD.findall(text[span[0] : match.start()])][-5:]
        from attunement.analysis.markers import has_phrase

        if not has_phrase(near, lex.feel_cues):
            return True
    next_word = _next_word(text, match.end(), span[1])
    state_word = word in lex.cued and word not in lex.judgements and word not in lex.cued_nouns
    if state_word and next_word in _PLACES:
        return True  # "got down on the floor", "flat out"
    if (
        before
        and before[-1] in _DETERMINERS
        and next_word
        and next_word not in _LINKS
        and not (before[-1] == "some" and _of_me(before[:-1]))
    ):
        return True  # "a flat tyre", but not "I was some tired after" ("some": very)
    if before and before[-1] in _THINGS:
        return True  # "to say something hopeful", "nothing calm about it"
    if next_word in _OTHER and next_word not in _PRONOUNS:
        return True  # "confused patients", "the angry son"
    if next_word in _TIMES:
        return True  # "a heavy, lonely morning": the mood of a time, not a feeling had
    if word.endswith("ed") and next_word in _OBJECTS and not (before and before[-1] in _DEGREE):
        return True  # "I reassured her", but not "so tired my legs shook"
    if word.endswith("ed") and _PARTICLE_AFTER_IT.match(text, match.end()):
        return True  # "rattled it off like a recipe": a verb and its object
    if (
        word == "lost"
        and (
            next_word in _OBJECTS | {"you", "track", "sight", "touch"}  # "I lost track of time"
            or before[-1:] in (["get"], ["got"], ["getting"])  # "they tell me to get lost"
            or before[-2:] in (["what", "is"], ["what", "was"], ["what", "has"])  # a thing gone
            or _ABSORBED.match(text, match.end())  # "lost in my own memory": absorbed
        )
    ):
        return True
    if _a_things_state(before) or (
        word not in lex.cued_nouns | lex.judgements and _its_state(word, before)
    ):
        return True
    if (
        word == "love"
        and _CALLED.search(text, 0, match.start())
        and _CALLED_END.match(text, match.end())
    ):
        return True  # "not to worry, my love, we'll get you sorted": someone called so
    if word == "mad" and next_word and next_word not in _LINKS:
        return True  # "mad busy", "mad relaxed": a word of degree, not anger
    if word in _AS_DEGREE and next_word in lex.group_of:
        return True  # "I felt awful sorry for him": the degree of the feeling after it
    if word == "sorry" and _APOLOGY.intersection(before):
        return True  # "I told her I was sorry": an apology said, not a feeling named
    if _ABLE_TO_BE.search(text, span[0], match.start()):
        return True  # "I know how to be calm with blood": able to, not had
    tested = _PUT_TO_THE_TEST.search(text, span[0], match.start())
    if tested and not _BY_ME.search(text, span[0], tested.start()):
        return True  # "you are checking if I am worried": their question, not a feeling had
    recent = before[-5:]
    wants = [i for i, w in enumerate(recent) if w in _WANTS]
    return any(w in _WISHES for w in recent) or bool(
        wants and ("to" in recent[wants[0] :] or recent[wants[0]] == "wanna")
    )


# "it must be lonely", "It must have been frightening": a guess at the state of the person
# spoken to or about, not the writer's.
_GUESSED = re.compile(
    r"\bit\s+(?:must|might|may)\s+(?:be|have\s+been|feel|get)\s+(?:(?!my\b)[\w']+\s+){0,3}$",
    re.I,
)
# "I sensed a kind of relief in him", "the fear in her voice": a feeling seen in someone
# (of the labelled feelings followed by "in him", "in her"…, 47 of 49 are someone else's).
_IN_THEM = re.compile(
    r"^\s+in\s+(?:him|them\b|her\s*(?=[,.;:!?]|$)|(?:her|his|their)\s+(?:voice|eyes|face|"
    r"faces|words|tone|look|manner|body|shoulders|hands|breathing|smile)\b)",
    re.I,
)
# "Angry with me.": someone else's feeling, directed at the writer.
_AT_ME = re.compile(r"^\s+(?:with|at)\s+me\b", re.I)


def _sarcastic(text: str, match: re.Match[str], span: Span, lex: _Lexicon) -> bool:
    """ "Oh, I was so calm, shouting down the corridor", "I was so grounded, obviously,
    with my phone buzzing", "I was the picture of calm": a state claimed in order to say
    it was not had (``[sarcasm]`` in ``framework/feelings.toml``)."""
    word = match.group(0)
    if word.lower() not in lex.ironic_claims:
        return False
    head, tail = text[span[0] : match.start()], text[match.end() : span[1]]
    if lex.ironic_figure.search(head) or lex.disbelief.search(text, span[0], span[1]):
        return True
    after = len(text) - len(text[span[1] :].lstrip())
    if lex.disbelief.match(text, after):
        return True  # "I was calm as you like. Aye, right."
    if _ASKED_OF_ME.search(head) and tail.lstrip().startswith("?"):
        return True  # "Me, relaxed? Ehn, very relaxed, with three call bells going"
    before = text[max(0, span[0] - 40) : span[0]]
    if re.search(rf"(?:^|[^\w'])me\W{{0,3}}{re.escape(word)}\s*\?\s*$", before, re.IGNORECASE):
        return True  # …and the claim made again just after it: "Ehn, very relaxed, …"
    tail = _SIMILE.sub("", tail, count=1)  # "calm as a millpond, me, shouting at the radio"
    inverted = _INVERTED.match(tail)
    if inverted and lex.ironic_opener.match(head) and _STRESSED.search(head):
        return True  # "Oh yes, very calm I was": a stressed claim put first after an opener
    tail = tail[inverted.end() :] if inverted else tail  # "Very calm I am, ha, biting my nails"
    if inverted and _STRESSED.search(head) and lex.noise.match(tail):
        return True  # "Real peaceful I was, with the dog barking": stressed, put first, belied
    emphasised = (len(word) > 2 and word.isupper()) or (
        text[match.start() - 1 : match.start()] in ("*", "_") and match.start() > span[0]
    )
    if _TAG_QUESTION.match(tail) and _STRESSED.search(head):
        return True  # "I was so very calm, no?": a claim stressed, then asked back
    if _ONLY_SO_OFTEN.match(tail) and _STRESSED.search(head):
        return True  # "I was so calm tonight, I only swore at the computer three times"
    if lex.own_disruption.match(tail) and _STRESSED.search(head):
        return True  # "Yes, very peaceful I was, with my phone ringing in my pocket"
    ironic = emphasised or lex.ironic_opener.match(head) or lex.ironic_tag.match(tail)
    return bool(ironic) and lex.contrary.match(tail) is not None


def sarcastic_claims(sentence: str) -> frozenset[str]:
    """The states ``sentence`` claims in sarcasm, in lower case ("I was so calm, no?")."""
    lex = _lexicon()
    whole = (0, len(sentence))
    return frozenset(
        match.group(0).lower()
        for match in lex.pattern.finditer(sentence)
        if _sarcastic(sentence, match, whole, lex)
    )


# A state asked of oneself in disbelief: "Me, relaxed?", "Me calm?".
_ASKED_OF_ME = re.compile(r"(?:^|[^\w'])me\W{0,3}$", re.IGNORECASE)
# A simile after the claimed state, set aside to read what follows it ("calm as you like").
_SIMILE = re.compile(
    r"^\s+as\s+(?:you\s+like|anything|owt|ever|(?:a|an|the)\s+[\w']+(?:\s+[\w']+)?(?=\s*[,!]))",
    re.IGNORECASE,
)
# The subject after a claim put first: "Very calm I am, ha, …".
_INVERTED = re.compile(r"^\s+(?:I\s+(?:am|was|were)|I'm|me)\b", re.I)
# A tag question after a state ("…, no?", "…, right?") and a word that stresses it.
_TAG_QUESTION = re.compile(r"\s*,?\s*(?:no|right|yeah|eh|hey|innit|yes)\s*\?", re.I)
# Someone testing whether the writer has a state: "checking if I am worried", "watching
# to see if I'll be scared of you".
_PUT_TO_THE_TEST = re.compile(
    r"\b(?:test(?:s|ed|ing)?|check(?:s|ed|ing)?|watch(?:es|ed|ing)?|see|seeing)\s+"
    r"(?:if|whether)\s+(?:I|I'm|I'd|I'll)\s+(?:(?:am|was|will|would|be|get|seem|look)\s+)*"
    r"(?:(?:a\s+bit|too|really|very|so)\s+)?$",
    re.IGNORECASE,
)
_BY_ME = re.compile(r"\b(?:I|I'm)\s+(?:(?:am|was|kept|keep)\s+)?$", re.IGNORECASE)
# After a stressed claim, the lapses counted: "…, I only drop the cake two times".
_ONLY_SO_OFTEN = re.compile(
    r"^[^.!?]*?,\s*(?:I\s+)?only\s+[\w']+(?:\s+[\w']+){0,6}?\s+"
    r"(?:once|twice|(?:\w+|\d+)\s+times)\b",
    re.IGNORECASE,
)
_STRESSED = re.compile(r"\b(?:so|very|sooo+|totally|super|really|real|utterly)\s+$", re.I)


def _someone_elses(text: str, match: re.Match[str], span: Span, lex: _Lexicon) -> bool:
    """Someone else's feeling though no one is named beside it: perceived in them ("I
    picked up a lot of shame"), known again from one's own life ("from my own mom I know
    that tired"), in their words said back to them ("Summarised it back: tired, not
    sleeping"), guessed at aloud ("it must be lonely"), felt at the writer ("Angry with
    me."), or reported from someone else ("It is okay to be tired, my ward manager said")."""
    head, tail = text[span[0] : match.start()], text[match.end() : span[1]]
    if lex.perceived.search(head) and not lex.in_oneself.match(tail):
        return True
    if lex.recognised.search(head) or lex.said_back.search(head):
        return True
    return bool(
        _GUESSED.search(head)
        or _AT_ME.match(tail)
        or _IN_THEM.match(tail)
        or lex.reported.match(tail)
    )


# Between two feelings joined as one state: "tired and low", "exhausted, a bit flat", "let
# down and so alone".
_JOINED = re.compile(
    r"\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|&\s*)(?:(?:so|very|quite|really|pretty|"
    r"rather|a\s+bit|a\s+little|kind\s+of|sort\s+of|just|totally|utterly)\s+)?",
    re.IGNORECASE,
)


def _joined_to_feeling(text: str, last_end: int, match: re.Match[str], end: int) -> bool:
    """Whether a word that names a feeling only after a cue comes straight after another
    feeling, joined to it ("I felt tired and low", "let down and alone"), so that the first
    one's cue is its cue too; not where it goes on to a place ("tired and down the
    corridor")."""
    if last_end < 0 or not _JOINED.fullmatch(text, last_end, match.start()):
        return False
    return _next_word(text, match.end(), end) not in _POSSESSIVES | _OBJECTS | _PLACES


def named_feelings(
    text: str, *, speaker_is_writer: bool = True, every_word: bool = False
) -> list[NamedFeeling]:
    """Every feeling word in ``text`` with its group, owner and negation, in order; a
    word used for something other than a feeling had is left out (``_not_a_feeling``),
    and one inside quotation marks is the speaker's, not the writer's.
    ``speaker_is_writer`` is False for a reply to someone, where "you" is the other. The
    quiet words (``quiet_words``) are left out too, unless ``every_word``: what a reply
    has already said, and the quiet words' own measure, read them all."""
    from attunement.analysis.markers import (
        has_phrase,
        joined_by_writer,
        lexicon,
        negates,
        others_quotes,
    )

    lex, markers_lex = _lexicon(), lexicon()
    found = []
    quoted = others_quotes(text)
    quiet = frozenset() if every_word else quiet_words()
    for start, end in sentences(text):
        last_end = -1  # where the last feeling read in this sentence ends
        last: NamedFeeling | None = None  # the last feeling found in this sentence
        for match in lex.pattern.finditer(text, start, end):
            before = _clause_before(text, match.start(), start)
            word = match.group(0).lower()
            cued = word in lex.cued and word not in lex.judgements  # those have their own cues
            if (
                cued
                and _cue_missing(word, before, lex)
                and not _said_alone(text, start, end, word)
                and not _joined_to_feeling(text, last_end, match, end)
            ):
                continue
            if _not_a_feeling(text, match, (start, end), before, lex):
                continue
            last_end = match.end()
            if word in quiet:
                continue
            after = [w.lower() for w in _WORD.findall(text[match.end() : end])[:2]]
            whose = "writer"
            if any(a <= match.start() < b for a, b in quoted):
                whose = "other"  # someone else's words: "she kept saying 'I'm fine'"
            elif (
                len(after) == 2
                and (
                    (after[0] in _OTHER and after[1] in _BE)
                    or (after[0] in ("the", "his", "her", "their") and after[1] in _OTHER)
                )
            ) or _owner_after_how(before, text, match.end(), end, speaker_is_writer):
                whose = "other"  # "how frightened she was", "how tired of it you are"
            else:
                # the nearest person before it, in its clause, else earlier in its sentence
                # (earlier in the sentence, a verb's object owns nothing: "I wasn't angry
                # with him, just sad" is the writer's sadness)
                sentence_before = [
                    w.lower().strip("'")
                    for w in _WORD.findall(text[start : match.start()])
                    if w.lower() not in _OBJECT_ONLY
                ]
                if _clause_subject_is_not_me(before):
                    whose = "other"  # "…; more that the room was too warm": its own subject
                else:
                    for words in (before, sentence_before):
                        person = next(
                            (
                                w
                                for w in reversed(words)
                                if w in _WRITER
                                or w in _OTHER
                                or w.removesuffix("'s") in _OTHER  # "my client's tiredness"
                                or w in _YOU
                            ),
                            None,
                        )
                        if person is not None:
                            whose = "writer" if person in _WRITER else "other"
                            break
                    else:
                        first = _WORD.search(text, start, match.start())
                        if _a_things_subject(sentence_before, first.group(0) if first else ""):
                            whose = "other"  # "The physiotherapist was very relaxed"
            if whose == "writer" and _someone_elses(text, match, (start, end), lex):
                whose = "other"
            if not speaker_is_writer and whose == "writer":
                mine = any(w in _WRITER for w in before)
                whose = "writer" if mine else "other"
            # the feeling just before, when this one is listed straight after it
            joined = last if last and _JOINED.fullmatch(text, last.span[1], match.start()) else None
            if joined is not None:
                whose = joined.whose  # "most of them are scared, or angry, or fed up"
            if (
                whose == "other"
                and speaker_is_writer
                and joined_by_writer(text, match.end(), markers_lex)
            ):
                whose = "writer"  # "she was exhausted, and so was I": the writer's too
            wished = has_phrase(
                before[-markers_lex.counterfactual_window :], markers_lex.counterfactual
            ) or (joined is not None and joined.wished)  # "…to be calmer and kinder"
            negated = (
                wished
                or negates(before, markers_lex, 4)
                or _sarcastic(text, match, (start, end), lex)
                or _not_had().search(text, max(start, match.start() - 40), match.start())
                is not None
            )
            last = NamedFeeling(
                word=match.group(0),
                span=(match.start(), match.end()),
                group=lex.group_of[word],
                whose=whose,
                negated=negated,
                wished=wished,
            )
            found.append(last)
    return found


@dataclass(frozen=True)
class FeelingsReading:
    """What a text says of feelings: the words it names (whose, negated) first, then the
    emotion groups the model reads above thresholds chosen on caregivers' entries."""

    named: tuple[NamedFeeling, ...]
    model_groups: tuple[str, ...]
    model_scores: dict[str, float]

    @property
    def writers_own(self) -> tuple[NamedFeeling, ...]:
        return tuple(f for f in self.named if f.writers_own)

    @property
    def writers_denied(self) -> tuple[NamedFeeling, ...]:
        """The writer's feelings they say they did not have ("I wasn't angry")."""
        return tuple(f for f in self.named if f.whose == "writer" and f.negated and not f.wished)

    @property
    def writers_wished(self) -> tuple[NamedFeeling, ...]:
        """The writer's feelings wished for or regretted ("I should have been calmer")."""
        return tuple(f for f in self.named if f.whose == "writer" and f.wished)

    @property
    def groups(self) -> tuple[str, ...]:
        """The emotion groups to count for this text (Insights, the packet): the groups of
        the writer's own named feelings, then the model's, each once."""
        named = [f.group for f in self.writers_own if f.group != "other"]
        return tuple(dict.fromkeys([*named, *self.model_groups]))

    def to_dict(self) -> dict[str, Any]:
        return {
            "named": [f.to_dict() for f in self.named],
            "groups": list(self.groups),
            "model": {"groups": list(self.model_groups), "scores": self.model_scores},
        }


@cache
def model_thresholds() -> dict[str, float]:
    """Per emotion group, the probability above which the model's reading is shown,
    chosen on the dev writers' entries for precision (``training/caregiver.py``); a group
    with no threshold that reached it is never shown."""
    import json

    folder = resources.files("attunement.analysis") / "models"
    try:
        raw = json.loads((folder / "feelings.json").read_text("utf-8"))
    except FileNotFoundError:
        return {}
    return {g: float(t) for g, t in raw.get("thresholds", {}).items() if t is not None}


@cache
def quiet_words() -> frozenset[str]:
    """Feeling words that are not shown: on caregivers' labelled writing (the training
    writers), when the rules read one as the writer's own feeling the labellers surely
    agreed less than half the time (``training/caregiver.py``, ``quiet_words``). Saying
    nothing is better than saying something wrong."""
    import json

    folder = resources.files("attunement.analysis") / "models"
    try:
        raw = json.loads((folder / "feelings.json").read_text("utf-8"))
    except FileNotFoundError:
        return frozenset()
    return frozenset(raw.get("quiet_words", []))


def reading(text: str) -> FeelingsReading:
    from attunement.analysis.models import _model, emotion_probabilities

    probs, _ = emotion_probabilities(text)["ekman"]
    labels = _model("emotions.npz").heads["ekman"].labels
    scores = {lab: round(float(p), 4) for lab, p in zip(labels, probs, strict=True)}
    cut = model_thresholds()
    groups = tuple(
        sorted((g for g in scores if g in cut and scores[g] >= cut[g]), key=lambda g: -scores[g])
    )
    return FeelingsReading(tuple(named_feelings(text)), groups, scores)
