"""Feedback on one practice response, read move by move (``analysis/replies.py``): what
each part of it does, how it meets the other's feeling (with the move that earned each
level), any advice, reassurance, sympathy or assumption named as such, one thing done
well and one direction to try. Never a lecture: two sentences and the evidence.

Three promises: advice and reassurance, in any form, are named and never praised; "done
well" quotes a move that really does what it praises, or is left out; "to try" never asks
for what the reply already does. A move the reading is unsure of is said to be unsure.

Praise is never larger than the move: a condolence ("I'm so sorry") shows that their words
reached the responder, and only a reflection, or a move naming their feeling, "meets their
feeling". A line about the order of moves ("You reflected first") or about a move ("After
your reflection…") is said only when the reading finds that order and that move."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from attunement.analysis import models
from attunement.analysis.feelings import named_feelings, said_in
from attunement.analysis.markers import MarkerFinding
from attunement.analysis.replies import Move, ReplyReading, read_reply
from attunement.core.validation import clean_body
from attunement.practice.vignettes import Vignette

READINGS_NOTE = (
    "These readings come from models trained on caregivers' replies written for "
    "Attunement and on other people's conversations: a prompt to reflect, not a grade."
)
MOVE_NAMES = {
    "reflection-simple": "says back what they said",
    "reflection-complex": "says back what they said, with meaning added",
    "question-open": "an open question",
    "question-closed": "a closed question",
    "advice": "advice",
    "reassurance": "reassurance",
    "information": "information",
    "sympathy": "sympathy or minimising",
    "other": "other",
}


@dataclass(frozen=True)
class Feedback:
    vignette_id: str
    response: str
    mi: models.MIBehaviour
    empathy: models.Empathy
    power_signs: tuple[MarkerFinding, ...]
    did_well: str  # "" when nothing in the reply can honestly be praised
    try_next: str
    scores: dict[str, float]  # each dimension 0..1, for progress over time
    moves: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    unsure: tuple[str, ...] = field(default_factory=tuple)  # moves the reading is unsure of

    @property
    def overall(self) -> float:
        return round(sum(self.scores.values()) / len(self.scores), 4)

    def to_dict(self) -> dict[str, Any]:
        return {
            "vignette_id": self.vignette_id,
            "mi": {
                "code": self.mi.code,
                "subtype": self.mi.subtype,
                "confidence": self.mi.confidence,
            },
            "moves": list(self.moves),
            "empathy": {
                name: {
                    **getattr(self.empathy, name).to_dict(),
                    "evidence": [self.response[s:e] for s, e in getattr(self.empathy, name).spans],
                }
                for name in models.EMPATHY_DIMENSIONS
            },
            "power_signs": [
                {
                    "id": f.id,
                    "name": f.name,
                    "evidence": f.evidence(self.response),
                    "spans": [list(s) for s in f.spans],
                }
                for f in self.power_signs
            ],
            "did_well": self.did_well,
            "try_next": self.try_next,
            "unsure": list(self.unsure),
            "scores": self.scores,
            "overall": self.overall,
        }


def _quote(response: str, spans: tuple[tuple[int, int], ...]) -> str:
    return "“" + "… ".join(response[s:e] for s, e in spans[:2]) + "”"


def _others_feelings(words: str) -> set[str]:
    """The feeling words a reply's ``words`` name of the other person, not negated."""
    return {
        f.word.lower()
        for f in named_feelings(words, speaker_is_writer=False)
        if f.whose == "other" and not f.negated
    }


# Before a feeling word, these make it theirs: "that anger", "your fear", "the grief you".
_THEIRS = re.compile(r"\b(?:your|that|this|such|all\s+that|you(?:'re|\s+are)?)\s+$", re.I)


