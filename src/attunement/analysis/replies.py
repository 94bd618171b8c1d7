"""A caregiver's reply to someone's words, read move by move.

A reply can reflect and then ask, or advise inside a question, so it is cut into its
moves (sentences, and inside a sentence the clauses that open a new move: "…, and what
was that like?"), and a head learnt from replies written and labelled for Attunement
(``training/caregiver/GUIDELINE.md``) says what each move does: a simple or complex
reflection, an open or closed question, advice, reassurance, information, sympathy, or
other. Three more heads read the reply as a whole for its empathy levels (EPITOME's
emotional reactions, interpretations and explorations) and for assumption. Advice,
reassurance, information and sympathy earn no empathy level by themselves: a level
needs a move that is none of these, and that move is its evidence. A move the head is
unsure of is said to be unsure and is never praised.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from attunement.analysis.markers import MarkerFinding
from attunement.analysis.models import Empathy, EmpathyLevel, MIBehaviour
from attunement.analysis.segments import Span, sentences
from attunement.analysis.spelling import as_written, standard_spelling

PARTS_MODEL = "reply_parts.npz"
REPLIES_MODEL = "replies.npz"
PART_CODES = (
    "reflection-simple",
    "reflection-complex",
    "question-open",
    "question-closed",
    "advice",
    "reassurance",
    "information",
    "sympathy",
    "other",
)
INPUT_CODES = frozenset({"advice", "reassurance", "information", "sympathy"})
FIXING_CODES = frozenset({"advice", "reassurance"})
SIGN_NAMES = {
    "advice": "Advice",
    "reassurance": "Reassurance",
    "sympathy": "Sympathy or minimising",
    "assumption": "Assuming their feelings or needs",
}
# How sure a move that is only presence or permission is read as `other`: the rule's
# precision on the training replies (11 of 12 such moves were labelled `other`).
PRESENCE_SURE = 0.9
# How sure a validating move is read as a complex reflection: the rule's precision on the
# train and dev replies (44 of 46 validating moves were labelled so).
VALIDATION_SURE = 0.9
UNSURE_BELOW = 0.45  # a move read with less confidence than this is "unsure"
# A move whose head gives advice, reassurance, information and sympathy together at least
# half is advice-like: it may be read as something else, but it is never praised and
# never earns an empathy level.
ADVICE_LIKE = 0.5
# A move read as input with less confidence than this, in which no rule finds advice,
# reassurance or minimising, is read as its best other code (chosen on the dev writers:
# reply MI macro-F1 0.878 -> 0.886, advice recall unchanged; 0.45 lost recall).
INPUT_UNSURE = 0.35
# A move the rules find advising, reassuring or minimising in is read as that kind when
# the head gives that kind at least this much (the rules' wording is the clearer sign).
RULED_INPUT = 0.1
# An empathy level is given when the whole-reply head gives some level (1 or 2) at least
# even odds, even where "none" is the likeliest single level; then the likelier of 1 and 2.
ANY_LEVEL = 0.5
# Inside a sentence, a new move starts after a comma, dash or semicolon when the words
# after it open a question, a suggestion or a reassurance.
_MOVE_BREAK = re.compile(
    r"(?:[,;:—–]|\s-)\s*(?:(?:and|but|so|or)\s+)?(?="
    r"(?:what|how|why|is|are|was|were|do|does|did|have|has|had|can|"
    r"could|would|will|should|shall|may|might|maybe|perhaps|try|why not|i'd|i would|i wonder|"
    r"tell me|don't|you could|you should|you might|you'll|it might|it may|i'm sure|"
    r"at least)\b)",
    re.IGNORECASE,
)


def split_moves(reply: str) -> list[Span]:
    """The moves of a reply, as spans of it, in order."""
    moves: list[Span] = []
    for start, end in sentences(reply):
        pieces = []  # (start, end) of each move; the joining comma and "and" belong to neither
        begin = start
        for match in _MOVE_BREAK.finditer(reply, start, end):
            before = reply[begin : match.start()]
            if len(before.split()) >= 3 and len(reply[match.end() : end].split()) >= 3:
                pieces.append((begin, match.start()))
                begin = match.end()
        pieces.append((begin, end))
        for a, b in pieces:
            piece = reply[a:b]
            left = len(piece) - len(piece.lstrip())
            right = len(piece.rstrip(" ,;:—–-"))
            if piece.strip(" ,;:—–-"):
                moves.append((a + left, a + right))
    return moves


@dataclass(frozen=True)
class Move:
    span: Span
    code: str
    confidence: float
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def unsure(self) -> bool:
        return self.confidence < UNSURE_BELOW

    @property
    def is_input(self) -> bool:
        return self.code in INPUT_CODES

    @property
    def input_share(self) -> float:
        """How much the head gives the four kinds of input (advice, reassurance,
        information, sympathy) together."""
        return sum(self.scores.get(c, 0.0) for c in INPUT_CODES)

    def to_dict(self, reply: str) -> dict[str, Any]:
        return {
            "text": reply[self.span[0] : self.span[1]],
            "span": list(self.span),
            "code": self.code,
            "confidence": self.confidence,
            "unsure": self.unsure,
        }


def part_probabilities(parts: list[str], statement: str) -> np.ndarray:
    from attunement.analysis.models import _model
    from attunement.analysis.writing import blended

    model = _model(PARTS_MODEL)
    head = model.heads["part"]
    rows = [blended(model, "part", as_written(p), statement) for p in parts]
    order = [head.labels.index(c) for c in PART_CODES]
    return np.array([r[order] for r in rows]) if rows else np.zeros((0, len(PART_CODES)))


def read_moves(reply: str, statement: str) -> list[Move]:
    spans = split_moves(reply)
    probs = part_probabilities([reply[a:b] for a, b in spans], statement)
    moves = []
    for span, row in zip(spans, probs, strict=True):
        best = int(row.argmax())
        moves.append(
            Move(
                span=span,
                code=PART_CODES[best],
                confidence=round(float(row[best]), 4),
                scores={c: round(float(p), 4) for c, p in zip(PART_CODES, row, strict=True)},
            )
        )
    return moves


def reply_code(codes: list[str]) -> str:
    """The reply's MI code from its moves: input, else reflection, else question, else
    other (a power-centred move is what the other person hears first)."""
    if any(c in INPUT_CODES for c in codes):
        return "input"
    if any(c.startswith("reflection") for c in codes):
        return "reflection"
    if any(c.startswith("question") for c in codes):
        return "question"
    return "other"


def reply_levels(reply: str, statement: str) -> dict[str, np.ndarray]:
    """Each whole-reply head's probabilities: "er", "ip", "ex" (levels 0, 1, 2) and
    "assumption" (one probability)."""
    from attunement.analysis.models import _model
    from attunement.analysis.writing import blended

    model = _model(REPLIES_MODEL)
    read = as_written(reply)
    return {name: blended(model, name, read, statement) for name in model.meta["mix"]}


def assumption_threshold() -> float:
    from attunement.analysis.models import _model

    cut = _model(REPLIES_MODEL).heads["assumption"].thresholds
    return float(cut[0]) if cut is not None else 0.5


@dataclass(frozen=True)
class Sign:
    """A power-centred sign in a reply: which one, what kind of move, and where."""

    id: str  # fixing | sympathy | assumption
    kind: str  # advice | reassurance | sympathy | assumption
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class ReplyReading:
    reply: str
    moves: tuple[Move, ...]
    code: str  # reflection | question | input | other
    subtype: str | None
    confidence: float
    levels: dict[str, tuple[int, float, tuple[Span, ...]]]  # er/ip/ex: level, sureness, evidence
    signs: tuple[Sign, ...]
    advice_like: tuple[Span, ...] = ()  # moves never praised (``advice_like_moves``)

    def moves_doing(self, *codes: str) -> list[Move]:
        """The moves doing one of ``codes`` that can be praised: read surely, and not
        advice-like."""
        return [
            m
            for m in self.moves
            if m.code in codes and not m.unsure and m.span not in self.advice_like
        ]

    def as_models(self) -> tuple[MIBehaviour, Empathy]:
        """The reading in the shapes the rest of the app shows: an MI code, and EPITOME's
        three levels with the moves that earned them."""
        mi = MIBehaviour(code=self.code, subtype=self.subtype, confidence=self.confidence)
        empathy = Empathy(
            *(
                EmpathyLevel(level=level, confidence=sure, spans=spans)
                for level, sure, spans in (self.levels[key] for key in ("er", "ip", "ex"))
            )
        )
        return mi, empathy

    def sign_findings(self) -> tuple[MarkerFinding, ...]:
        """The power-centred signs as findings, named for what the move does."""
        return tuple(
            MarkerFinding(
                id=sign.id, family="power-centred", name=SIGN_NAMES[sign.kind], spans=sign.spans
            )
            for sign in self.signs
        )


def _ruled_kinds(move: Move, reply: str) -> tuple[str, ...]:
    """The kinds of input the framework's rules find in a move ("Don't worry…", "Have
    you considered…", "Maybe you could…", "At least…")."""
    from attunement.analysis.markers import find_rule_markers

    found = {f.id for f in find_rule_markers(reply[move.span[0] : move.span[1]]) if f.counts}
    kinds: tuple[str, ...] = ("advice", "reassurance") if "fixing" in found else ()
    return kinds + (("sympathy",) if "sympathy" in found else ())


