"""How far the framework's rules are trusted by the heads: a marker's rules as a whole,
or, where those were not precise on the training writers, each of its patterns that was;
and the clauses a sentence is cut into, so that the clause the rules point at can be read
alone."""

from __future__ import annotations

import numpy as np
from training.rule_trust import rule_trust, trusted_hits

from attunement.analysis.markers import counting_patterns, lexicon

IDS = [m.id for m in lexicon().markers]
FIXING = IDS.index("fixing")


def test_a_pattern_counts_only_where_its_match_counts():
    assert counting_patterns("I wanted to fix it for her.", "fixing")
    assert not counting_patterns("I didn't want to fix it this time.", "fixing")
    assert not counting_patterns("I sat with her in the dark.", "fixing")


def test_a_precise_pattern_is_trusted_where_the_marker_as_a_whole_is_not():
    pull = [f"I wanted to fix it for her, visit {n}." for n in range(12)]
    loose = [f"I told him it will be fine, on call {n}." for n in range(12)]
    texts = pull + loose
    gold = np.zeros((len(texts), len(IDS)), dtype=int)
    gold[: len(pull), FIXING] = 1  # the pull always counts; "it will be fine" half the time
    gold[len(pull) : len(pull) + 6, FIXING] = 1
    trust = rule_trust(texts, gold, IDS)["fixing"]
    assert trust["count"] is False
    assert len(trust["count_patterns"]) == 1
    hits = trusted_hits(
        ["I wanted to fix it.", "It will be fine, I said."],
        IDS,
        {m: {"count": False} for m in IDS} | {"fixing": trust},
    )
    assert hits[:, FIXING].tolist() == [True, False]


def test_a_new_clause_begins_where_the_writer_becomes_the_subject_again():
    from attunement.analysis.segments import clauses

    def parts(text: str) -> list[str]:
        return [text[a:b] for a, b in clauses(text, (0, len(text)))]

    assert parts("My chest tightened and I wanted to fix it.") == [
        "My chest tightened",
        "and I wanted to fix it.",
    ]
    assert parts("I was tired and sad.") == ["I was tired and sad."]
    assert parts("She cried so I stayed.") == ["She cried", "so I stayed."]
