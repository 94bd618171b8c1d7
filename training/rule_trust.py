"""How far the framework's rules are trusted by the in-domain heads (build time only).

Computed from the training writers by ``training.caregiver`` and applied to the heads'
readings as the app applies them (``attunement.analysis.writing``). Needs only numpy and
the app, so its tests run without the build extra.
"""

from __future__ import annotations

from typing import Any

import numpy as np

REASONS = ("negated", "quoted", "about_other")


def _reason(finding: Any) -> str:
    return next(r for r in REASONS if getattr(finding, r))


def rule_readings(texts: list[str], ids: list[str]) -> np.ndarray:
    """Per text and marker: 1 where the rules find it counting; -1, -2 or -3 where they
    find it only negated, only quoted or only about someone else; 0 where they find
    nothing."""
    from attunement.analysis.markers import find_rule_markers

    out = np.zeros((len(texts), len(ids)), dtype=int)
    for row, text in enumerate(texts):
        found = find_rule_markers(text)
        counting = {f.id for f in found if f.counts}
        for f in found:
            if f.id in counting:
                out[row, ids.index(f.id)] = 1
            elif out[row, ids.index(f.id)] == 0:
                out[row, ids.index(f.id)] = -1 - REASONS.index(_reason(f))
    return out


def rule_trust(texts: list[str], gold: np.ndarray, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Per marker, from the training writers: whether a counting rule match is trusted to
    count (precision >= 0.9 over at least 10 matches), and if not, which of its patterns
    are, by the same bar (``count_patterns``: "wanted to fix" may be precise where the
    marker's reassurance patterns, often someone else's, are not); and for each reason
    the rules give for not counting (negated, quoted, about someone else) whether it is
    trusted to veto the heads (right in at least 85% of at least 5 cases, or fewer cases
    than that: then the guideline's own rule stands)."""
    from attunement.analysis.markers import counting_patterns

    readings = rule_readings(texts, ids)
    trust: dict[str, dict[str, Any]] = {}
    for j, m in enumerate(ids):
        hits = readings[:, j] == 1
        precision = gold[hits, j].mean() if hits.sum() else 0.0
        trust[m] = {"count": bool(hits.sum() >= 10 and precision >= 0.9)}
        if not trust[m]["count"]:
            tally: dict[str, list[int]] = {}
            for row in np.flatnonzero(hits):
                for pattern in counting_patterns(texts[row], m):
                    tally.setdefault(pattern, []).append(int(gold[row, j]))
            trust[m]["count_patterns"] = sorted(
                p for p, right in tally.items() if len(right) >= 10 and np.mean(right) >= 0.9
            )
        for k, reason in enumerate(REASONS):
            vetoes = readings[:, j] == -1 - k
            right = (1 - gold[vetoes, j]).mean() if vetoes.sum() else 1.0
            trust[m][reason] = bool(vetoes.sum() < 5 or right >= 0.85)
    return trust


def trusted_hits(texts: list[str], ids: list[str], trust: dict[str, dict[str, Any]]) -> np.ndarray:
    """Per text and marker: whether one of the marker's trusted patterns counts in it."""
    from attunement.analysis.markers import counting_patterns

    out = np.zeros((len(texts), len(ids)), dtype=bool)
    for j, m in enumerate(ids):
        trusted = set(trust[m].get("count_patterns", []))
        if trusted:
            out[:, j] = [bool(trusted & counting_patterns(t, m)) for t in texts]
    return out


def apply_rules(
    p: np.ndarray, rule: np.ndarray, trust: dict[str, Any], hit: np.ndarray | None = None
) -> np.ndarray:
    """A head's probabilities with the trusted rules applied, as the app applies them."""
    out = p.copy()
    if trust["count"]:
        out[rule == 1] = np.maximum(out[rule == 1], 0.99)
    elif hit is not None:
        out[hit] = np.maximum(out[hit], 0.99)
    for k, reason in enumerate(REASONS):
        if trust[reason]:
            out[rule == -1 - k] = np.minimum(out[rule == -1 - k], 0.01)
    return out
