"""Train the in-domain heads on caregivers' own words (build time only).

    python -m training.caregiver [--only markers|moves|replies|feelings]

From training/caregiver/ (GUIDELINE.md): one head per framework marker on sentences
(``markers.npz``); for practice replies, a head for the move each part makes
(``reply_parts.npz``) and heads for a whole reply's empathy levels and assumption
(``replies.npz``); and the thresholds above which the emotion model's reading of an entry
is shown (``feelings.json``). Each linear head reads word n-grams and dense features
computed by the app's own code (``attunement.analysis.features``), and is blended with the
same head of the encoder fine-tuned on these data (``training.caregiver_encoder``), when
one ships. Which dense blocks, the regularisation, the blend share and the thresholds are
chosen on the dev writers; test is read once, by ``benchmarks/caregiver_feedback.py``.
The figures land in ``analysis/models/caregiver.json`` for the model card.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from training.caregiver_data import EKMAN, PART_CODES, load
from training.models import SEED, Block, Features, export

MODELS = Path(__file__).resolve().parent.parent / "src/attunement/analysis/models"
CACHE = Path(__file__).resolve().parent.parent / "build" / "caregiver-features"
C_GRID = (0.1, 0.3, 1.0, 3.0)
SHARES = tuple(round(0.1 * i, 1) for i in range(11))
WORD_BLOCK = [Block("text_word", "word", (1, 3), min_df=2)]
BLOCK_CHOICES = (("rules", "cues"), ("pooled", "rules", "cues"))
SPLITS = ("train", "dev")


@dataclass
class Rows:
    texts: list[str]
    contexts: list[str]


def cached(name: str, rows: Rows, compute: Callable[[str, str], np.ndarray]) -> np.ndarray:
    """Rows of features computed by ``compute``, cached on disk by the exact texts."""
    CACHE.mkdir(parents=True, exist_ok=True)
    key = "\x00".join(f"{t}\x01{c}" for t, c in zip(rows.texts, rows.contexts, strict=True))
    path = CACHE / f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.npy"
    if path.exists():
        return np.load(path)
    matrix = np.stack([compute(t, c) for t, c in zip(rows.texts, rows.contexts, strict=True)])
    np.save(path, matrix.astype(np.float32))
    return matrix.astype(np.float32)


class Standard:
    """Centre and scale dense columns on train; folded into the weights on export."""

    def __init__(self, dense: np.ndarray) -> None:
        self.mean = dense.mean(axis=0)
        self.scale = dense.std(axis=0) + 1e-3

    def __call__(self, dense: np.ndarray) -> np.ndarray:
        return (dense - self.mean) / self.scale

    def fold(self, weights: np.ndarray, bias: np.ndarray, width: int) -> tuple[Any, Any]:
        w = weights.copy()
        w[width:] = w[width:] / self.scale[:, None]
        return w, bias - (self.mean[:, None] * w[width:]).sum(axis=0)


@dataclass
class Design:
    """Word n-grams plus the chosen dense blocks, fitted on train."""

    blocks: tuple[str, ...]
    features: Features
    std: Standard
    X: dict[str, Any]

    @property
    def width(self) -> int:
        return sum(len(v.vocabulary_) for v in self.features.fitted)

    def meta(self) -> dict[str, Any]:
        from attunement.analysis.features import block_names

        return {
            "dense_blocks": list(self.blocks),
            "dense": block_names(list(self.blocks)),
            "mark_negation": True,
        }


def design(name: str, rows: dict[str, Rows], blocks: tuple[str, ...]) -> Design:
    from attunement.analysis.features import dense_features

    dense = {
        s: cached(f"{name}-{'-'.join(blocks)}", rows[s], lambda t, c: dense_features(list(blocks), t, c))
        for s in SPLITS
    }
    from attunement.analysis.linear import mark_negation

    marked = {s: [mark_negation(t) for t in rows[s].texts] for s in SPLITS}
    features = Features(WORD_BLOCK)
    features.fit(marked["train"], rows["train"].contexts)
    std = Standard(dense["train"])
    X = {
        s: sparse.hstack(
            [features.transform(marked[s], rows[s].contexts), sparse.csr_matrix(std(dense[s]))]
        ).tocsr()
        for s in SPLITS
    }
    return Design(blocks, features, std, X)


def encoder_probs(head: str, labels: list[str], rows: Rows) -> np.ndarray | None:
    """The fine-tuned in-domain encoder's probabilities for one head, in ``labels``' order,
    or None where no such encoder ships yet."""
    if not (MODELS / "caregiver-encoder.onnx").exists():
        return None
    from attunement.analysis.encoder import caregiver_encoder
    from attunement.analysis.features import caregiver_encoded

    order = caregiver_encoder().labels[head]
    return cached(
        f"ft-{head}-{(MODELS / 'caregiver-encoder.onnx').stat().st_mtime_ns}",
        rows,
        lambda t, c: np.asarray(caregiver_encoded(t, c)[head])[[order.index(x) for x in labels]],
    )


def best_threshold(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    grid = np.linspace(0.05, 0.95, 37)
    scores = [f1_score(y, p >= t, zero_division=0) for t in grid]
    i = int(np.argmax(scores))
    return float(grid[i]), float(scores[i])


def ece(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error of binary probabilities (equal-width bins)."""
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (p >= lo) & ((p < hi) if hi < 1 else (p <= hi))
        if inside.any():
            total += inside.mean() * abs(p[inside].mean() - y[inside].mean())
    return round(float(total), 4)


