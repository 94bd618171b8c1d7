"""Framework markers: signs of the sub-skills of attunement, of a power-centred encounter
or a posture of ease, of the writer's own body and of how they treat themselves.

The lexicon (patterns, explanations, cue words) is data in
``attunement/framework/markers.toml``; this module only applies it. Each match becomes
evidence, read in context:

- **negated**: a negation cue stands before it in the same clause ("I did not feel
  rushed"), or inside it ("I wasn't curious"), except for idioms whose own negative
  words are the point ("couldn't focus"); so does a wish or regret, which did not
  happen ("I should have been more curious");
- **hedged**: softened by a hedge ("a bit rushed");
- **quoted**: inside quotation marks that are someone else's words, not the writer's own
  ("at least I still have my kids," she said);
- **about_other**: for states that count only as the writer's own (fatigue, efforting,
  ease), the nearest subject before it is someone else ("the patient was exhausted"),
  unless the writer joins it ("and so was I").

Findings are grouped per marker and per reading (plain, negated), in text order.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

from attunement.analysis.literals import foldable, may_contain, required_words

Span = tuple[int, int]

# The signs of a power-centred reply to someone: what practice feedback points out.
POWER_SIGNS = ("fixing", "sympathy", "assumption")
_WORD = re.compile(r"[\w']+")
_PUNCT_BREAK = re.compile(r"[.!?;:,()\[\]\n—–]")
# A quotation: in double quotes, or in single ones ('…', ‘…’) that open after a space or
# a break and close before one, an apostrophe inside a word ("it's") not ending it.
_QUOTE = re.compile(
    r'"[^"\n]*"|“[^”]*”'
    r"|(?<![^\s(\[:,—–])['‘](?=[^\s'’])(?:[^'‘’\n]|['’](?=\w))*?(?<=\S)['’](?!\w)"
)
# Someone else's words said back by the writer: "I said back her words, '…'".
_THEIR_WORDS = re.compile(
    r"\b(?:her|his|their|the client's|the patient's|the family's)\s+(?:own\s+)?words\b[^\w]*$"
)
# Words not said: "for not saying '…'", "instead of '…'", "I should have said '…'" (a regret
# names what was not done, which does not count).
_NOT_SAID = re.compile(
    r"(?:\bnot|n't|\bnever|\binstead\s+of|\brather\s+than|\bshould(?:\s+have|'ve)|"
    r"\bcould(?:\s+have|'ve)|\bwish\s+I(?:'d|\s+had))\s+(?:\w+\s+){0,2}?"
    r"(?:say|said|saying|tell|told|telling|ask|asked|asking)?\s*[,:]?\s*$",
    re.I,
)


@dataclass(frozen=True)
class MarkerDef:
    id: str
    family: str
    name: str
    explanation: str
    patterns: tuple[re.Pattern[str], ...]
    idioms: tuple[re.Pattern[str], ...]
    first_person: bool = False

    @cached_property
    def any_pattern(self) -> re.Pattern[str]:
        """One search for whether any of the marker's patterns or idioms matches at all:
        most sentences hold none of a marker's signs, and one search says so faster than
        each pattern in turn."""
        return re.compile(
            "|".join(f"(?:{p.pattern})" for p in (*self.patterns, *self.idioms)), re.IGNORECASE
        )

    @cached_property
    def searches(self) -> tuple[tuple[re.Pattern[str], bool, tuple[str, ...] | None], ...]:
        """Each pattern, whether it is an idiom, and the words it cannot match without
        (``analysis/literals.py``; ``None``: always searched)."""
        return tuple(
            (pattern, is_idiom, required_words(pattern))
            for patterns, is_idiom in ((self.patterns, False), (self.idioms, True))
            for pattern in patterns
        )

    @cached_property
    def required(self) -> tuple[str, ...] | None:
        """Words of which a text holds one if any pattern of the marker matches it."""
        if any(words is None for _, _, words in self.searches):
            return None
        return tuple(dict.fromkeys(w for _, _, words in self.searches for w in words or ()))

    def patterns_to_search(
        self, text: str, folded: str | None
    ) -> Iterator[tuple[re.Pattern[str], bool]]:
        """The marker's patterns (with whether each is an idiom) that may match ``text``,
        in order: those whose required words the lower-cased text lacks are left out."""
        if folded is None:
            if not self.any_pattern.search(text):
                return
            yield from ((pattern, is_idiom) for pattern, is_idiom, _ in self.searches)
            return
        if self.required is not None and not may_contain(folded, self.required):
            return
        for pattern, is_idiom, words in self.searches:
            if words is None or may_contain(folded, words):
                yield pattern, is_idiom


@dataclass(frozen=True)
class Lexicon:
    markers: tuple[MarkerDef, ...]
    negation: frozenset[str]
    negation_window: int
    counterfactual: tuple[tuple[str, ...], ...]  # read like a negation in its window
    counterfactual_window: int
    double_negation: tuple[tuple[str, ...], ...]  # "not that I wasn't": turned back
    not_negating: tuple[tuple[str, ...], ...]  # "no wonder": a negation word that is not one
    negating_phrases: tuple[tuple[str, ...], ...]  # "anything but calm": a phrase that is one
    hedges: tuple[tuple[str, ...], ...]
    hedge_window: int
    clause_breaks: tuple[tuple[str, ...], ...]
    own_speech: tuple[str, ...]
    speech_verbs: frozenset[str]
    first_person: frozenset[str]
    other_subjects: frozenset[str]
    echoes: tuple[tuple[str, ...], ...]  # "and so was I": someone else's state is the writer's too
    validation: tuple[tuple[str, ...], ...]  # "no wonder you're…": a reply's validation
    presence_moves: frozenset[tuple[str, ...]]  # "Take your time.": a move that is only that
    disclosed_advice: tuple[tuple[str, ...], ...]  # "what worked for me was…", in a reply
    their_wishes: tuple[tuple[str, ...], ...]  # "she wouldn't want you…", in a reply
    their_wishes_said_back: tuple[tuple[str, ...], ...]  # "you feel he'd want you to…"
    normalising: tuple[tuple[str, ...], ...]  # "that's really common", in a reply
    offers: tuple[tuple[str, ...], ...]  # "want me to find someone…", in a reply
    suggested_help: tuple[tuple[str, ...], ...]  # "fresh air might take the edge off"
    company: tuple[tuple[str, ...], ...]  # "want me to sit with you?": presence, not advice
    returns: tuple[tuple[str, ...], ...]  # "I'll come again on Thursday": availability
    invitations: tuple[tuple[str, ...], ...]  # "I'd love to hear more about you"
    said_back: tuple[tuple[str, ...], ...]  # "She means well, you say.": their words back
    final_losses: frozenset[str]  # "again", "now": with "never", a loss said back
    presence_fillers: frozenset[str]
    body_parts: tuple[str, ...]  # for whose body it is (analysis/writing.py)
    other_owners: tuple[str, ...]
    advice_verbs: tuple[str, ...]  # for whose advice it is (analysis/writing.py)
    reported_speech_verbs: tuple[str, ...]  # for whose words they are (analysis/writing.py)
    assuming_verbs: tuple[str, ...]  # for whose assumption it is (analysis/writing.py)


@dataclass(frozen=True)
class MarkerFinding:
    id: str
    family: str
    name: str
    spans: tuple[Span, ...]
    negated: bool = False
    hedged: bool = False
    quoted: bool = False
    about_other: bool = False
    wished: bool = False  # negated by a wish or regret: "I should have been more curious"

    @property
    def counts(self) -> bool:
        """Whether this is the writer's own, affirmed sign: not negated, not someone
        else's quoted words, not someone else's state."""
        return not (self.negated or self.quoted or self.about_other)

    @property
    def why_not_counted(self) -> str:
        """Why a sign the rules found does not count, in the reader's words ("" if it
        counts)."""
        if self.wished:
            return "wished for or regretted, not done"
        if self.negated:
            return "negated"
        if self.quoted:
            return "someone else's words"
        return "about someone else" if self.about_other else ""

    def evidence(self, text: str) -> list[str]:
        return [text[start:end] for start, end in self.spans]

    def to_dict(self, text: str | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "family": self.family,
            "spans": [list(span) for span in self.spans],
            "negated": self.negated,
            "hedged": self.hedged,
            "quoted": self.quoted,
            "about_other": self.about_other,
            "wished": self.wished,
        }
        if text is not None:
            data["evidence"] = self.evidence(text)
        return data


_WORD_LIST = re.compile(r"\{([a-z_]+)\}")


def _compile(
    patterns: list[str], marker_id: str, words: dict[str, list[str]]
) -> tuple[re.Pattern[str], ...]:
    """The patterns of one marker, each ``{name}`` replaced by the alternation of the
    lexicon's word list of that name (``[words]``: "{body}" is any part of the body)."""
    compiled = []
    for pattern in patterns:
        expanded = _WORD_LIST.sub(
            lambda m: (
                "(?:" + "|".join(words[m.group(1)]) + ")" if m.group(1) in words else m.group(0)
            ),
            pattern,
        )
        try:
            compiled.append(re.compile(expanded, re.IGNORECASE))
        except re.error as exc:  # a broken shipped file is a bug: say where
            raise ValueError(
                f"markers.toml: marker {marker_id}: bad pattern {pattern!r}: {exc}"
            ) from exc
    return tuple(compiled)