def _words(text: str) -> list[str]:
    """The text's words, lower case, with curly apostrophes made straight ("you’re")."""
    return [w.lower() for w in re.findall(r"[\w']+", text.replace("’", "'"))]


def only_presence(words: str) -> bool:
    """Whether a move is only presence or permission ("Take your time.", "Okay, I'm
    here."), which the guideline codes `other`: never advice or reassurance."""
    from attunement.analysis.markers import lexicon

    lex = lexicon()
    said = _words(words)
    while said and said[0] in lex.presence_fillers:
        said.pop(0)
    while said and said[-1] in lex.presence_fillers:
        said.pop()
    return tuple(said) in lex.presence_moves


def _validating_move(words: str, *, said_back: bool = False) -> bool:
    """Whether a move validates a feeling by what happened ("No wonder you're furious",
    "Anyone would be shaken by that"): the guideline's complex reflection. A move not
    already read as saying something back must speak to them, so that a filler or an
    agreement ("That makes sense.") stays one."""
    from attunement.analysis.markers import has_phrase, lexicon

    said = _words(words)
    to_them = said_back or bool({"you", "you're", "you'd", "you've", "your"} & set(said))
    return len(said) >= 4 and to_them and has_phrase(said, lexicon().validation)


# A question tagged on to a statement: "…, is there?", "…, isn't it?", "…, right?", "…, eh?".
_TAG_QUESTION = re.compile(
    r",\s*(?:(?:is|isn't|isnt|are|aren't|arent|was|wasn't|do|don't|dont|does|doesn't|did|"
    r"didn't|will|won't|wont|would|wouldn't|can|can't|could|couldn't|have|haven't|has|"
    r"hasn't|should|shouldn't)\s+(?:it|there|you|they|he|she|we|I|that)|right|eh|yeah|no|"
    r"innit|aye)\s*\?[\s\"'’”]*$",
    re.IGNORECASE,
)
# A move that asks why ("why didnt u say no to him", "How come you stayed?"): none of the 46
# labelled moves opening so is sympathy or reassurance (40 are advice: "Why don't you…").
_WHY_OPENING = re.compile(r"^\W*(?:why|how\s+come)\b", re.IGNORECASE)
# A word that turns from what is said back to the responder's own view ("They say it gets
# easier, but…").
_CONTRARY = frozenset({"but", "though", "although", "however", "still"})
_TO_THEM = frozenset({"you", "you're", "you'd", "you've", "you'll", "your"})


