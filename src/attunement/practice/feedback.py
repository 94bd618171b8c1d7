"""Feedback on one practice response, read move by move (``analysis/replies.py``): what
each part of it does, how it meets the other's feeling (with the move that earned each
level), any advice, reassurance, sympathy or assumption named as such, one thing done
well and one direction to try. Never a lecture: two sentences and the evidence.

Three promises: advice and reassurance, in any form, are named and never praised; "done
well" quotes a move that really does what it praises, or is left out; "to try" never asks
for what the reply already does. A move the reading is unsure of is said to be unsure."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from attunement.analysis import models
from attunement.analysis.feelings import named_feelings, said_in
from attunement.analysis.markers import MarkerFinding
from attunement.analysis.replies import ReplyReading, read_reply
from attunement.core.validation import clean_body
from attunement.practice.vignettes import Vignette

READINGS_NOTE = (
    "These readings come from models trained on caregivers' replies written for "
    "Attunement and on other people's conversations: a prompt to reflect, not a grade."
)
DIMENSIONS = (
    "emotional_reactions",
    "interpretations",
    "explorations",
    "reflection",
    "no_power_signs",
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


PRAISE_SURE = 0.6  # "done well" quotes only a move the reading is at least this sure of


def _praisable(reading: ReplyReading, spans: tuple[tuple[int, int], ...]) -> tuple:
    """The spans of ``spans`` whose move the reading is sure of (``PRAISE_SURE``) and that
    are not advice-like: what "done well" may quote."""
    sure = {m.span for m in reading.moves if m.confidence >= PRAISE_SURE}
    return tuple(s for s in spans if s in sure and s not in reading.advice_like)


def _did_well(reading: ReplyReading) -> str:
    reply = reading.reply
    er, ip, ex = (reading.levels[k] for k in ("er", "ip", "ex"))
    complex_moves = _praisable(
        reading, tuple(m.span for m in reading.moves_doing("reflection-complex"))
    )
    if complex_moves and ip[0]:
        return (
            "You said back what you understood of their experience, with meaning added "
            f"({_quote(reply, complex_moves)})."
        )
    if er[0] and _praisable(reading, er[2]):
        return f"You met their feeling ({_quote(reply, _praisable(reading, er[2]))})."
    if ip[0] and _praisable(reading, ip[2]):
        quoted = _quote(reply, _praisable(reading, ip[2]))
        return f"You reflected their words back rather than moving them on ({quoted})."
    if ex[0] and _praisable(reading, ex[2]):
        return f"You invited them to say more ({_quote(reply, _praisable(reading, ex[2]))})."
    open_questions = _praisable(
        reading, tuple(m.span for m in reading.moves_doing("question-open"))
    )
    if open_questions:
        return (
            "You asked an open question, leaving room for their answer "
            f"({_quote(reply, open_questions)})."
        )
    if (
        not reading.signs
        and not reading.advice_like
        and reading.moves
        and not any(m.unsure for m in reading.moves)
    ):
        return "You answered without rushing to fix, reassure or explain."
    return ""


# A reply longer than this may be doing too much at once.
LONG_REPLY_WORDS = 45


def _try_next(vignette: Vignette, reading: ReplyReading) -> str:
    feeling = vignette.feelings[0]
    said = said_in(reading.reply, feeling)  # never suggest a feeling the reply names
    whose = _said_as(reading.reply, said) if said else ""
    if whose == "speaker":
        said = None  # "I'm so sorry" is the responder's own; theirs is still to be named
    reflects = bool(reading.moves_doing("reflection-simple", "reflection-complex"))
    names_feeling = _names_a_feeling(reading) or reading.levels["ip"][0] == 2 or whose == "them"
    asks_open = bool(reading.moves_doing("question-open"))
    kinds = {s.kind for s in reading.signs}
    if kinds & {"advice", "reassurance"}:
        what = "advice" if "advice" in kinds else "reassurance"
        if reflects:
            return (
                f"You reflected first; now try leaving the {what} out, and let them find "
                "what would help, perhaps by asking what they need."
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
        return (
            "After your reflection, try leaving a pause, or a gentle invitation to say more; "
            "they may take it further on their own."
        )
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
        _did_well(reading),
        _try_next(vignette, reading),
        scores,
        moves=tuple(dict(m.to_dict(response), name=MOVE_NAMES[m.code]) for m in reading.moves),
        unsure=tuple(response[m.span[0] : m.span[1]] for m in reading.moves if m.unsure),
    )
