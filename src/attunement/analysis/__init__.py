"""Explainable analysis of a caregiver's own writing: pure functions, text in, findings
out, each finding carrying character spans into the given text as evidence.

    find_markers(text)                -> [MarkerFinding]   framework markers (rules)
    emotions(text)                    -> Emotions          GoEmotions 28 + Ekman groups
    mi_behaviour(text, context="")    -> MIBehaviour       reflection/question/input/other
    client_talk(text, context="")     -> ClientTalk        change/sustain/neutral
    empathy(response, seeker_post)    -> Empathy           EPITOME levels with spans
    analyze_text(text), analyze_response(response, statement)   all of the above

Importing this package loads nothing heavy; the first call reads the shipped data and
model files it needs. ``READING_VERSION`` names the analysis (a digest of its code,
models and marker definitions, computed when first asked for); stored readings of
entries are keyed by it (``attunement.core.readings``).
"""

from __future__ import annotations

from attunement.analysis.markers import MarkerFinding, find_markers, marker_info
from attunement.analysis.models import (
    ClientTalk,
    Emotions,
    Empathy,
    EmpathyLevel,
    MIBehaviour,
    client_talk,
    emotions,
    empathy,
    mi_behaviour,
)
from attunement.analysis.report import (
    ResponseAnalysis,
    TextAnalysis,
    analyze_response,
    analyze_text,
)


def __getattr__(name: str) -> str:
    if name == "READING_VERSION":
        from attunement.analysis.version import reading_version

        return reading_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "READING_VERSION",
    "ClientTalk",
    "Emotions",
    "Empathy",
    "EmpathyLevel",
    "MIBehaviour",
    "MarkerFinding",
    "ResponseAnalysis",
    "TextAnalysis",
    "analyze_response",
    "analyze_text",
    "client_talk",
    "emotions",
    "empathy",
    "find_markers",
    "marker_info",
    "mi_behaviour",
]