def _said_as(reply: str, word: str) -> str:
    """Whose feeling the reply's ``word`` is: "speaker" for the responder's own ("I'm so
    sorry"), "them" when it is already said as theirs ("that anger", "your fear"), else
    ""."""
    if any(
        f.word == word and f.whose == "writer"
        for f in named_feelings(reply, speaker_is_writer=False)
    ):
        return "speaker"
    at = reply.find(word)
    return "them" if at >= 0 and _THEIRS.search(reply, max(0, at - 20), at) else ""


def _names_a_feeling(reading: ReplyReading) -> bool:
    """Whether a move that is not advice or reassurance names the other's feeling."""
    reply = reading.reply
    return any(
        _others_feelings(reply[move.span[0] : move.span[1]])
        for move in reading.moves
        if not move.is_input
    )


def _against_their_words(statement: str, reply: str) -> tuple[str, str] | None:
    """A feeling they said they do not have, said back as theirs: (their word, the reply's
    word), as "I don't feel sad exactly" and "you're carrying a lot of sadness"; else None.
    A reflection that goes against their words is not heard as understanding."""
    own = [f for f in named_feelings(statement) if f.whose == "writer" and not f.wished]
    had = [f.word for f in own if not f.negated]  # "I'm not scared of dying. I'm scared…"
    denied = [f.word for f in own if f.negated and not any(_same_word(w, f.word) for w in had)]
    if not denied:
        return None
    theirs_now = named_feelings(reply, speaker_is_writer=False)
    said = [f.word for f in theirs_now if f.whose == "other" and not f.negated]
    return next(((t, w) for t in denied for w in said if _same_word(w, t)), None)


def _same_word(one: str, other: str) -> bool:
    """Whether two feeling words are forms of one word ("sad", "sadness"; "lonely",
    "loneliness"), not only of one group ("sad" and "lonely" are not the same feeling)."""
    a, b = sorted((one.lower(), other.lower()), key=len)
    return b.startswith(a) or (len(a) >= 4 and a[:4] == b[:4])


# Condolence, which answers a death ("I'm so sorry for your loss", "My condolences")...
_CONDOLENCE = re.compile(
    r"\b(?:sorry\s+(?:for|about|to\s+hear\s+(?:of|about))\s+(?:your|the)\s+loss|"
    r"(?:my|our)\s+(?:deepest\s+|sincere\s+)?(?:condolences|sympathies)|"
    r"(?:may\s+(?:he|she|they)\s+)?rest\s+in\s+peace)\b",
    re.IGNORECASE,
)
# ...and the words that tell of one in what they said.
_A_DEATH = re.compile(
    r"\b(?:died|dead|death|passed|funeral|loss|lost|grie(?:f|ve|ving)|bereave\w*|"
    r"widow\w*|miscarr\w*|stillb\w*|buried|burial|ashes|memorial|grave|killed|suicide|"
    r"gone)\b",
    re.IGNORECASE,
)


def _condolence_without_a_loss(vignette: Vignette, reply: str) -> str | None:
    """The reply's condolence, when neither what they said nor what the statement is known
    to hold (its feelings and needs: grief, a loss) tells of a death or a loss; else None."""
    found = _CONDOLENCE.search(reply)
    held = " ".join((vignette.statement, *vignette.feelings, *vignette.needs))
    return found.group(0) if found and not _A_DEATH.search(held) else None


def _missing_them(vignette: Vignette, reply: str) -> str:
    """The line to try when the reply misses what they said, else "": such a reply is not
    praised for reaching them."""
    against = _against_their_words(vignette.statement, reply)
    if against:
        return (
            f"They said they don't feel {against[0]}, and “{against[1]}” says they do; try "
            "saying back what they did say, so they hear they were heard."
        )
    condolence = _condolence_without_a_loss(vignette, reply)
    if condolence:
        return (
            f"“{condolence}” answers a death, and they have told of none; try saying back "
            "what they are living with now."
        )
    return ""


PRAISE_SURE = 0.6  # "done well" quotes only a move the reading is at least this sure of
# "Mm." or "Okay." alone holds too little to be praised for what it leaves out.
PRAISE_WORDS = 3