def multiclass_ece(p: np.ndarray, y: np.ndarray) -> float:
    """ECE of the top class's probability against whether it was right."""
    return ece(p.max(axis=1), (p.argmax(axis=1) == y).astype(float))


# -- the framework markers of a sentence ------------------------------------------------


def rule_readings(texts: list[str], ids: list[str]) -> np.ndarray:
    """Per text and marker: 1 where the rules find it counting, -1 where they find it only
    negated, quoted or about someone else, 0 where they find nothing."""
    from attunement.analysis.markers import find_rule_markers

    out = np.zeros((len(texts), len(ids)), dtype=int)
    for row, text in enumerate(texts):
        found = find_rule_markers(text)
        counting = {f.id for f in found if f.counts}
        for f in found:
            out[row, ids.index(f.id)] = 1 if f.id in counting else -1
    return out


def rule_trust(texts: list[str], gold: np.ndarray, ids: list[str]) -> dict[str, dict[str, bool]]:
    """Per marker, from the training writers: whether a counting rule match is trusted to
    count (precision >= 0.9 over at least 10 matches), and whether a match the rules read
    as negated, quoted or someone else's is trusted to veto the heads (right in at least
    85% of at least 5 cases, or fewer cases than that: the guideline's own rule)."""
    readings = rule_readings(texts, ids)
    trust = {}
    for j, m in enumerate(ids):
        hits, vetoes = readings[:, j] == 1, readings[:, j] == -1
        precision = gold[hits, j].mean() if hits.sum() else 0.0
        veto_right = (1 - gold[vetoes, j]).mean() if vetoes.sum() else 1.0
        trust[m] = {
            "count": bool(hits.sum() >= 10 and precision >= 0.9),
            "veto": bool(vetoes.sum() < 5 or veto_right >= 0.85),
        }
    return trust


def apply_rules(p: np.ndarray, rule: np.ndarray, trust: dict[str, bool]) -> np.ndarray:
    """A head's probabilities with the trusted rules applied, as the app applies them."""
    out = p.copy()
    if trust["count"]:
        out[rule == 1] = np.maximum(out[rule == 1], 0.99)
    if trust["veto"]:
        out[rule == -1] = np.minimum(out[rule == -1], 0.01)
    return out