def _said_back(said: list[str], phrases: tuple[tuple[str, ...], ...], *, ruled: bool) -> bool:
    """Whether a move gives their words back with who said them: "you say" or "they said"
    opening or closing it ("She means well, you say.", "They tell you to rest"), or within
    it where the rules find no input of the responder's own there ("I'm sure it's
    routine, they say that because it is" reassures). Labelled moves with the phrase at
    an edge: none of 32 is input; within: 20 of 110 are."""
    from attunement.analysis.markers import phrases_at

    return any(
        not ruled or index <= 1 or index + len(phrase) >= len(said)
        for index, phrase in phrases_at(said, phrases)
    )


# Closing an account down as no more than it is: "…, that's all it is", "nothing more",
# "it's just nerves" (not where it is what they were told). Of 27 labelled moves so closed,
# 15 are input; a reflection so closed shrinks what it says back, so it is never praised.
_SHRINKING = re.compile(
    r"\b(?:that'?s|that is) all(?: it is| it was| there is to it)?\b(?! right\b)"
    r"|\b(?:is|was) all\W*$|\bnothing more\b"
    r"|(?<!told )(?<!says )(?<!said )(?<!say )"
    r"\b(?:it'?s|its|it is|that'?s|thats|that is) (?:probably |likely )?(?:just|only) "
    r"(?:nerves|stress|anxiety|tiredness|hormones|your age|age|your body|your nerves)\b",
    re.IGNORECASE,
)
# A move that asks: it opens with a question word ("What would help you right now").
_ASKING = re.compile(
    r"^\W*(?:what|how|which|who|where|when|why|would|could|do|does|is|are)\b", re.IGNORECASE
)
# …and one that asks for their own ideas ("What do you think might help?").
_ASKING_OPEN = re.compile(r"^\W*(?:what|how)\b", re.IGNORECASE)
# A question opening with what or how, not "what if", "how about" or "how long" (which
# suggest or ask for a fact): of the 1,137 labelled moves so asked with one question mark,
# 1,120 are open questions and 16 closed ones.
_WH_OPEN = re.compile(
    r"^\W*(?:what|how)\b(?!\W+(?:if|about|long|often|many|much|old|far|soon)\b)", re.IGNORECASE
)
WH_OPEN_SURE = 0.98
# Telling them what to do: "you need to come back tomorrow", "you should rest" (of 125
# labelled input moves so worded, all are advice).
_DIRECTIVE = re.compile(
    r"\byou(?:'ve| have)? (?:need to|should|must|have to|got to|gotta|ought to) "
    r"(?!be\b|feel\b|have been\b)\w+",
    re.IGNORECASE,
)


