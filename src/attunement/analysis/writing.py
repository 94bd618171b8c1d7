"""Framework markers in a caregiver's own writing, read sentence by sentence.

For each sentence, one head per marker, learnt from caregivers' reflective writing
written and labelled for Attunement (``training/caregiver/GUIDELINE.md``), decides whether
the marker *counts*: the writer's own, affirmed sign, not negated, not someone else's
state or body, not someone else's quoted words. Each head reads the sentence's words
and what the lexicon's rules find in it, mixed with a partner head that reads the
sentence's meaning (all-MiniLM-L6-v2's vector of it, ``analysis/features.py``); the share
and the threshold were chosen on the dev writers. The evidence is
the clause that carries the sign: the one holding the rules' match, or else the one whose
words pushed the head furthest, never a lone function word. What the rules find negated,
quoted or about someone else, in sentences where no head counts that marker, is kept as
not counting, so the reader sees why it was left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache, lru_cache

import numpy as np

from attunement.analysis.features import (
    POOLED_SIZE,
    block_of,
    dense_features,
    marker_ids,
    sentence_vector,
)
from attunement.analysis.markers import (
    MarkerFinding,
    counting_patterns,
    find_rule_markers,
    has_phrase,
    joined_by_writer,
    lexicon,
)
from attunement.analysis.segments import Span, clauses, sentences

MODEL = "markers.npz"
_REASONS = ("negated", "quoted", "about_other")
HEAD = "markers"
_LEADING_JOIN = re.compile(r"(?:and|but|so|then|or|yet)\s+", re.IGNORECASE)
_WORD = re.compile(r"[\w']+")
_CONTENT = re.compile(r"[A-Za-z\u00C0-\u024F]{3,}")


@cache
def _function_words() -> frozenset[str]:
    from attunement.analysis.models import FUNCTION_WORDS

    return FUNCTION_WORDS | frozenset("i'm i've it's that's wasn't didn't don't".split())


def has_content_word(words: str) -> bool:
    """Whether a piece of evidence holds a word that means something by itself."""
    return any(w.lower() not in _function_words() for w in _CONTENT.findall(words))


def has_negation(text: str) -> bool:
    from attunement.analysis.linear import negated_words

    return bool(negated_words(text))


def blended(model: object, head: str, text: str, context: str = "") -> np.ndarray:
    """A head's probabilities for ``text``: the head that reads the words and the rules,
    mixed with its partner that reads the sentence's meaning (``meta["mix"][head]``:
    the partner's name and share, chosen on the dev writers). A sentence vector hardly
    tells "I was tired" from "I was not tired", so where a negation is in scope the words
    head, which marks it, decides alone (``meta["words_alone_when_negated"]``)."""
    meta = model.meta  # type: ignore[attr-defined]
    partner = meta.get("mix", {}).get(head)
    if partner and meta.get("words_alone_when_negated") and has_negation(text):
        partner = None
    reading = (head, partner[0]) if partner else (head,)
    unread = frozenset(meta["dense_blocks"]) - _blocks_read(model, reading)
    features = model.features(  # type: ignore[attr-defined]
        text, context, dense=dense_features(meta["dense_blocks"], text, context, unread)
    )
    heads = model.heads  # type: ignore[attr-defined]
    probs = heads[head].scores(*features)
    if partner:
        name, share = partner
        probs = (1 - share) * probs + share * heads[name].scores(*features)
    return probs


@cache
def _blocks_read(model: object, heads: tuple[str, ...]) -> frozenset[str]:
    """The dense blocks that these heads weigh at all (a head that reads the words and
    the rules gives the sentence vector no weight: its partner reads that)."""
    names = model.dense_names  # type: ignore[attr-defined]
    start = model.dense_offset  # type: ignore[attr-defined]
    read: set[str] = set()
    for head in heads:
        weights = model.heads[head].weights[start : start + len(names)]  # type: ignore[attr-defined]
        read.update(block_of(n) for n, row in zip(names, weights, strict=True) if row.any())
    return frozenset(read)


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in words)


@cache
def _body_words() -> tuple[re.Pattern[str], re.Pattern[str]]:
    lex = lexicon()
    parts, owners = _alternatives(lex.body_parts), _alternatives(lex.other_owners)
    other = re.compile(rf"\b(?:{owners})\s+(?:\w+\s+)?(?:{parts})\b", re.IGNORECASE)
    own = re.compile(
        rf"\b(?:my|mine|myself|I|I'm|me)\b(?:\s+\w+){{0,3}}\s+(?:{parts})\b|\bmy\s+(?:\w+\s+)?(?:{parts})\b",
        re.IGNORECASE,
    )
    return other, own


def _act_kind(marker: str) -> str:
    """Which verbs make a clause someone else's for this marker: their words for every
    marker, and also their advice for ``fixing`` and their assumptions for ``assumption``."""
    return marker if marker in ("fixing", "assumption") else "said"


@cache
def _anothers_act(kind: str) -> re.Pattern[str]:
    """Someone else saying or reporting something (for every marker: "my matron said I
    should have rung sooner"), and also telling, advising or reassuring (for ``fixing``:
    "her daughter kept telling her") or assuming (for ``assumption``: "the registrar
    assumed")."""
    lex = lexicon()
    verbs = lex.reported_speech_verbs + {
        "fixing": lex.advice_verbs,
        "assumption": lex.assuming_verbs,
    }.get(kind, ())
    owners = _alternatives(lex.other_owners)
    nouns = _alternatives(sorted(w for w in lex.other_subjects if w != "it"))
    return re.compile(
        rf"\b(?:{owners}|{nouns})\b(?:\s+[\w']+){{0,3}}?\s+(?:{_alternatives(verbs)})\b",
        re.IGNORECASE,
    )


# The writer as a clause's subject or in it; "i", "im" and "ive" as people type them fast
# ("noticed i was holding my breath every time she said a number").
_WRITER_ACTS = re.compile(
    r"\b(?:I|I'd|I'm|I've|I'll|im|ive|me|my|myself|we|we'd|we're|we've|us|our)\b", re.I
)
_WRITER_SPEAKS = re.compile(r"\b(?:I|I'd|I'm|I've|I'll|im|ive|we|we'd|we're|we've)\b", re.I)


def writers_clauses(sentence: str, marker: str) -> tuple[Span, ...] | None:
    """The clauses of the sentence in which the writer acts, once those that are someone
    else's words or acts are set aside: a clause whose speaker, teller or assumer is
    someone else, with the writer not its subject ("Her daughter kept telling her it
    would be fine, and I just listened": the listening is the writer's, the reassurance
    is not; "My supervisor says it's okay to let them cry": the permission is hers).
    None where no clause is someone else's (the guideline's rules for reported advice
    and quoted speech)."""
    return _writers_clauses(sentence, _act_kind(marker))


@lru_cache(maxsize=512)
def _writers_clauses(sentence: str, kind: str) -> tuple[Span, ...] | None:
    pattern = _anothers_act(kind)
    parts = {(a, b): sentence[a:b] for a, b in clauses(sentence, (0, len(sentence)))}
    others = set()
    for span, words in parts.items():
        said = pattern.search(words)
        if said and not _WRITER_SPEAKS.search(words[: said.end()]):
            others.add(span)
    if not others:
        return None
    return tuple(
        span for span, words in parts.items() if span not in others and _WRITER_ACTS.search(words)
    )


def only_anothers_act(sentence: str, marker: str) -> bool:
    """Whether the sentence's sign is only someone else's, with the writer acting in none
    of its other clauses ("his sponsor told him to pray about it")."""
    return writers_clauses(sentence, marker) == ()


def only_anothers_body(sentence: str) -> bool:
    """Whether the sentence's body is only someone else's: "her chest tightened" with no
    "my" body beside it (the guideline's rule for somatic awareness)."""
    other, own = _body_words()
    return bool(other.search(sentence)) and not own.search(sentence)


# A sentence about someone else with the writer nowhere in it (no "I", "we" or "you":
# "Mrs K was tired and did not want to eat"; "Her neighbour told her it could be worse")
# carries none of the writer's own states or acts; only making sense of the other may be
# written so ("Her mother had left her at eleven, so of course she didn't trust anyone"),
# and the writer's own sympathy (``_writers_pity``).
_WRITER_ANYWHERE = re.compile(
    r"\b(?:I|I'd|I'm|I've|I'll|me|my|mine|myself|we|we'd|we're|we've|us|our|ours"
    r"|you|you're|you'd|you've|your|yourself)\b",
    re.IGNORECASE,
)
_TITLED = re.compile(r"^\W*(?:Mr|Mrs|Ms|Miss|Mx|Dr|Sister|Father)\b\.?")
_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those"})
_PITY = re.compile(
    r"\bpoor\s+(?:love|thing|soul|man|woman|lamb|lad|girl|boy|creature|dear|pet)\b", re.I
)
_SAID_OR_FELT = re.compile(
    r"\b(?:told|tells|tell|telling|said|says|saying|felt|feels|feel|feeling)\b", re.I
)
_SENSE_MAKING = "cognitive-understanding"


def _writers_pity(sentence: str) -> bool:
    """Whether a sentence about someone else can still hold the writer's sympathy: a
    pity spoken as an aside ("poor love"), or speaking up for those who hurt them ("They
    mean well") where no one else is said to say or feel it ("Her neighbour told her it
    could be worse", "His mother felt so sorry for him")."""
    return bool(_PITY.search(sentence)) or not _SAID_OR_FELT.search(sentence)


@cache
def _others_words() -> frozenset[str]:
    lex = lexicon()
    owners = {w.lower() for w in lex.other_owners} - {"your", "its"}
    return frozenset({w.lower() for w in lex.other_subjects} - {"it"} | owners)


def only_about_others(sentence: str) -> bool:
    """Whether the sentence is about someone else from its first word, with the writer
    nowhere in it: its subject is another person ("she", "her sister", "the son", "Mrs
    K") and no "I", "my", "mine", "we", "us" or "you" appears anywhere (a "you" is the
    writer's generic self in a journal, and the person spoken to in a reply)."""
    if _WRITER_ANYWHERE.search(sentence):
        return False
    if _TITLED.match(sentence):
        return True
    words = [w.lower() for w in _WORD.findall(sentence)[:2]]
    if words and words[0] in _DETERMINERS:
        words = words[1:]
    return bool(words) and words[0] in _others_words()


def marker_probabilities(sentence: str) -> np.ndarray:
    """Each marker head's probability that the marker counts in this sentence, in the
    lexicon's order of markers, with the rules trusted on the training writers applied:
    a counting match of a marker whose rules were precise there (or of one of its
    patterns that was, where the marker's were not) counts, and a match the
    rules read as negated, quoted or someone else's vetoes the heads where that reason
    was right there (``training/rule_trust.py``); so do the guideline's
    rules for someone else's body, and for someone else's advice and assumptions (where
    the writer acts in another clause, that clause is read alone); and a sentence only
    about someone else counts nothing but making sense of them (``only_about_others``), or
    an assumption the rules find counting in it ("she probably just wants someone to…").
    In a negated sentence the clause before the negation is read whole as well
    (``_lead_before_negation``; dev markers micro-F1 0.855 -> 0.856, whole entries 0.242 ->
    0.247)."""
    from attunement.analysis.models import _model

    model = _model(MODEL)
    probs = blended(model, HEAD, sentence)
    lead = _lead_before_negation(sentence)
    if lead:
        # "my teeth were on edge and I did not know why": the words head alone reads a
        # negated sentence, and the clause before the negation is read whole as well
        probs = np.maximum(probs, _clause_probabilities(model, lead))
    trust = model.meta.get("rules", {})
    found = find_rule_markers(sentence)
    counting = {f.id for f in found if f.counts}
    alone: dict[Span, np.ndarray] = {}  # each of the writer's own clauses, read once

    def read_alone(span: Span) -> np.ndarray:
        if span not in alone:
            alone[span] = marker_probabilities(sentence[span[0] : span[1]])
        return alone[span]

    others_only = only_about_others(sentence)
    mocked = _claimed_in_sarcasm(sentence)
    kept = next((k for pattern, k in _NOT_YET if pattern.match(sentence)), None)
    for index, marker in enumerate(m.id for m in lexicon().markers):
        if marker in mocked:  # "Oh, I was so calm, shouting down the corridor"
            probs[index] = min(probs[index], 0.01)
            continue
        if kept is not None and marker not in kept:  # "Next time I'll ask her first"
            probs[index] = min(probs[index], 0.01)
            continue
        if (
            others_only
            and marker != _SENSE_MAKING
            and not (marker == "assumption" and marker in counting)
        ):  # "she probably just wants…" is the writer deciding for her, unflagged
            if not (marker == "sympathy" and _writers_pity(sentence)):
                probs[index] = min(probs[index], 0.01)
                continue
        if marker == "somatic-awareness" and only_anothers_body(sentence):
            probs[index] = min(probs[index], 0.01)
            continue
        own = writers_clauses(sentence, marker)
        if own is not None:  # read only the writer's own clauses, each alone
            probs[index] = max((float(read_alone(span)[index]) for span in own), default=0.01)
            continue
        rules = trust.get(marker, {})
        if marker in counting:
            trusted = rules.get("count_patterns")
            if rules.get("count") or (
                trusted and set(trusted) & counting_patterns(sentence, marker)
            ):
                probs[index] = max(probs[index], 0.99)
            else:
                probs[index] = max(probs[index], _clause_reading(model, sentence, found, index))
            continue
        reasons = [r for f in found if f.id == marker for r in _REASONS if getattr(f, r)]
        if reasons and rules.get(reasons[0]):  # the first reason, as training read it
            probs[index] = min(probs[index], 0.01)
    _assumption_acted_on(probs)
    return probs


# An assumption acted on ("I was sure she'd want a female doctor, so I changed the list
# without asking her") is the assumption: the labellers add fixing to it in 26 of 114 such
# sentences. Beside a sure assumption, fixing counts only where its own head is surer than
# its threshold alone asks (chosen on dev: fixing F1 0.805 -> 0.823, 22 false readings gone
# and 4 true ones lost; train 0.908 -> 0.915).
_SURE_ASSUMPTION = 0.5
_FIXING_BESIDE_ASSUMPTION = 0.4


def _assumption_acted_on(probs: np.ndarray) -> None:
    ids = marker_ids()
    fixing, assumption = ids.index("fixing"), ids.index("assumption")
    if probs[assumption] >= _SURE_ASSUMPTION and probs[fixing] < _FIXING_BESIDE_ASSUMPTION:
        probs[fixing] = min(probs[fixing], 0.01)


# A sentence that is only a plan or a hope for another time ("Next time I'll ask her
# what she needs", "Tomorrow I want to sit longer") or opens with a wish ("I would like to
# feel more at ease in the chair"): the guideline counts no sign in what is wished or
# intended. What such a sentence may still hold: a regret that condemns
# (self-judgement), and after a wish, the pull to fix ("I wish I could take the phone off
# him") and the body in a later clause ("…; today I was on its edge"). Of the 49 train and
# dev sentences that open with a plan, none is labelled with a marker; of the 173 that
# open with a wish, three are, each with one of those kept.
_NOT_YET = (
    (
        re.compile(
            r"^\W*(?:next (?:time|week|session|visit|shift)|from now on|in (?:the )?future"
            r"|tomorrow)\b,?[^.!?]{0,40}?\b(?:I(?:'ll|'d| will| would| want| wanna| hope"
            r"| intend| am going| 'm going|'m going|'m gonna| going| plan| must| need"
            r"| promise| can)|I'm (?:going|gonna))\b",
            re.IGNORECASE,
        ),
        frozenset({"self-judgement"}),
    ),
    (
        re.compile(
            r"^\W*(?:(?:and|but|so)\s+)?(?:I(?:'d| would) (?:like|love) to"
            r"|I (?:want|wanna|wish|hope|long|need) to|I wish I|I hope I)\b",
            re.IGNORECASE,
        ),
        frozenset({"self-judgement", "fixing", "somatic-awareness"}),
    ),
)


# The marker a state claimed in sarcasm would otherwise count for (any other: ease).
_SARCASM_MARKERS = {
    "present": "presence",
    "attentive": "presence",
    "focused": "presence",
    "curious": "curiosity",
}


def _claimed_in_sarcasm(sentence: str) -> set[str]:
    """The markers of the states ``sentence`` claims in sarcasm: not had, so not counted."""
    from attunement.analysis.feelings import sarcastic_claims

    return {_SARCASM_MARKERS.get(word, "ease") for word in sarcastic_claims(sentence)}


# Where a clause ends before a negation ("…on edge and I did not know why").
_LEAD_END = re.compile(r"[,;:—–]\s*|\s+\b(?:and|but|so|because|though|although|yet)\b", re.I)


def _lead_before_negation(sentence: str) -> str:
    """The clause(s) before the one where a negation first appears, with no negation
    in them, at least three words long; "" where the negation is in the first clause."""
    from attunement.analysis.linear import _negation

    cue = _negation().search(sentence)
    if cue is None:
        return ""
    ends = [m.start() for m in _LEAD_END.finditer(sentence, 0, cue.start())]
    if not ends:
        return ""
    lead = sentence[: ends[-1]].strip()
    return lead if len(lead.split()) >= 3 else ""


def _clause_reading(model: object, sentence: str, found: list[MarkerFinding], index: int) -> float:
    """The heads' probability for one marker read in the clause where the rules found it
    counting, alone: "My chest tightened and I wanted to fix it" is two signs, and read
    as one text the body drowns the pull to fix. 0 where the sentence is one clause."""
    marker = lexicon().markers[index].id
    spans = [span for f in found if f.id == marker and f.counts for span in f.spans]
    parts = clauses(sentence, (0, len(sentence)))
    best = 0.0
    if len(parts) < 2:
        return best
    for start, end in parts:
        if any(start <= s < end for s, _ in spans):
            best = max(best, float(_clause_probabilities(model, sentence[start:end])[index]))
    return best


@lru_cache(maxsize=256)
def _clause_probabilities(model: object, clause: str) -> np.ndarray:
    return blended(model, HEAD, clause)


def thresholds() -> np.ndarray:
    from attunement.analysis.models import _model

    chosen = _model(MODEL).heads[HEAD].thresholds
    assert chosen is not None
    return chosen


def _evidence(text: str, sentence: Span, index: int, ruled: list[Span]) -> Span:
    """The clause of ``sentence`` that carries the marker."""
    from attunement.analysis.models import _model

    parts = clauses(text, sentence) or [sentence]
    chosen: Span | None = None
    for span in ruled:  # the rules' own match, where they found it
        for clause in parts:
            if clause[0] <= span[0] < clause[1]:
                chosen = (min(clause[0], span[0]), max(clause[1], span[1]))
                break
        if chosen:
            break
    if chosen is None:
        start = sentence[0]
        weights = _model(MODEL).word_contributions(HEAD, index, text[start : sentence[1]])
        best, best_score = None, 0.0
        for clause in parts:
            score = sum(w for s, e, w in weights if clause[0] <= start + s < clause[1] and w > 0)
            if score > best_score:
                best, best_score = clause, score
        chosen = best or sentence
    if len(text[chosen[0] : chosen[1]].split()) < 3 or not has_content_word(
        text[chosen[0] : chosen[1]]
    ):
        at = next((i for i, c in enumerate(parts) if c[0] <= chosen[0] < c[1]), None)
        if at is not None and len(parts) > 1:  # too short to say anything: take a neighbour
            other = parts[at + 1] if at + 1 < len(parts) else parts[at - 1]
            chosen = (min(chosen[0], other[0]), max(chosen[1], other[1]))
    if not has_content_word(text[chosen[0] : chosen[1]]):
        chosen = sentence
    if joined_by_writer(text, chosen[1], lexicon()):  # "She was exhausted, and so was I"
        chosen = (chosen[0], sentence[1])
    lead = _LEADING_JOIN.match(text, chosen[0], chosen[1])
    if lead and chosen[1] - lead.end() > 0:  # "and I wanted to fix it" -> "I wanted to fix it"
        chosen = (lead.end(), chosen[1])
    return chosen


def _hedged(words: str) -> bool:
    return has_phrase([w.lower() for w in _WORD.findall(words)], lexicon().hedges)


@dataclass(frozen=True)
class EntryRule:
    """How a whole entry's markers are decided (chosen on caregivers' whole entries,
    ``training/caregiver.py``, ``train_entries``): a text of at least ``min_sentences``
    sentences is read as an entry as well. Either per marker the probability its likeliest
    sentence must reach (``cuts``), or, where it read more entries right, a head per marker
    (``weights``, ``bias``) over ``entry_features``."""

    cuts: np.ndarray
    min_sentences: int
    weights: np.ndarray | None = None
    bias: np.ndarray | None = None

    def reads_meaning(self, sentence_count: int) -> bool:
        """Whether reading this many sentences as an entry needs the entry's meaning."""
        return self.weights is not None and sentence_count >= self.min_sentences

    def present(self, probs: np.ndarray, cut: np.ndarray, vector: np.ndarray | None) -> np.ndarray:
        """Whether each marker counts in the entry whose sentences read ``probs`` (``cut``:
        the sentence thresholds)."""
        if self.weights is None or self.bias is None or vector is None:
            return probs.max(axis=0) >= self.cuts
        features = entry_features(probs, cut, vector)
        return (features * self.weights).sum(axis=1) + self.bias >= 0.0


def entry_features(probs: np.ndarray, cut: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """What the entry head reads, a row per marker: the probabilities of the marker's three
    likeliest sentences, the share of sentences at or above its threshold and their mean
    probability, then the entry's meaning (the mean of its sentences' vectors), the same
    for every marker."""
    ranked = -np.sort(-probs, axis=0)
    top = np.zeros((3, probs.shape[1]))
    top[: min(3, len(probs))] = ranked[:3]
    own = np.vstack([top, (probs >= cut).mean(axis=0), probs.mean(axis=0)]).T
    return np.hstack([own, np.tile(vector, (probs.shape[1], 1))])


def entry_meaning(sentences: list[str]) -> np.ndarray:
    """What an entry is about: the mean MiniLM vector of its sentences that hold no
    negation, the ones whose vectors the marker heads have already read (``blended``: a
    negated sentence is read by the words alone), so that reading the entry as a whole
    costs no encoder pass; zeros where every sentence holds one."""
    read = [sentence_vector(s) for s in sentences if not has_negation(s)]
    if not read:
        return np.zeros(POOLED_SIZE, dtype=np.float32)
    return np.mean(read, axis=0)


def entry_rule() -> EntryRule | None:
    from attunement.analysis.models import _model

    return _entry_rule(_model(MODEL))


@cache
def _entry_rule(model: object) -> EntryRule | None:
    """The shipped model's entry rule, built once per loaded model (every entry read asks
    for it)."""
    entries = model.meta.get("entries")  # type: ignore[attr-defined]
    if not entries:
        return None
    head = entries.get("head") or {}
    return EntryRule(
        cuts=np.asarray(entries["thresholds"], dtype=np.float64),
        min_sentences=int(entries["min_sentences"]),
        weights=np.asarray(head["weights"], dtype=np.float64) if head else None,
        bias=np.asarray(head["bias"], dtype=np.float64) if head else None,
    )


def counted_per_sentence(probs: np.ndarray, vector: np.ndarray | None = None) -> list[set[int]]:
    """Which markers (by index) count in each sentence, from each sentence's marker
    probabilities (one row a sentence) and, for an entry head, the entry's meaning
    (``vector``). A sentence counts a marker at or above the marker's threshold. A text
    long enough to be an entry is read as a whole as well (a long entry gives a loose
    sentence head many chances to be wrong, and a writer may show a sign across several
    sentences that no one of them shows clearly): a marker counts in it only where the
    entry rule finds it, and then in the sentences that reach its threshold, or else in
    its likeliest sentence."""
    cut = thresholds()
    here = [set(np.flatnonzero(row >= cut).tolist()) for row in probs]
    rule = entry_rule()
    if rule is None or len(probs) < rule.min_sentences:
        return here
    present, best = rule.present(probs, cut, vector), probs.argmax(axis=0)
    for index in range(probs.shape[1]):
        if not present[index]:
            for found in here:
                found.discard(index)
        else:
            here[int(best[index])].add(index)
    return here


def read_markers(text: str) -> list[MarkerFinding]:
    lex = lexicon()
    defs = {m.id: m for m in lex.markers}
    order = [m.id for m in lex.markers]
    counted: dict[str, list[Span]] = {}
    hedged: set[str] = set()
    not_counted: list[MarkerFinding] = []
    spans = sentences(text)
    rows = [marker_probabilities(text[start:end]) for start, end in spans]
    rule = entry_rule()
    vector = (
        entry_meaning([text[start:end] for start, end in spans])
        if rule is not None and rule.reads_meaning(len(spans))
        else None
    )
    chosen = counted_per_sentence(np.array(rows), vector) if rows else []
    for sentence, counts_here in zip(spans, chosen, strict=True):
        start, end = sentence
        words = text[start:end]
        rules = find_rule_markers(words)
        here = {order[index] for index in counts_here}
        for index, marker_id in enumerate(order):
            if marker_id not in here:
                continue
            ruled = [
                (start + s, start + e)
                for f in rules
                if f.id == marker_id and f.counts
                for s, e in f.spans
            ]
            span = _evidence(text, sentence, index, ruled)
            counted.setdefault(marker_id, []).append(span)
            if _hedged(text[span[0] : span[1]]):
                hedged.add(marker_id)
        not_counted += [  # the rules' own reading of why, placed in the whole text
            replace(f, spans=tuple((start + s, start + e) for s, e in f.spans))
            for f in rules
            if not f.counts and f.id not in here
        ]
    findings = [
        MarkerFinding(
            id=marker_id,
            family=defs[marker_id].family,
            name=defs[marker_id].name,
            spans=tuple(sorted(set(spans))),
            hedged=marker_id in hedged,
        )
        for marker_id, spans in counted.items()
    ]
    return sorted(findings + not_counted, key=lambda f: (f.spans[0][0], f.id))