def _praisable(reading: ReplyReading, spans: tuple[tuple[int, int], ...]) -> tuple:
    """The spans of ``spans`` whose move the reading is sure of (``PRAISE_SURE``) and that
    are not advice-like: what "done well" may quote."""
    sure = {m.span for m in reading.moves if m.confidence >= PRAISE_SURE}
    return tuple(s for s in spans if s in sure and s not in reading.advice_like)


def _meets_their_feeling(reading: ReplyReading, span: tuple[int, int]) -> bool:
    """Whether the move at ``span`` meets their feeling: a reflection, or a move that
    names a feeling of theirs. A condolence ("I'm so sorry", "Oh no") or another move
    coded `other` shows only that their words reached the responder (ER 1 by the
    guideline), which is less."""
    move = next(m for m in reading.moves if m.span == span)
    return move.code.startswith("reflection") or bool(
        _others_feelings(reading.reply[span[0] : span[1]])
    )


# "Why did you…?", "why didnt u…", "Why would you…?", "Why do you…?": the question can
# sound like blame, however kindly meant. Each is asked again with "what": the verb picks
# the wording, and the rest of the question is kept.
_WHY = re.compile(
    r"^\W*(?:(?:and|but|so)\s+)?why\s*"
    r"(?P<verb>did\s+not|didn['’]?t|did|would|do|['’]d)\s+(?:you|u)\b\s*(?P<rest>[^?]*)",
    re.I,
)
_WHAT_INSTEAD = {
    "didnt": "What made it hard to",
    "do": "What makes you",
    "would": "What leads you to",
}
WHY_REST_WORDS = 12  # a longer question is not asked again in full


def _why_question(reading: ReplyReading, move: Move) -> re.Match[str] | None:
    """The "why" opening of ``move`` if it opens "Why did you", "Why didn't you", "Why
    would you" or "Why do you" (any case, any apostrophe or none, with or without its
    question mark: "why didnt u say no"), else None."""
    return _WHY.match(reading.reply[move.span[0] : move.span[1]])


def _asked_with_what(found: re.Match[str]) -> str:
    """The "why" question asked with "what": "Why didn't you say no?" -> "What made it hard
    to say no?"; "Why did you agree to the party?" -> "What led you to agree to the
    party?"."""
    verb = re.sub(r"\W", "", found["verb"].lower())  # did, didnt, didnot, would, do or d
    rest = found["rest"].strip(" ,;:.!…")
    if verb == "did" and rest.lower().startswith("not "):
        verb, rest = "didnt", rest[4:]  # "Why did you not ask?" is "Why didn't you ask?"
    verb = "didnt" if verb == "didnot" else verb
    if rest.isupper():
        rest = rest.lower()  # "WHY DIDN'T YOU SAY NO" is not asked back in capitals
    if not rest or len(rest.split()) > WHY_REST_WORDS:
        return "What made that hard?" if verb == "didnt" else "What was that like?"
    return f"{_WHAT_INSTEAD.get(verb, 'What led you to')} {rest}?"