def train_markers() -> dict[str, Any]:
    from attunement.analysis.markers import lexicon

    ids = [m.id for m in lexicon().markers]
    items = {s: [i for i in load("sentences") if i.split == s] for s in SPLITS}
    rows = {s: Rows([i.text for i in items[s]], [""] * len(items[s])) for s in SPLITS}
    Y = {s: np.array([[m in i.data["markers"] for m in ids] for i in items[s]], int) for s in SPLITS}
    trust = rule_trust(rows["train"].texts, Y["train"], ids)
    rules_dev = rule_readings(rows["dev"].texts, ids)
    from attunement.analysis.writing import only_anothers_body

    others_body = np.array([only_anothers_body(t) for t in rows["dev"].texts])
    somatic = ids.index("somatic-awareness")
    theirs = encoder_probs("markers", ids, rows["dev"])
    best: dict[str, Any] | None = None
    for blocks in BLOCK_CHOICES:
        d = design("sentences", rows, blocks)
        for C in C_GRID:
            fitted = [
                LogisticRegression(C=C, max_iter=3000, random_state=SEED).fit(d.X["train"], Y["train"][:, j])
                for j in range(len(ids))
            ]
            ours = np.stack([m.predict_proba(d.X["dev"])[:, 1] for m in fitted], axis=1)
            for share in SHARES if theirs is not None else (0.0,):
                mix = (1 - share) * ours + share * (theirs if theirs is not None else 0)
                probs = np.stack(
                    [apply_rules(mix[:, j], rules_dev[:, j], trust[m]) for j, m in enumerate(ids)], axis=1
                )
                probs[others_body, somatic] = np.minimum(probs[others_body, somatic], 0.01)
                cuts = np.array([best_threshold(probs[:, j], Y["dev"][:, j])[0] for j in range(len(ids))])
                micro = float(f1_score(Y["dev"], probs >= cuts, average="micro", zero_division=0))
                # ties (to 0.005) go to fewer encoder passes: no pooled block, then less share
                key = (round(micro / 0.005), -len(blocks), -share)
                if best is None or key > best["key"]:
                    best = dict(key=key, micro=micro, blocks=blocks, C=C, share=share, design=d,
                                fitted=fitted, probs=probs, cuts=cuts, ours=ours)
        print(f"markers {blocks}: best so far dev micro-F1 {best['micro']:.3f} "
              f"({best['blocks']}, C={best['C']}, share={best['share']})", flush=True)
    assert best is not None
    d = best["design"]
    weights = np.stack([m.coef_[0] for m in best["fitted"]], axis=1)
    bias = np.array([m.intercept_[0] for m in best["fitted"]])
    weights, bias = d.std.fold(weights, bias, d.width)
    meta = {
        "task": "framework markers in caregivers' own sentences",
        **d.meta(),
        "C": best["C"],
        "blend": {"markers": best["share"]},
        "encoder_heads": {"markers": "markers"},
        "rules": trust,
    }
    head = {"name": "markers", "kind": "multilabel", "labels": ids, "weights": weights,
            "bias": bias, "thresholds": best["cuts"]}
    (MODELS / "markers.npz").write_bytes(export(d.features, [head], meta))
    probs, cuts = best["probs"], best["cuts"]
    return {
        "dev_micro_f1": round(best["micro"], 4),
        "dense_blocks": list(best["blocks"]),
        "C": best["C"],
        "encoder_share": best["share"],
        "train_sentences": len(items["train"]),
        "dev_sentences": len(items["dev"]),
        "markers": {
            m: {
                "dev_f1": round(float(f1_score(Y["dev"][:, j], probs[:, j] >= cuts[j])), 4),
                "threshold": round(float(cuts[j]), 4),
                "dev_ece": ece(probs[:, j], Y["dev"][:, j]),
                "train_positives": int(Y["train"][:, j].sum()),
                "dev_positives": int(Y["dev"][:, j].sum()),
                "rules": trust[m],
            }
            for j, m in enumerate(ids)
        },
    }


# -- practice replies -------------------------------------------------------------------


def _statements() -> dict[str, str]:
    from attunement.practice.vignettes import vignettes

    return {v.id: v.statement for v in vignettes()}


def _multiclass_head(name: str, model: LogisticRegression, labels: list[str], d: Design) -> dict[str, Any]:
    coef, intercept = model.coef_, model.intercept_
    if coef.shape[0] == 1:  # scikit-learn keeps one row for two classes
        coef = np.vstack([-coef, coef]) / 2
        intercept = np.array([-intercept[0], intercept[0]]) / 2
    weights, bias = d.std.fold(coef.T.copy(), intercept.copy(), d.width)
    return {"name": name, "kind": "multiclass", "labels": labels, "weights": weights, "bias": bias}