def _told_as(move: Move, words: str, kinds: tuple[str, ...], turned: bool = False) -> str | None:
    """What a move is in the lexicon's words though the head reads it otherwise: advice
    told as one's own experience ("what worked for me was saying no"), as what the one they
    lost would want ("she wouldn't want you sitting in the dark") or offered as an act
    for them ("want me to find someone who can tell you"), though company offered is
    neither ("Shall I sit with you?"), nor is one's own return ("I'll come again on
    Thursday"), though promised it reassures; what would help put forward ("Fresh air
    might take the edge off"), advice, though asked ("What do you think might help?") an
    open question; normalising ("That's really
    common after a shock"), reassurance; an invitation
    said as a wish ("I'd love to hear more about you"), an open question; a loss said back
    as final ("You'll never walk that hill again"), a complex reflection; their words said
    back with who said them ("She means well, you say."), a simple reflection, unless the
    reply then turns from them (``turned``: "They say it gets easier, but…") or the rules
    find input in the move itself ("I'm sure it's routine, they say that because it is").
    None if none."""
    from attunement.analysis.markers import has_phrase, lexicon

    lex, said = lexicon(), _words(words)
    if has_phrase(said, lex.disclosed_advice) or has_phrase(said, lex.offers):
        return "advice"
    if has_phrase(said, lex.suggested_help):
        asked = words.rstrip().endswith("?") or _ASKING.match(words)
        if not move.is_input and not asked:
            return "advice"  # "Getting some fresh air every morning might take the edge off."
        if move.is_input and asked and not kinds and _ASKING_OPEN.match(words):
            return "question-open"  # "What do you think might help?": their ideas asked for
    if has_phrase(said, lex.their_wishes) and not has_phrase(said, lex.their_wishes_said_back):
        return "advice"  # "She wouldn't want you sitting in the dark, though."
    if has_phrase(said, lex.company) and not kinds:
        return "other"  # "Do you want me to sit with you for a bit?": company, not advice
    if (
        move.is_input
        and _said_back(said, lex.said_back, ruled=bool(kinds))
        and not turned
        and not _CONTRARY.intersection(said)
    ):
        return "reflection-simple"  # "She means well, you say.", "Tell him to go home, you said."
    if move.code == "advice" and has_phrase(said, lex.returns):
        return "reassurance" if kinds else "other"  # "I'll come again next week, same day"
    if has_phrase(said, lex.normalising) and move.code != "advice":
        return "reassurance"
    if kinds:
        return None
    if (move.is_input or move.code == "other") and has_phrase(said, lex.invitations):
        return "question-open"
    if (
        move.code == "reassurance"
        and "never" in said
        and lex.final_losses & set(said)
        and _TO_THEM & set(said)
    ):
        return "reflection-complex"
    return None