def _did_well(reading: ReplyReading, missing: str = "") -> str:
    reply = reading.reply
    if missing:
        return ""  # what misses them is not praised for reaching them
    er, ip, ex = (reading.levels[k] for k in ("er", "ip", "ex"))
    # A "why" question may sound like blame: it is never what "done well" quotes.
    whys = {m.span for m in reading.moves if _why_question(reading, m)}
    complex_moves = _praisable(
        reading, tuple(m.span for m in reading.moves_doing("reflection-complex"))
    )
    if complex_moves and ip[0]:
        return (
            "You said back what you understood of their experience, with meaning added "
            f"({_quote(reply, complex_moves)})."
        )
    reached = _praisable(reading, er[2]) if er[0] else ()
    met = tuple(s for s in reached if _meets_their_feeling(reading, s))
    if met:
        return f"You met their feeling ({_quote(reply, met)})."
    if ip[0] and _praisable(reading, ip[2]):
        quoted = _quote(reply, _praisable(reading, ip[2]))
        return f"You reflected their words back rather than moving them on ({quoted})."
    invited = tuple(s for s in _praisable(reading, ex[2]) if s not in whys) if ex[0] else ()
    if invited:
        return f"You invited them to say more ({_quote(reply, invited)})."
    open_questions = _praisable(
        reading, tuple(m.span for m in reading.moves_doing("question-open") if m.span not in whys)
    )
    if open_questions:
        return (
            "You asked an open question, leaving room for their answer "
            f"({_quote(reply, open_questions)})."
        )
    if reached:
        # Only a condolence or the like ("I'm so sorry.") earned the level: true, and less
        # than meeting their feeling.
        return f"You let them see that what they told you reached you ({_quote(reply, reached)})."
    if (
        not reading.signs
        and not reading.advice_like
        and not whys
        and reading.moves
        and not any(m.unsure for m in reading.moves)
        and len(reply.split()) >= PRAISE_WORDS
    ):
        return "You answered without rushing to fix, reassure or explain."
    return ""


# A reply longer than this may be doing too much at once.
LONG_REPLY_WORDS = 45


# Words of a vignette's feelings and needs too common to show the reply already says them.
_COMMON = frozenset(
    "about being feel feeling from have into more other people people's someone something "
    "still that their them there they this what when where with without your".split()
)


def _echoed(reply: str, phrase: str) -> bool:
    """Whether the reply already says a word of ``phrase`` (a vignette's feeling or need)
    in some form: "believe you" says "not being believed", "taken seriously" says "to be
    taken seriously"."""
    said = {w[:5] for w in re.findall(r"[a-z']+", reply.lower().replace("’", "'")) if len(w) >= 4}
    return any(
        w[:5] in said
        for w in re.findall(r"[a-z']+", phrase.lower())
        if len(w) >= 4 and w not in _COMMON
    )


def _unsaid_feeling(vignette: Vignette, reply: str) -> str | None:
    """The first of the vignette's feelings the reply does not yet say as theirs, or None.
    One it says as the responder's own ("I'm so sorry") is still unsaid."""
    for feeling in vignette.feelings:
        said = said_in(reply, feeling)
        if said and _said_as(reply, said) != "speaker":
            continue
        if not said and _echoed(reply, feeling):
            continue
        return feeling
    return None


def _after_reflection(vignette: Vignette, reading: ReplyReading, names_theirs: bool) -> str:
    """The tip for a reply that reflects with meaning and does not yet invite more: leave
    room, and say where it may lead in this vignette: to a feeling of theirs still unsaid,
    when the reply names none, else to what they may need. The same reply always gets the
    same tip."""
    tip = "After your reflection, try leaving a pause, or a gentle invitation to say more; "
    reply = reading.reply
    names = names_theirs or any(
        (said := said_in(reply, f)) and _said_as(reply, said) != "speaker"
        for f in vignette.feelings
    )
    feeling = None if names else _unsaid_feeling(vignette, reply)
    if feeling:
        return tip + f"they may go on to the feeling beneath it, perhaps {feeling}, on their own."
    need = next((n for n in vignette.needs if not _echoed(reply, n)), None)
    if need:
        return tip + f"that leaves room for what may be needed here: {need}."
    return tip + "they may take it further on their own."


