"""Feedback on one practice response: what it does, how it communicates empathy (with the
words that earned each level), any power-centred signs with their evidence, one thing it
did well and one direction to try, drawn from the framework. Never a lecture: two
sentences and the evidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from attunement.analysis import models
from attunement.analysis.markers import POWER_SIGNS, MarkerFinding, find_markers, marker_info
from attunement.core.validation import clean_body
from attunement.practice.vignettes import Vignette

READINGS_NOTE = (
    "These readings come from models trained on other people's conversations: "
    "a prompt to reflect, not a grade."
)
DIMENSIONS = (
    "emotional_reactions",
    "interpretations",
    "explorations",
    "reflection",
    "no_power_signs",
)


@dataclass(frozen=True)
class Feedback:
    vignette_id: str
    response: str
    mi: models.MIBehaviour
    empathy: models.Empathy
    power_signs: tuple[MarkerFinding, ...]
    did_well: str
    try_next: str
    scores: dict[str, float]  # each dimension 0..1, for progress over time

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
            "scores": self.scores,
            "overall": self.overall,
        }


def _quote(response: str, spans: tuple[tuple[int, int], ...]) -> str:
    return "“" + "… ".join(response[s:e] for s, e in spans[:2]) + "”" if spans else ""


def _did_well(
    response: str, mi: models.MIBehaviour, empathy: models.Empathy, signs: tuple[MarkerFinding, ...]
) -> str:
    er, ip, ex = empathy.emotional_reactions, empathy.interpretations, empathy.explorations
    if er.level >= 1 and er.spans:
        return f"You met their feeling ({_quote(response, er.spans)})."
    if ip.level >= 1 and ip.spans:
        return f"You showed you understood their experience ({_quote(response, ip.spans)})."
    if mi.code == "reflection" and not signs:  # with advice present, the code is unreliable
        return "You reflected their words back rather than moving them on" + (
            " and added meaning to them." if mi.subtype == "complex" else "."
        )
    if ex.level >= 1 and ex.spans:
        return f"You invited them to say more ({_quote(response, ex.spans)})."
    if mi.code == "question" and mi.subtype == "open":
        return "You asked an open question, leaving room for their answer."
    if not signs:
        return "You answered without rushing to fix, reassure or explain."
    return "You stayed with them long enough to answer; that is where attunement starts."


def _try_next(
    vignette: Vignette,
    mi: models.MIBehaviour,
    empathy: models.Empathy,
    signs: tuple[MarkerFinding, ...],
) -> str:
    if signs:
        sign = signs[0]
        return (
            f"{marker_info(sign.id).name}: {marker_info(sign.id).explanation} "
            f"Try naming what they might be feeling first, perhaps {vignette.feelings[0]}."
        )
    if empathy.emotional_reactions.level == 0 and mi.code != "reflection":
        return (
            f"Try naming the feeling you sense beneath their words (empathy); here, "
            f"perhaps {vignette.feelings[0]}."
        )
    if mi.code == "question" and mi.subtype == "closed":
        return "Try an open question (what, how) so they can take it where they need to."
    if mi.code == "reflection" and mi.subtype != "complex":
        return (
            f"Try a reflection that goes one step beyond their words, towards what they "
            f"may need: {vignette.needs[0]}."
        )
    if empathy.explorations.level == 0:
        return "Try staying curious: ask gently about what this is like for them."
    return "Try slowing down: one feeling, said simply, can be enough."


def feedback(vignette: Vignette, response: str) -> Feedback:
    response = clean_body(response, field="response", what="response")
    mi = models.mi_behaviour(response, vignette.statement)
    empathy = models.reply_empathy(response, vignette.statement, mi)
    signs = tuple(f for f in find_markers(response) if f.id in POWER_SIGNS and f.counts)
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
        _did_well(response, mi, empathy, signs),
        _try_next(vignette, mi, empathy, signs),
        scores,
    )
