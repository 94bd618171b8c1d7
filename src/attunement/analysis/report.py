"""What `attune analyze`, the web app and the API show: markers and model findings for a
piece of writing, or feedback on a response to someone's words. Pure functions."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from attunement.analysis import feelings as feelings_
from attunement.analysis import models
from attunement.analysis.markers import MarkerFinding, find_markers, marker_info
from attunement.analysis.workers import on_analysis_threads
from attunement.errors import BATCH_LINE, InvalidInput

MAX_ANALYSIS_CHARS = 200_000
FAMILY_TITLES = {
    "ease": "Signs of ease",
    "power-centred": "Signs of a power-centred encounter",
    "subskill": "Sub-skills of attunement",
    "self": "Your body and how you treat yourself",
}


def _check(text: str, field: str = "text") -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("There is no text to analyse; give some words.", field=field)
    if len(text) > MAX_ANALYSIS_CHARS:
        raise InvalidInput(
            f"The text is longer than {MAX_ANALYSIS_CHARS:,} characters; analyse it in parts.",
            field=field,
        )
    return text


def summary_of(findings: list[MarkerFinding]) -> str:
    """One or two plain sentences: what showed up, never a verdict."""
    counted: dict[str, list[str]] = {}
    for finding in findings:
        if finding.counts:
            counted.setdefault(finding.family, []).append(finding.name.lower())
    if not counted:
        return "No framework markers showed up in this text."
    parts = []
    for family in ("ease", "subskill", "power-centred", "self"):
        names = sorted(set(counted.get(family, [])))
        if names:
            parts.append(f"{FAMILY_TITLES[family].lower()}: {', '.join(names)}")
    return "Showed up: " + "; ".join(parts) + "."


@dataclass(frozen=True)
class TextAnalysis:
    text: str
    markers: list[MarkerFinding]
    feelings: feelings_.FeelingsReading
    summary: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "markers": [
                dict(m.to_dict(self.text), explanation=marker_info(m.id).explanation)
                for m in self.markers
            ],
            "feelings": self.feelings.to_dict(),
            "summary": self.summary,
        }


@dataclass(frozen=True)
class ResponseAnalysis:
    response: str
    statement: str
    mi: models.MIBehaviour
    empathy: models.Empathy
    markers: list[MarkerFinding]
    moves: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "mi": self.mi.to_dict(),
            "moves": list(self.moves),
            "empathy": self.empathy.to_dict(),
            "markers": [
                dict(m.to_dict(self.response), explanation=marker_info(m.id).explanation)
                for m in self.markers
            ],
        }


def analyze_text(text: str) -> TextAnalysis:
    """Markers, feelings and a summary of a text, read on an analysis thread."""
    return on_analysis_threads(_analyze_text, _check(text))


def _analyze_text(text: str) -> TextAnalysis:
    markers = find_markers(text)
    return TextAnalysis(
        text=text, markers=markers, feelings=feelings_.reading(text), summary=summary_of(markers)
    )


def analyze_entry(text: str) -> TextAnalysis:
    """The reading of a saved entry. One too long to read (over ``MAX_ANALYSIS_CHARS``; an
    entry may hold more) has no markers and no feelings and a summary that says why, so
    that its page, Insights and a packet still show everything else instead of failing."""
    if len(text) <= MAX_ANALYSIS_CHARS:
        return analyze_text(text)
    return TextAnalysis(
        text=text,
        markers=[],
        feelings=feelings_.FeelingsReading((), (), {}),
        summary=(
            f"This entry is too long to read for feedback (over {MAX_ANALYSIS_CHARS:,} "
            "characters); split it into several entries to have each one read."
        ),
    )


def read_response(
    response: str, statement: str
) -> tuple[Any, models.MIBehaviour, models.Empathy, list[MarkerFinding]]:
    """A reply to someone's words read move by move (``analysis/replies.py``): the reading,
    its MI code and empathy levels, and its power-centred signs as findings; read on an
    analysis thread."""
    from attunement.analysis.replies import read_reply

    reading = on_analysis_threads(read_reply, response, statement)
    mi, empathy = reading.as_models()
    return reading, mi, empathy, list(reading.sign_findings())


def analyze_response(response: str, statement: str) -> ResponseAnalysis:
    response = _check(response, "response")
    statement = _check(statement, "to")
    reading, mi, empathy, signs = read_response(response, statement)
    return ResponseAnalysis(
        response=response,
        statement=statement,
        mi=mi,
        empathy=empathy,
        markers=signs,
        moves=tuple(m.to_dict(response) for m in reading.moves),
    )


def encoding_ahead_for(items: list[Any]) -> AbstractContextManager[None]:
    """Start the encoder's passes for batch items (see ``models.encoding_ahead``): one
    (text, context) pair per item that ``analyze_item`` will read."""
    pairs = [
        (item["text"], item.get("context") or "")
        for item in items
        if isinstance(item, dict)
        and isinstance(item.get("text"), str)
        and isinstance(item.get("context") or "", str)
    ]
    return models.encoding_ahead(pairs)


def analyze_item(item: Any) -> dict[str, Any]:
    """One line of `attune analyze --batch`: {"id", "text", "speaker"?, "context"?}."""
    if not isinstance(item, dict):
        raise InvalidInput(BATCH_LINE)
    text = item.get("text")
    speaker = item.get("speaker", "caregiver")
    context = item.get("context") or ""
    if speaker not in ("caregiver", "client"):
        raise InvalidInput('"speaker" must be "caregiver" or "client".', field="speaker")
    if not isinstance(context, str):
        raise InvalidInput('"context" must be text.', field="context")
    text = _check(text if isinstance(text, str) else "", "text")
    out: dict[str, Any] = {
        "id": item.get("id"),
        "markers": [m.to_dict() for m in find_markers(text)],
        "feelings": feelings_.reading(text).to_dict(),
    }
    if speaker == "client":
        talk = models.client_talk(text, context)
        out["client_talk"] = {"code": talk.code, "confidence": talk.confidence}
    else:
        if context:
            _, mi, empathy, _ = read_response(text, context)
        else:
            mi = models.caregiver_behaviour(text, context)
        out["mi"] = {"code": mi.code, "subtype": mi.subtype, "confidence": mi.confidence}
        if context:
            out["empathy"] = {
                name: {"level": level.level, "spans": [list(s) for s in level.spans]}
                for name, level in ((n, getattr(empathy, n)) for n in models.EMPATHY_DIMENSIONS)
            }
    return out