def _try_next(vignette: Vignette, reading: ReplyReading, missing: str = "") -> str:
    if missing:
        return missing
    feeling = vignette.feelings[0]
    said = said_in(reading.reply, feeling)  # never suggest a feeling the reply names
    whose = _said_as(reading.reply, said) if said else ""
    if whose == "speaker":
        said = None  # "I'm so sorry" is the responder's own; theirs is still to be named
    reflections = reading.moves_doing("reflection-simple", "reflection-complex")
    reflects = bool(reflections)
    names_theirs = _names_a_feeling(reading) or whose == "them"
    names_feeling = names_theirs or reading.levels["ip"][0] == 2
    asks_open = bool(reading.moves_doing("question-open"))
    kinds = {s.kind for s in reading.signs}
    if kinds & {"advice", "reassurance"}:
        what = "advice" if "advice" in kinds else "reassurance"
        fixing = [m for m in reading.moves if m.code in ("advice", "reassurance")]
        first = min(fixing, key=lambda m: m.span[0])
        if any(r.span[0] < first.span[0] for r in reflections):
            return (
                f"You reflected first; now try leaving the {what} out, and let them find "
                "what would help, perhaps by asking what they need."
            )
        if reflects:  # the reflection came only after the input: the order is the point
            return (
                f"You moved to {first.code} before staying with what they said; try "
                f"starting with what you hear, and leaving the {first.code} out."
            )
        return f"The {what} moves them on from what they feel. Try first saying back what you " + (
            "hear beneath their words."
            if names_feeling or said
            else f"hear them feeling, perhaps {feeling}."
        )
    if "sympathy" in kinds:
        return (
            "Sympathy or minimising keeps you outside their experience. Try staying inside "
            "it with them: say what you sense it is like for them."
        )
    if "assumption" in kinds:
        return (
            "You may have told them what they feel. Try offering it tentatively "
            "(“I wonder if…”) or asking, so they can correct you."
        )
    why = next((found for m in reading.moves if (found := _why_question(reading, m))), None)
    if why:
        return (
            "A “why” question can sound like blame, however kindly meant; try asking it "
            f"with what or how (“{_asked_with_what(why)}”)."
        )
    if not names_feeling and not reflects:
        if said:
            return (
                f"You said “{said}”; try saying it back as their feeling, so they hear it "
                "named (empathy)."
            )
        return (
            "Try naming the feeling you sense beneath their words (empathy); here, "
            f"perhaps {feeling}."
        )
    if reading.moves_doing("question-closed") and not asks_open and not reflects:
        return "Try an open question (what, how) so they can take it where they need to."
    if reflects and not reading.moves_doing("reflection-complex"):
        return (
            "Try a reflection that goes one step beyond their words, towards what they may "
            f"need: {vignette.needs[0]}."
        )
    if reflects and not asks_open and reading.levels["ex"][0] == 0:
        return _after_reflection(vignette, reading, names_theirs)
    if len(_others_feelings(reading.reply)) > 2 or len(reading.reply.split()) > LONG_REPLY_WORDS:
        return "Try slowing down: one feeling, said simply, can be enough."
    # The reply already reflects with meaning and invites more: what is left is how it is
    # said, from the caregiver's own ease.
    return (
        "Try saying it aloud, slowly, with your feet on the floor: the same words land "
        "differently from a settled body."
    )


def feedback(vignette: Vignette, response: str) -> Feedback:
    response = clean_body(response, field="response", what="response")
    reading = read_reply(response, vignette.statement)
    missing = _missing_them(vignette, response)
    mi, empathy = reading.as_models()
    signs = reading.sign_findings()
    scores = {
        "emotional_reactions": empathy.emotional_reactions.level / 2,
        "interpretations": empathy.interpretations.level / 2,
        "explorations": empathy.explorations.level / 2,
        "reflection": 1.0 if mi.code == "reflection" else 0.0,
        "no_power_signs": 0.0 if signs else 1.0,
    }
    return Feedback(
        vignette.id,
        response,
        mi,
        empathy,
        signs,
        _did_well(reading, missing),
        _try_next(vignette, reading, missing),
        scores,
        moves=tuple(dict(m.to_dict(response), name=MOVE_NAMES[m.code]) for m in reading.moves),
        unsure=tuple(response[m.span[0] : m.span[1]] for m in reading.moves if m.unsure),
    )