def fit_multiclass(
    name: str, rows: dict[str, Rows], y: dict[str, np.ndarray], labels: list[str], encoder_head: str
) -> dict[str, Any]:
    """A softmax head over ``labels`` (y holds indices into them): dense blocks, C and the
    encoder's share chosen on dev macro-F1."""
    theirs = encoder_probs(encoder_head, labels, rows["dev"])
    best: dict[str, Any] | None = None
    for blocks in BLOCK_CHOICES:
        d = design(name, rows, blocks)
        for C in C_GRID:
            model = LogisticRegression(C=C, max_iter=4000, random_state=SEED).fit(d.X["train"], y["train"])
            ours = np.zeros((len(y["dev"]), len(labels)))
            ours[:, model.classes_] = model.predict_proba(d.X["dev"])
            for share in SHARES if theirs is not None else (0.0,):
                probs = (1 - share) * ours + share * (theirs if theirs is not None else 0)
                f1 = float(f1_score(y["dev"], probs.argmax(1), average="macro", zero_division=0))
                key = (round(f1 / 0.005), -len(blocks), -share)
                if best is None or key > best["key"]:
                    best = dict(key=key, f1=f1, blocks=blocks, C=C, share=share, design=d,
                                model=model, probs=probs)
    assert best is not None
    print(f"{name}: dev macro-F1 {best['f1']:.3f} ({best['blocks']}, C={best['C']}, "
          f"share={best['share']})", flush=True)
    model = best["model"]
    full = LogisticRegression()  # the head covers every label, seen in train or not
    full.classes_ = np.arange(len(labels))
    coef = np.zeros((len(labels), model.coef_.shape[1]))
    intercept = np.full(len(labels), -30.0)
    rows_of = model.coef_ if model.coef_.shape[0] > 1 else np.vstack([-model.coef_, model.coef_]) / 2
    icpt = model.intercept_ if model.coef_.shape[0] > 1 else np.array([-1, 1]) * model.intercept_[0] / 2
    coef[model.classes_], intercept[model.classes_] = rows_of, icpt
    full.coef_, full.intercept_ = coef, intercept
    best["head"] = _multiclass_head(name, full, labels, best["design"])
    best["ece"] = multiclass_ece(best["probs"], y["dev"])
    return best


def train_moves() -> dict[str, Any]:
    statements = _statements()
    items = {s: [i for i in load("replies") if i.split == s] for s in SPLITS}
    parts = {s: [(p, statements[i.data["vignette"]]) for i in items[s] for p in i.data["parts"]]
             for s in SPLITS}
    rows = {s: Rows([p["text"] for p, _ in parts[s]], [c for _, c in parts[s]]) for s in SPLITS}
    y = {s: np.array([PART_CODES.index(p["code"]) for p, _ in parts[s]]) for s in SPLITS}
    best = fit_multiclass("part", rows, y, list(PART_CODES), "moves")
    d = best["design"]
    meta = {"task": "the moves of a practice reply", **d.meta(), "C": best["C"],
            "blend": {"part": best["share"]}, "encoder_heads": {"part": "moves"}}
    (MODELS / "reply_parts.npz").write_bytes(export(d.features, [best["head"]], meta))
    return {"dev_macro_f1": round(best["f1"], 4), "dev_ece": best["ece"], "dense_blocks": list(best["blocks"]),
            "C": best["C"], "encoder_share": best["share"], "train_moves": len(parts["train"]),
            "dev_moves": len(parts["dev"])}


def train_replies() -> dict[str, Any]:
    statements = _statements()
    items = {s: [i for i in load("replies") if i.split == s] for s in SPLITS}
    rows = {s: Rows([i.text for i in items[s]], [statements[i.data["vignette"]] for i in items[s]])
            for s in SPLITS}
    heads, report, blends, chosen = [], {}, {}, None
    for name in ("er", "ip", "ex"):
        y = {s: np.array([i.data[name] for i in items[s]]) for s in SPLITS}
        best = fit_multiclass(f"replies-{name}", rows, y, ["0", "1", "2"], f"reply_{name}")
        if chosen is None:
            chosen = best["design"]
        elif best["design"].blocks != chosen.blocks:  # one design serves every reply head
            best = fit_multiclass_in(chosen, name, rows, y, best)
        best["head"]["name"] = name
        heads.append(best["head"])
        blends[name] = best["share"]
        report[name] = {"dev_macro_f1": round(best["f1"], 4), "dev_ece": best["ece"],
                        "encoder_share": best["share"]}
    assert chosen is not None
    ay = {s: np.array([int("assumption" in i.data.get("power", [])) for i in items[s]]) for s in SPLITS}
    theirs = encoder_probs("assumption", ["assumption"], rows["dev"])
    best_a = None
    for C in C_GRID:
        m = LogisticRegression(C=C, max_iter=4000, random_state=SEED).fit(chosen.X["train"], ay["train"])
        ours = m.predict_proba(chosen.X["dev"])[:, 1]
        for share in SHARES if theirs is not None else (0.0,):
            p = (1 - share) * ours + share * (theirs[:, 0] if theirs is not None else 0)
            cut, f1 = best_threshold(p, ay["dev"])
            if best_a is None or f1 > best_a[0] + 1e-9:
                best_a = (f1, cut, m, p, share)
    f1, cut, m, p, share = best_a
    w, b = chosen.std.fold(m.coef_.T.copy(), m.intercept_.copy(), chosen.width)
    heads.append({"name": "assumption", "kind": "multilabel", "labels": ["assumption"],
                  "weights": w, "bias": b, "thresholds": [cut]})
    blends["assumption"] = share
    report["assumption"] = {"dev_f1": round(f1, 4), "dev_ece": ece(p, ay["dev"]), "encoder_share": share,
                            "dev_positives": int(ay["dev"].sum())}
    meta = {"task": "a practice reply as a whole", **chosen.meta(), "blend": blends,
            "encoder_heads": {"er": "reply_er", "ip": "reply_ip", "ex": "reply_ex",
                              "assumption": "assumption"}}
    (MODELS / "replies.npz").write_bytes(export(chosen.features, heads, meta))
    report.update({"dense_blocks": list(chosen.blocks), "train_replies": len(items["train"]),
                   "dev_replies": len(items["dev"])})
    return report


