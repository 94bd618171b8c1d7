"""Coding a session turn by turn, and the summary figures a supervisor would look at,
beside MITI 4.2.1's fair and good thresholds where MITI has them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from attunement.transcripts.parse import Turn

# MITI 4.2.1 summary thresholds (fair, good).
MITI = {"rq_ratio": (1.0, 2.0), "pct_complex_reflections": (0.40, 0.50)}


@dataclass(frozen=True)
class CodedTurn:
    turn: Turn
    role: str  # "caregiver" | "client"
    code: str  # reflection/question/input/other, or change/sustain/neutral
    subtype: str | None
    confidence: float
    empathy: dict[str, int] = field(default_factory=dict)  # caregiver turns after a client
    feelings: tuple[str, ...] = ()  # client turns: the feelings named

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "index": self.turn.index,
            "speaker": self.turn.speaker,
            "role": self.role,
            "text": self.turn.text,
            "code": self.code,
            "subtype": self.subtype,
            "confidence": self.confidence,
            "start": self.turn.start,
            "end": self.turn.end,
        }
        if self.empathy:
            data["empathy"] = self.empathy
        if self.role == "client":
            data["feelings"] = list(self.feelings)
        return data


def code_turns(
    turns: list[Turn], caregiver: str, progress: Callable[[int], None] | None = None
) -> list[CodedTurn]:
    """Every turn coded, each read after the words it answers: a caregiver's turn after
    the client's last, a client's after the caregiver's last. The encoder reads all of
    them ahead, side by side, while the turns are coded in order."""
    from attunement.analysis import models

    pairs = list(_answering(turns, caregiver))
    coded: list[CodedTurn] = []
    with models.encoding_ahead(pairs):
        for turn, (_, answered) in zip(turns, pairs, strict=True):
            coded.append(_code(turn, answered, turn.speaker == caregiver))
            if progress:
                progress(1)
    return coded


@cache
def coding_version() -> str:
    """What a stored session's codes depend on (transcripts/service.py): the analysis
    (``reading_version``) and this package's code. Worked out here rather than in
    analysis/version.py, whose every change has every journal's entries read again."""
    from attunement.analysis.version import reading_version

    digest = hashlib.blake2b(reading_version().encode() + b"\0", digest_size=8)
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return "c-" + digest.hexdigest()


def kept_form(coded: list[CodedTurn]) -> list[list[Any]]:
    """The codes without the turns they code (stored apart), as JSON: a list per turn."""
    return [[c.role, c.code, c.subtype, c.confidence, c.empathy, list(c.feelings)] for c in coded]


def from_kept(turns: list[Turn], kept: list[Any]) -> list[CodedTurn]:
    """The coded turns again, from the turns and their codes in ``kept_form``."""
    return [
        CodedTurn(turn, role, code, subtype, confidence, dict(empathy), tuple(feelings))
        for turn, (role, code, subtype, confidence, empathy, feelings) in zip(
            turns, kept, strict=True
        )
    ]


def _answering(turns: list[Turn], caregiver: str) -> Iterator[tuple[str, str]]:
    """Each turn's text with the other speaker's last words before it ("" at the start)."""
    previous = {True: "", False: ""}
    for turn in turns:
        mine = turn.speaker == caregiver
        yield turn.text, previous[not mine]
        previous[mine] = turn.text


def _code(turn: Turn, answered: str, by_caregiver: bool) -> CodedTurn:
    from attunement.analysis import models

    if by_caregiver:
        mi = models.caregiver_behaviour(turn.text, answered)
        levels: dict[str, int] = {}
        if answered:
            result = models.reply_empathy(turn.text, answered, mi)
            levels = {name: getattr(result, name).level for name in models.EMPATHY_DIMENSIONS}
        return CodedTurn(turn, "caregiver", mi.code, mi.subtype, mi.confidence, empathy=levels)
    talk = models.client_talk(turn.text, answered)
    feelings = tuple(label for label in models.emotions(turn.text).labels if label != "neutral")
    return CodedTurn(turn, "client", talk.code, None, talk.confidence, feelings=feelings)


@dataclass(frozen=True)
class Summary:
    turns: int
    caregiver_turns: int
    reflections: int
    complex_reflections: int
    questions: int
    open_questions: int
    inputs: int
    rq_ratio: float | None
    pct_complex_reflections: float | None
    pct_open_questions: float | None
    caregiver_word_share: float | None
    caregiver_time_share: float | None
    feelings_named: int
    feelings_acknowledged: float | None
    longest_monologue_words: int
    change_talk: int
    sustain_talk: int

    def to_dict(self) -> dict[str, Any]:
        data = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}
        data["miti"] = {
            name: {
                "value": data[name],
                "fair": fair,
                "good": good,
                "rating": rating(data[name], fair, good),
            }
            for name, (fair, good) in MITI.items()
        }
        return data


def rating(value: float | None, fair: float, good: float) -> str:
    if value is None:
        return "not enough data"
    return "good" if value >= good else "fair" if value >= fair else "below fair"


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def summarise(coded: list[CodedTurn]) -> Summary:
    caregiver = [c for c in coded if c.role == "caregiver"]
    reflections = [c for c in caregiver if c.code == "reflection"]
    questions = [c for c in caregiver if c.code == "question"]
    complex_ = sum(1 for c in reflections if c.subtype == "complex")
    open_ = sum(1 for c in questions if c.subtype == "open")
    words_all = sum(c.turn.words for c in coded)
    words_caregiver = sum(c.turn.words for c in caregiver)
    durations = [
        (c.role, c.turn.end - c.turn.start)
        for c in coded
        if c.turn.start is not None and c.turn.end is not None
    ]
    time_share = None
    # Only when every turn is timed; where a file gives only when turns start, each ends
    # when the next begins and the last one's length is unknown, so it is left out.
    last = coded[-1].turn if coded else None
    open_end = last is not None and last.start is not None and last.end is None
    if durations and len(durations) == len(coded) - open_end:
        time_share = _share(
            sum(d for role, d in durations if role == "caregiver"), sum(d for _, d in durations)
        )
    named = 0
    acknowledged = 0
    for i, item in enumerate(coded):
        if item.role == "client" and item.feelings:
            named += 1
            reply = next((c for c in coded[i + 1 :] if c.role == "caregiver"), None)
            if reply is not None and (
                reply.code == "reflection" or reply.empathy.get("emotional_reactions", 0) >= 1
            ):
                acknowledged += 1
    longest = run = 0
    for item in coded:
        run = run + item.turn.words if item.role == "caregiver" else 0
        longest = max(longest, run)
    return Summary(
        turns=len(coded),
        caregiver_turns=len(caregiver),
        reflections=len(reflections),
        complex_reflections=complex_,
        questions=len(questions),
        open_questions=open_,
        inputs=sum(1 for c in caregiver if c.code == "input"),
        rq_ratio=_share(len(reflections), len(questions)),
        pct_complex_reflections=_share(complex_, len(reflections)),
        pct_open_questions=_share(open_, len(questions)),
        caregiver_word_share=_share(words_caregiver, words_all),
        caregiver_time_share=time_share,
        feelings_named=named,
        feelings_acknowledged=_share(acknowledged, named),
        longest_monologue_words=longest,
        change_talk=sum(1 for c in coded if c.role == "client" and c.code == "change"),
        sustain_talk=sum(1 for c in coded if c.role == "client" and c.code == "sustain"),
    )
