"""Trained models: emotions (GoEmotions), MI behaviour and client talk (AnnoMI), and
empathy communication (EPITOME). Each call is pure: text in, a frozen result out.

The model files ship inside the package (``analysis/models/*.npz``) and are loaded on
first use, never at import. Their data, scores and limits are in docs/model-cards/.

For MI behaviour, client talk and empathy, the linear model's probabilities are blended
with those of a fine-tuned sentence encoder (``analysis/encoder.py``) by a weight chosen
on dev for each head; the linear model still supplies the evidence (which words earned
an empathy level), so every finding stays explainable.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from attunement.errors import StorageError

EMPATHY_DIMENSIONS = ("emotional_reactions", "interpretations", "explorations")
SUBTYPE_HEADS = {
    "reflection": "reflection_subtype",
    "question": "question_subtype",
    "input": "input_subtype",
}
Span = tuple[int, int]
FUNCTION_WORDS = frozenset(
    "a an the and or but so if to of in on at for with by from as is are was were be been "
    "it its this that there what how why when who you your i me my we our they them he she "
    "his her do does did have has had not no just like about".split()
)


@cache
def _model(name: str) -> Any:
    from attunement.analysis import linear

    resource = resources.files("attunement.analysis") / "models" / name
    try:
        blob = resource.read_bytes()
    except FileNotFoundError as exc:
        raise StorageError(
            f"The analysis model {name} is missing from this installation; reinstall "
            "Attunement, or rebuild it with `python -m training.build`."
        ) from exc
    return linear.load(blob)


@dataclass(frozen=True)
class Emotions:
    labels: tuple[str, ...]  # the labels the model assigns (above their thresholds)
    scores: dict[str, float]
    ekman: tuple[str, ...]
    ekman_scores: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "labels": list(self.labels),
            "scores": self.scores,
            "ekman": {"labels": list(self.ekman), "scores": self.ekman_scores},
        }


@dataclass(frozen=True)
class MIBehaviour:
    code: str  # reflection | question | input | other
    subtype: str | None  # simple/complex, open/closed, advice/information/...
    confidence: float
    scores: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "subtype": self.subtype,
            "confidence": self.confidence,
            "scores": self.scores,
        }


@dataclass(frozen=True)
class ClientTalk:
    code: str  # change | sustain | neutral
    confidence: float
    scores: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "confidence": self.confidence, "scores": self.scores}


@dataclass(frozen=True)
class EmpathyLevel:
    level: int  # 0 none, 1 weak, 2 strong
    confidence: float
    spans: tuple[Span, ...]  # the words of the response that earned the level

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "confidence": self.confidence,
            "spans": [list(s) for s in self.spans],
        }


@dataclass(frozen=True)
class Empathy:
    emotional_reactions: EmpathyLevel
    interpretations: EmpathyLevel
    explorations: EmpathyLevel

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name).to_dict() for name in EMPATHY_DIMENSIONS}


def _rounded(labels: tuple[str, ...], values: Any) -> dict[str, float]:
    return {label: round(float(v), 4) for label, v in zip(labels, values, strict=True)}


def ekman_from_go28(
    go28: Any, names: list[str], groups: list[str], mapping: dict[str, list[str]]
) -> Any:
    """Ekman group probabilities from the 28 labels': each group takes its most likely
    member (GoEmotions' own mapping); neutral stays neutral."""
    import numpy as np

    index = {name: i for i, name in enumerate(names)}
    out = []
    for group in groups:
        members = ["neutral"] if group == "neutral" else mapping.get(group, [])
        out.append(max((float(go28[index[m]]) for m in members if m in index), default=0.0))
    return np.array(out)


def emotion_probabilities(text: str) -> dict[str, tuple[Any, Any]]:
    """For "go28" and "ekman": (probabilities, thresholds) in the heads' label order,
    the linear model's blended with the encoder's where dev chose a weight."""
    import numpy as np

    model = _model("emotions.npz")
    idx, values = model.features(text)
    out = {}
    for name in ("go28", "ekman"):
        head = model.heads[name]
        out[name] = (head.scores(idx, values), head.thresholds)
    weights = {name: _blend_weight(name) for name in out}
    if any(weights.values()):
        from attunement.analysis.encoder import blend_thresholds, encoder

        enc = encoder()
        encoded = _encoded(text, "")["go28"]
        names = enc.labels["go28"]
        go28 = encoded[[names.index(lab) for lab in model.heads["go28"].labels]]
        ekman = ekman_from_go28(encoded, names, model.heads["ekman"].labels, enc.ekman_mapping)
        thresholds = blend_thresholds()
        for name, theirs in (("go28", go28), ("ekman", ekman)):
            w = weights[name]
            if w:
                probs, _ = out[name]
                out[name] = ((1 - w) * probs + w * theirs, np.array(thresholds[name]))
    return out


def emotions(text: str) -> Emotions:
    model = _model("emotions.npz")
    blended = emotion_probabilities(text)
    out = []
    for name in ("go28", "ekman"):
        head = model.heads[name]
        probs, thresholds = blended[name]
        chosen = tuple(
            lab for lab, p, t in zip(head.labels, probs, thresholds, strict=True) if p >= t
        )
        scores = _rounded(head.labels, probs)
        out.append((tuple(sorted(chosen, key=lambda lab: -scores[lab])), scores))
    return Emotions(labels=out[0][0], scores=out[0][1], ekman=out[1][0], ekman_scores=out[1][1])


@cache
def _blend_weight(head: str) -> float:
    from attunement.analysis.encoder import blend_weights

    return blend_weights().get(head, 0.0)


_ahead: dict[tuple[str, str], Any] = {}  # (text, context) -> Future of an encoder pass
_ahead_lock = threading.Lock()


@contextmanager
def encoding_ahead(pairs: Iterable[tuple[str, str]]) -> Iterator[None]:
    """Within the block, the encoder's passes for these (text, context) pairs run on its
    worker threads while the caller does the rest of the work, and the model calls below
    pick up their results: the same results as without it, sooner. Use it when the texts
    to come are known, as a transcript's turns are."""
    from attunement.analysis.encoder import blend_weights, encoder, workers

    if workers() < 2 or not any(blend_weights().values()):  # nothing to run side by side
        yield
        return
    wanted = list(dict.fromkeys(pairs))
    with _ahead_lock:
        wanted = [p for p in wanted if p not in _ahead]
        started = dict(zip(wanted, encoder().ahead(wanted), strict=True))
        _ahead.update(started)
    try:
        yield
    finally:
        with _ahead_lock:
            for key, future in started.items():
                future.cancel()
                _ahead.pop(key, None)


def _encoded(text: str, context: str) -> dict[str, Any]:
    future = _ahead.get((text, context))
    if future is not None and not future.cancelled():
        return future.result()
    return _encoded_now(text, context)


@lru_cache(maxsize=64)
def _encoded_now(text: str, context: str) -> dict[str, Any]:
    from attunement.analysis.encoder import encoder

    return encoder().probabilities(text, context)


def probabilities(model: Any, head: str, features: Any, text: str, context: str = "") -> Any:
    """A head's class probabilities, in its labels' order: the linear model's, blended
    with the encoder's where a weight was chosen on dev for that head."""
    h = model.heads[head]
    probs = h.scores(*features)
    weight = _blend_weight(head)
    if weight:
        from attunement.analysis.encoder import encoder

        order = encoder().labels[head]
        encoded = _encoded(text, context)[head]
        probs = (1 - weight) * probs + weight * encoded[[order.index(lab) for lab in h.labels]]
    return probs


def _pick(
    model: Any, head: str, features: Any, text: str, context: str = ""
) -> tuple[str, float, dict[str, float]]:
    h = model.heads[head]
    probs = probabilities(model, head, features, text, context)
    best = int(probs.argmax())
    return h.labels[best], round(float(probs[best]), 4), _rounded(h.labels, probs)


def mi_behaviour(text: str, context: str = "") -> MIBehaviour:
    """What a caregiver's utterance does: reflect, ask, give input, or other.
    ``context`` is what the client said just before."""
    model = _model("mi.npz")
    features = model.features(text, context)
    code, confidence, scores = _pick(model, "therapist", features, text, context)
    subtype = (
        _pick(model, SUBTYPE_HEADS[code], features, text, context)[0]
        if code in SUBTYPE_HEADS
        else None
    )
    return MIBehaviour(code=code, subtype=subtype, confidence=confidence, scores=scores)


# Advice said as a statement, not asked: "You should try sleep hygiene.", "I'd recommend a
# diary.", "I want you to ring them.", "You could try the walk-in centre." MITI codes these
# as persuading, an input, where the MI head (trained on AnnoMI, whose therapists seldom
# advise so bluntly) may read them as reflections. On AnnoMI's training split, therapist
# turns with these words are the experts' input 16 times in 17 (dev: 1 in 1; macro-F1 there
# unchanged, 0.731); a turn that asks (ends in "?") is left to the head, as the experts
# code a suggestion asked as a question.
_ADVISING = re.compile(
    r"\byou (?:really )?should (?!(?:be|feel|have been)\b)\w+"
    r"|\byou (?:could|can|might) (?:try|ask|ring|call|phone|speak to|talk to|look into)\b"
    r"|\bI(?:'d| would) (?:recommend|suggest|advise)\b"
    r"|\bI (?:recommend|suggest|advise)\b"
    r"|\b(?:I wish you would|I'?d like you to|I want you to)\b"
    r"|\bmy (?:advice|suggestion|recommendation) (?:is|would be)\b",
    re.IGNORECASE,
)


def advises(text: str) -> bool:
    """Whether a caregiver's words give advice as a statement (``_ADVISING``)."""
    return not text.rstrip().endswith("?") and _ADVISING.search(text) is not None


def caregiver_behaviour(text: str, context: str = "") -> MIBehaviour:
    """What a caregiver's utterance does, as the app shows it: the MI head's reading
    (``mi_behaviour``, which ``attune eval`` measures), with advice said as a statement
    coded as input whatever the head leans to (``advises``)."""
    mi = mi_behaviour(text, context)
    if mi.code != "input" and advises(text):
        return replace(mi, code="input", subtype="advice")
    return mi


def client_talk(text: str, context: str = "") -> ClientTalk:
    """Whether a client's words lean towards change, sustain the status quo, or neither."""
    model = _model("mi.npz")
    code, confidence, scores = _pick(model, "client", model.features(text, context), text, context)
    return ClientTalk(code=code, confidence=confidence, scores=scores)


def _evidence(model: Any, head: str, label_index: int, text: str) -> tuple[Span, ...]:
    weighted = [(s, e, w) for s, e, w in model.word_contributions(head, label_index, text) if w > 0]
    if not weighted:
        return ()
    cut = 0.25 * max(w for _, _, w in weighted)
    kept = sorted((s, e) for s, e, w in weighted if w >= cut)
    spans: list[list[int]] = []
    for start, end in kept:
        if spans and start - spans[-1][1] <= 2:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    # A lone function word ("what", "like") explains nothing; phrases such as "how have
    # you been" do, so only single-word spans are filtered.
    return tuple(
        (s, e)
        for s, e in spans
        if len(text[s:e].split()) > 1 or text[s:e].lower() not in FUNCTION_WORDS
    )


def empathy(response: str, seeker_post: str) -> Empathy:
    """How a response to someone's words communicates empathy (Sharma et al., 2020):
    emotional reactions, interpretations and explorations, each 0 (none), 1 (weak) or
    2 (strong), with the words of the response that earned each level."""
    model = _model("empathy.npz")
    idx, values = model.features(response, seeker_post)
    levels = []
    for name in EMPATHY_DIMENSIONS:
        head = model.heads[name]
        probs = probabilities(model, name, (idx, values), response, seeker_post)
        best = int(probs.argmax())
        spans = _evidence(model, name, best, response) if best > 0 else ()
        levels.append(
            EmpathyLevel(
                level=int(head.labels[best]), confidence=round(float(probs[best]), 4), spans=spans
            )
        )
    return Empathy(*levels)


def reply_empathy(response: str, words: str, mi: MIBehaviour | None = None) -> Empathy:
    """Empathy in a caregiver's reply to someone's words, as Attunement reads it.

    EPITOME's models learnt from Reddit replies to posts, where understanding is mostly
    shown by saying so ("I understand", "I've been there"). In a caregiver's spoken reply
    it is mostly shown by reflecting: saying back what one has understood of the other's
    experience, which the Reddit-trained reading all but never counts (none of 34 such
    replies on the practice set's dev half). So a reply that the MI model (trained on
    counselling talk) reads as a reflection, and that carries no power-centred sign
    (fixing, sympathy, assumption), counts as a strong interpretation; and an invitation
    to say more ("tell me about…", the framework's curiosity marker) counts as at least a
    weak exploration. Emotional reactions are EPITOME's reading unchanged. Measured by
    benchmarks/practice_feedback.py. On Reddit replies this would not hold, so
    ``empathy`` stays EPITOME's own reading, and `attune eval` scores that."""
    from attunement.analysis.markers import POWER_SIGNS, find_markers

    reading = empathy(response, words)
    mi = mi or mi_behaviour(response, words)
    findings = [f for f in find_markers(response) if f.counts]
    invitations = [s for f in findings if f.id == "curiosity" for s in f.spans]
    if invitations and reading.explorations.level == 0:
        # "Tell me about those mornings": an open question in another form, which the
        # Reddit replies the models learnt from hardly use. Counted as a weak exploration.
        reading = replace(
            reading,
            explorations=EmpathyLevel(level=1, confidence=1.0, spans=tuple(sorted(invitations))),
        )
    power_centred = any(f.id in POWER_SIGNS for f in findings)
    if mi.code != "reflection" or reading.interpretations.level == 2 or power_centred:
        return reading
    return replace(
        reading,
        interpretations=EmpathyLevel(level=2, confidence=mi.confidence, spans=_said_back(response)),
    )


_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
_SECOND_PERSON = re.compile(r"\b(?:you|your|you're|yours|yourself)\b", re.IGNORECASE)


def _said_back(response: str) -> tuple[Span, ...]:
    """The evidence for a reflection: its sentences that speak of the other person (or
    the whole reply if none does)."""
    sentences = [m for m in _SENTENCE.finditer(response) if m.group().strip()]
    chosen = [m for m in sentences if _SECOND_PERSON.search(m.group())] or sentences
    spans = []
    for m in chosen:
        text = m.group()
        start = m.start() + len(text) - len(text.lstrip())
        spans.append((start, m.start() + len(text.rstrip())))
    return tuple(spans)