def _best_leaving(move: Move, left_out: Callable[[str], bool]) -> Move:
    """The move read as the code the head weighs most among those not ``left_out``."""
    best = max((c for c in move.scores if not left_out(c)), key=lambda c: move.scores[c])
    return replace(move, code=best, confidence=move.scores[best])


def _settled(move: Move, reply: str) -> Move:
    """A move that is only presence or permission is `other`; one the head reads as
    `other`, a simple reflection or input (with no rule finding input in it) that validates
    a feeling of theirs is a complex reflection, and an input move the head is unsure of
    with no rule behind it is read as its best other code. A move in which the rules
    find fixing or sympathy is read as the advice, reassurance or sympathy the head weighs
    most, when the head is unsure of the move or gives those kinds a fair share: named,
    never praised. An input move keeps its kind unless the rules find another ("She's in
    good hands" is reassurance, not sympathy); a move telling them what to do is advice,
    and a why question is never sympathy or reassurance."""
    if only_presence(reply[move.span[0] : move.span[1]]):
        return replace(move, code="other", confidence=max(move.scores["other"], PRESENCE_SURE))
    tagged = move.code == "question-closed" and bool(
        _TAG_QUESTION.search(reply, move.span[0], move.span[1])
    )
    if tagged:
        # "No point worrying till the results are in, is there?": a statement with a tag
        # asks nothing; it is what its statement does (of the 43 labelled parts ending in
        # a tag, none is a closed question, 26 are advice, reassurance or sympathy)
        move = _best_leaving(move, lambda c: c.startswith("question"))
    if move.code in ("reassurance", "information", "sympathy") and _DIRECTIVE.search(
        reply.replace("’", "'"), move.span[0], move.span[1]
    ):
        move = replace(move, code="advice")  # "You need to come back tomorrow for bloods."
    if move.code in ("sympathy", "reassurance") and _WHY_OPENING.match(
        reply, move.span[0], move.span[1]
    ):
        # a why question neither minimises nor soothes: the best of what else it can be
        move = _best_leaving(move, lambda c: c in ("sympathy", "reassurance"))
    kinds = _ruled_kinds(move, reply)
    turned = bool(_CONTRARY.intersection(_words(reply[move.span[1] :])[:1]))
    told = _told_as(move, reply[move.span[0] : move.span[1]], kinds, turned)
    if told is not None:
        return replace(move, code=told)
    words = standard_spelling(reply[move.span[0] : move.span[1]].strip())  # "Whit's…"
    if not kinds and words.endswith("?") and words.count("?") == 1 and _WH_OPEN.match(words):
        # "What's it like, trying to keep all those plates spinning?": asked, and open
        return replace(move, code="question-open", confidence=max(move.confidence, WH_OPEN_SURE))
    if (
        move.code in ("other", "reflection-simple") or (move.is_input and not kinds)
    ) and _validating_move(reply[move.span[0] : move.span[1]], said_back=move.code != "other"):
        return replace(move, code="reflection-complex", confidence=VALIDATION_SURE)
    if move.is_input and not kinds and not tagged and move.confidence < INPUT_UNSURE:
        # no rule finds input in it and the head hardly leans that way: read it as the
        # best of the other codes ("The six you lost. And her question about it.")
        return _best_leaving(move, lambda c: c in INPUT_CODES)
    if not kinds or (move.is_input and move.code in kinds):
        return move
    kind = max(kinds, key=lambda k: move.scores[k])
    if move.unsure or sum(move.scores[k] for k in kinds) >= RULED_INPUT:
        return replace(move, code=kind)
    return move