def _phrases(items: list[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(item.lower().split()) for item in items)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    raw = (resources.files("attunement.framework") / "markers.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    cues = data["cues"]
    words = data.get("words", {})
    markers = tuple(
        MarkerDef(
            id=m["id"],
            family=m["family"],
            name=m["name"],
            explanation=m["explanation"],
            patterns=_compile(m["patterns"], m["id"], words),
            idioms=_compile(m.get("idioms", []), m["id"], words),
            first_person=bool(m.get("first_person", False)),
        )
        for m in data["markers"]
    )
    return Lexicon(
        markers=markers,
        negation=frozenset(w.lower() for w in cues["negation"]),
        negation_window=int(cues["negation_window"]),
        counterfactual=_phrases(cues.get("counterfactual", [])),
        counterfactual_window=int(cues.get("counterfactual_window", cues["negation_window"])),
        double_negation=_phrases(cues.get("double_negation", [])),
        not_negating=_phrases(cues.get("not_negating", [])),
        negating_phrases=_phrases(cues.get("negating_phrases", [])),
        hedges=_phrases(cues["hedges"]),
        hedge_window=int(cues["hedge_window"]),
        clause_breaks=_phrases(cues["clause_breaks"]),
        own_speech=tuple(p.lower() for p in cues["own_speech"]),
        speech_verbs=frozenset(w.lower() for w in cues.get("speech_verbs", [])),
        first_person=frozenset(cues["first_person"]),
        other_subjects=frozenset(cues["other_subjects"]),
        echoes=_phrases(cues.get("echoes", [])),
        validation=_phrases(cues.get("validation", [])),
        presence_moves=frozenset(_phrases(cues.get("presence_moves", []))),
        disclosed_advice=_phrases(cues.get("disclosed_advice", [])),
        their_wishes=_phrases(cues.get("their_wishes", [])),
        their_wishes_said_back=_phrases(cues.get("their_wishes_said_back", [])),
        normalising=_phrases(cues.get("normalising", [])),
        offers=_phrases(cues.get("offers", [])),
        suggested_help=_phrases(cues.get("suggested_help", [])),
        company=_phrases(cues.get("company", [])),
        returns=_phrases(cues.get("returns", [])),
        invitations=_phrases(cues.get("invitations", [])),
        said_back=_phrases(cues.get("said_back", [])),
        final_losses=frozenset(cues.get("final_losses", [])),
        presence_fillers=frozenset(w.lower() for w in cues.get("presence_fillers", [])),
        body_parts=tuple(cues["body_parts"]),
        other_owners=tuple(cues["other_owners"]),
        advice_verbs=tuple(cues["advice_verbs"]),
        reported_speech_verbs=tuple(cues.get("reported_speech_verbs", [])),
        assuming_verbs=tuple(cues.get("assuming_verbs", [])),
    )


def marker_info(marker_id: str) -> MarkerDef:
    for marker in lexicon().markers:
        if marker.id == marker_id:
            return marker
    raise KeyError(marker_id)


def _quoted_regions(text: str, lex: Lexicon) -> list[Span]:
    """Quoted passages that are someone else's words: not introduced by the writer ("I
    said"), not followed by the writer's "I said", and not introduced by a word of
    speaking with no one else named before it in the sentence ("Told her "…"")."""
    regions = []
    for match in _QUOTE.finditer(text):
        if _NOT_SAID.search(text, max(0, match.start() - 40), match.start()):
            regions.append((match.start(), match.end()))
            continue
        before = text[max(0, match.start() - 30) : match.start()].lower()
        if _THEIR_WORDS.search(before):
            regions.append((match.start(), match.end()))  # "I said back her words, '…'"
            continue
        if any(phrase in before for phrase in lex.own_speech):
            continue
        after = text[match.end() : match.end() + 20].lower()
        if re.match(r"\s*,?\s*i (?:" + "|".join(sorted(lex.speech_verbs)) + r")\b", after):
            continue
        sentence_start = max(
            (m.end() for m in re.finditer(r"[.!?\n]", text[: match.start()])), default=0
        )
        words = [w.lower() for w in _WORD.findall(text[sentence_start : match.start()])]
        verbs = [i for i, w in enumerate(words) if w in lex.speech_verbs]
        if verbs and not _someone_else(words[: verbs[-1]], lex):
            continue  # the speaker is the writer ("told her", "I said"), named before the verb
        regions.append((match.start(), match.end()))
    return regions


def _someone_else(words: list[str], lex: Lexicon) -> bool:
    """Whether the words before the verb of speaking nearest a quotation name someone
    other than the writer as its speaker: the nearest person before the verb ("A peer
    said", "Her son told me", "I repeated to her what she told me"); the writer when it is
    "I" or no one is named ("Told her")."""
    for word in reversed(words):
        if word in ("i", "i'd", "i'm", "i've", "i'll"):
            return False
        if word in lex.other_subjects and word != "it":
            return True
    return False


def others_quotes(text: str) -> list[Span]:
    """The quoted passages of ``text`` that are someone else's words, not the writer's
    own (``_quoted_regions``)."""
    return _quoted_regions(text, lexicon())


def _clause_words(text: str, start: int, lex: Lexicon) -> list[str]:
    """The words of the clause before ``start``, nearest last."""
    head = text[:start]
    cut = max((m.end() for m in _PUNCT_BREAK.finditer(head)), default=0)
    for quote in _QUOTE.finditer(head):  # a quotation ends a clause too
        cut = max(cut, quote.end())
    words = [w.lower() for w in _WORD.findall(head[cut:])]
    for index in range(len(words) - 1, -1, -1):
        if any(tuple(words[index - 1 : index + 1]) == p for p in lex.negating_phrases):
            continue  # the "but" of "anything but" ends no clause
        if index and words[index] in ("so", "that") and _is_negation(words[index - 1], lex):
            continue  # "not so tired", "not that calm": a degree, not a new clause
        for phrase in lex.clause_breaks:
            if tuple(words[index : index + len(phrase)]) == phrase:
                return words[index + len(phrase) :]
    return words


def phrases_at(
    words: list[str], phrases: tuple[tuple[str, ...], ...]
) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Each place one of ``phrases`` starts in ``words``, in order, with the phrase."""
    for index in range(len(words)):
        for phrase in phrases:
            if tuple(words[index : index + len(phrase)]) == phrase:
                yield index, phrase


def has_phrase(words: list[str], phrases: tuple[tuple[str, ...], ...]) -> bool:
    return next(phrases_at(words, phrases), None) is not None


def _about_other(before: list[str], lex: Lexicon) -> bool:
    """The nearest subject-like word before the match is someone else ("she was
    exhausted"); with none in the clause, a journal speaks of its writer."""
    for word in reversed(before):
        if word in lex.first_person:
            return False
        if word in lex.other_subjects:
            return True
    return False


def joined_by_writer(text: str, end: int, lex: Lexicon) -> bool:
    """Whether the rest of the sentence after ``end`` makes someone else's state the
    writer's too ("She was exhausted and so was I")."""
    rest = re.split(r"[.!?\n]", text[end:], maxsplit=1)[0]
    return has_phrase([w.lower() for w in _WORD.findall(rest)], lex.echoes)


def negates(before: list[str], lex: Lexicon, size: int) -> bool:
    """Whether the words before a match negate it: a negation cue among the last ``size``
    of them, unless a second one after "not that" turns it back ("Not that I wasn't
    tired", "Not that I was not exhausted": looked for a little further back)."""
    wider = before[-(size + 2) :]
    cues = [_negation_at(wider, i, lex) for i in range(len(wider))]  # the window ends it
    if sum(cues) >= 2 and has_phrase(wider, lex.double_negation):
        return False
    return any(cues[-size:]) or has_phrase(before[-size:], lex.negating_phrases)


def _is_negation(word: str, lex: Lexicon) -> bool:
    return word in lex.negation or word.endswith("n't")


def _negation_at(words: list[str], i: int, lex: Lexicon) -> bool:
    """Whether ``words[i]`` negates: a negation cue that opens none of the lexicon's
    ``not_negating`` phrases ("no wonder", "couldn't stop")."""
    return _is_negation(words[i], lex) and not any(
        tuple(words[i : i + len(p)]) == p for p in lex.not_negating
    )


def find_markers(text: str) -> list[MarkerFinding]:
    """The framework markers in ``text``, as Attunement reads them: which of them count is
    decided sentence by sentence by heads learnt from caregivers' own words, each with the
    clause that carries it as evidence (``analysis/writing.py``); what the rules find
    negated, quoted or about someone else is kept beside them, marked as not counting."""
    from attunement.analysis.writing import read_markers

    return read_markers(text)


def find_rule_markers(text: str) -> list[MarkerFinding]:
    """Every framework marker the lexicon's patterns find in ``text``, with its evidence
    spans, in text order: the rules' own reading, which the learnt heads read too (and
    which reading one sentence asks for three times: computed once)."""
    return list(_rule_markers(text))


def counting_patterns(text: str, marker_id: str) -> frozenset[str]:
    """The patterns of one marker (their sources in the lexicon) whose matches in
    ``text`` count: not negated, quoted or someone else's."""
    spans = {
        span for f in find_rule_markers(text) if f.id == marker_id and f.counts for span in f.spans
    }
    if not spans:
        return frozenset()
    marker = next(m for m in lexicon().markers if m.id == marker_id)
    return frozenset(
        pattern.pattern
        for pattern in (*marker.patterns, *marker.idioms)
        if any((m.start(), m.end()) in spans for m in pattern.finditer(text))
    )


@lru_cache(maxsize=512)
def _rule_markers(text: str) -> tuple[MarkerFinding, ...]:
    lex = lexicon()
    quoted = _quoted_regions(text, lex)
    grouped: dict[tuple[str, bool, bool, bool, bool], list[Span]] = {}
    hedged_keys: set[tuple[str, bool, bool, bool, bool]] = set()
    folded = foldable(text)
    for marker in lex.markers:
        seen: set[Span] = set()
        for pattern, is_idiom in marker.patterns_to_search(text, folded):
            for match in pattern.finditer(text):
                span = (match.start(), match.end())
                if span in seen or any(s <= span[0] and span[1] <= e for s, e in seen):
                    continue
                seen.add(span)
                before = _clause_words(text, span[0], lex)
                inside = [w.lower() for w in _WORD.findall(match.group(0))]
                wished = has_phrase(before[-lex.counterfactual_window :], lex.counterfactual)
                negated = (
                    negates(before, lex, lex.negation_window)
                    or wished
                    or (
                        not is_idiom
                        and any(_negation_at(inside, i, lex) for i in range(len(inside)))
                    )
                )
                hedged = has_phrase(before[-lex.hedge_window :] + inside, lex.hedges)
                in_quote = any(s <= span[0] and span[1] <= e for s, e in quoted)
                other = (
                    marker.first_person
                    and _about_other(before, lex)
                    and not joined_by_writer(text, span[1], lex)
                )
                key = (marker.id, negated, in_quote, other, wished)
                grouped.setdefault(key, []).append(span)
                if hedged:
                    hedged_keys.add(key)
    families = {m.id: m for m in lex.markers}
    findings = [
        MarkerFinding(
            id=marker_id,
            family=families[marker_id].family,
            name=families[marker_id].name,
            spans=tuple(sorted(spans)),
            negated=negated,
            hedged=key in hedged_keys,
            quoted=in_quote,
            about_other=other,
            wished=wished,
        )
        for key, spans in grouped.items()
        for marker_id, negated, in_quote, other, wished in [key]
    ]
    return tuple(sorted(findings, key=lambda f: (f.spans[0][0], f.id)))