def fit_multiclass_in(d: Design, name: str, rows: dict[str, Rows], y: dict[str, np.ndarray],
                      previous: dict[str, Any]) -> dict[str, Any]:
    """The same search as ``fit_multiclass``, inside a design already chosen."""
    labels = ["0", "1", "2"]
    theirs = encoder_probs(f"reply_{name}", labels, rows["dev"])
    best: dict[str, Any] | None = None
    for C in C_GRID:
        model = LogisticRegression(C=C, max_iter=4000, random_state=SEED).fit(d.X["train"], y["train"])
        ours = np.zeros((len(y["dev"]), 3))
        ours[:, model.classes_] = model.predict_proba(d.X["dev"])
        for share in SHARES if theirs is not None else (0.0,):
            probs = (1 - share) * ours + share * (theirs if theirs is not None else 0)
            f1 = float(f1_score(y["dev"], probs.argmax(1), average="macro", zero_division=0))
            if best is None or f1 > best["f1"] + 1e-9:
                best = dict(f1=f1, C=C, share=share, design=d, model=model, probs=probs, blocks=d.blocks)
    assert best is not None
    full = LogisticRegression()
    coef = np.zeros((3, best["model"].coef_.shape[1]))
    intercept = np.full(3, -30.0)
    coef[best["model"].classes_], intercept[best["model"].classes_] = best["model"].coef_, best["model"].intercept_
    full.coef_, full.intercept_ = coef, intercept
    best["head"] = _multiclass_head(name, full, labels, d)
    best["ece"] = multiclass_ece(best["probs"], y["dev"])
    return best


# -- feelings ---------------------------------------------------------------------------


def train_feelings() -> dict[str, Any]:
    """For each emotion group, the lowest probability at which the emotion model's reading
    of a dev entry is right at least 90% of the time (over at least 3 entries it shows);
    a group that never gets there is not shown."""
    from attunement.analysis.models import _model, emotion_probabilities

    labels = list(_model("emotions.npz").heads["ekman"].labels)
    dev = [i for i in load("entries") if i.split == "dev"]
    probs = np.array([emotion_probabilities(i.text)["ekman"][0] for i in dev])
    thresholds: dict[str, float | None] = {}
    report = {}
    for group in EKMAN:
        j = labels.index(group)
        gold = np.array([group in i.data.get("emotions", []) for i in dev])
        chosen = None
        for t in np.linspace(0.05, 0.95, 19):
            shown = probs[:, j] >= t
            if shown.sum() >= 3 and gold[shown].mean() >= 0.9:
                chosen = round(float(t), 2)
                break
        thresholds[group] = chosen
        report[group] = {"threshold": chosen, "dev_entries_holding_it": int(gold.sum())}
    (MODELS / "feelings.json").write_text(
        json.dumps({"thresholds": thresholds, "dev_entries": len(dev)}, indent=1) + "\n",
        encoding="utf-8",
    )
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("markers", "moves", "replies", "feelings"))
    args = parser.parse_args(argv)
    path = MODELS / "caregiver.json"
    report = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    steps = {"markers": train_markers, "moves": train_moves, "replies": train_replies,
             "feelings": train_feelings}
    for name, step in steps.items():
        if args.only in (None, name):
            report[name] = step()
            print(name, json.dumps(report[name])[:600], flush=True)
    path.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