def advice_like_moves(moves: list[Move], reply: str) -> tuple[Span, ...]:
    """The moves that are never praised and earn no empathy level: input; a move the
    head gives input a fair share (``ADVICE_LIKE``); a move the rules find advising,
    reassuring or minimising in; a move that closes its account down ("Your body just
    hasn't caught up yet, that's all it is"); and the rest of a sentence after an input
    move ("Maybe you could think, what would you say to a friend?": the question carries
    the suggestion)."""
    spans = []
    ends = [end for _, end in sentences(reply)]
    input_until = -1  # where the sentence of the last input move ends
    for move in moves:
        if move.span[0] >= input_until:
            input_until = -1
        if move.is_input or input_until >= 0:
            spans.append(move.span)
            if move.is_input:
                input_until = next((e for e in ends if e >= move.span[1]), len(reply))
            continue
        if (
            move.input_share >= ADVICE_LIKE
            or _ruled_kinds(move, reply)
            or _SHRINKING.search(reply, move.span[0], move.span[1])
        ):
            spans.append(move.span)
    return tuple(spans)


def validates(reply: str) -> bool:
    """Whether the reply validates ("No wonder you're furious", "Anyone would be shaken by
    that") with no assumption rule matching in it: the guideline codes validation as a
    reflection that ties the feeling to what happened, not an assumption, so the
    whole-reply head's assumption sign is set aside for it."""
    from attunement.analysis.markers import find_rule_markers, has_phrase, lexicon

    if not has_phrase(_words(reply), lexicon().validation):
        return False
    return not any(f.id == "assumption" and f.counts for f in find_rule_markers(reply))


def _subtype(code: str, codes: list[str]) -> str | None:
    if code == "reflection":
        return "complex" if "reflection-complex" in codes else "simple"
    if code == "question":
        return "open" if "question-open" in codes else "closed"
    if code == "input":
        for kind in ("advice", "reassurance", "sympathy", "information"):
            if kind in codes:
                return kind
    return None


def read_reply(reply: str, statement: str) -> ReplyReading:
    """What each move of the reply does, the reply's MI code, its empathy levels with the
    moves that earned them, and its power-centred signs."""
    moves = [_settled(m, reply) for m in read_moves(reply, statement)]
    advice_like = advice_like_moves(moves, reply)
    codes = [m.code for m in moves]
    code = reply_code(codes)
    deciding = [m for m in moves if reply_code([m.code]) == code]
    confidence = max((m.confidence for m in deciding), default=0.0)
    probs = reply_levels(reply, statement)
    # Only a move that is not advice-like (advice, reassurance, information or sympathy,
    # or close to it), and that the head is sure of, can earn an empathy level and be its
    # evidence.
    earning = [m for m in moves if m.span not in advice_like and not m.unsure]
    evidence = {
        "er": [
            m for m in earning if m.code in ("other", "reflection-complex", "reflection-simple")
        ],
        "ip": [m for m in earning if m.code.startswith("reflection")],
        "ex": [m for m in earning if m.code.startswith("question")],
    }
    if not evidence["er"]:
        evidence["er"] = earning
    levels = {}
    for name in ("er", "ip", "ex"):
        p = probs[name]
        level = int(np.argmax(p))
        if len(p) > 2 and 1 - float(p[0]) >= ANY_LEVEL:
            level = int(np.argmax(p[1:])) + 1
        chosen = evidence[name]
        if level and not chosen:
            level = 0
        levels[name] = (
            level,
            round(float(p[level]) if len(p) > level else 0.0, 4),
            tuple(m.span for m in chosen) if level else (),
        )
    signs: list[Sign] = []
    for kind, sign in (("advice", "fixing"), ("reassurance", "fixing"), ("sympathy", "sympathy")):
        spans = tuple(m.span for m in moves if m.code == kind)
        if spans:
            signs.append(Sign(sign, kind, spans))
    if float(probs["assumption"][0]) >= assumption_threshold() and not validates(reply):
        whole = (0, len(reply.rstrip()))
        spans = tuple(m.span for m in moves if m.code.startswith("reflection")) or (whole,)
        signs.append(Sign("assumption", "assumption", spans))
    return ReplyReading(
        reply=reply,
        moves=tuple(moves),
        code=code,
        subtype=_subtype(code, codes),
        confidence=round(confidence, 4),
        levels=levels,
        signs=tuple(signs),
        advice_like=advice_like,
    )
