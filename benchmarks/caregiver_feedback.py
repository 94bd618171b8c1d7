"""Feedback on caregivers' own words, against the in-domain data written and labelled for
Attunement (training/caregiver/, GUIDELINE.md), through the code the app runs.

    python benchmarks/caregiver_feedback.py [--split dev|test] [--errors]

Prints one table against the targets: markers on sentences (micro-F1 and each marker's
F1), whole entries with every expected marker found and no absent one, practice replies
(MI 4-way macro-F1, advice and reassurance named and never praised, feeling met), the
writer's own named feelings (precision), and evidence strings that hold a content word.
The split is by writer (training/caregiver_data.py). Tune on dev; test is read once. The
test part is the held-out folder training/caregiver/heldout/, by new writers; until it
exists there is no test part, and ``--split test`` says so and stops.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from training.caregiver_data import (  # noqa: E402
    FIXING_CODES,
    HELDOUT,
    ROOT,
    TARGETS,
    has_test_part,
    load,
    reply_code,
)

from attunement.analysis.feelings import named_feelings  # noqa: E402
from attunement.analysis.markers import find_markers, lexicon  # noqa: E402
from attunement.analysis.writing import has_content_word  # noqa: E402
from attunement.practice.feedback import feedback  # noqa: E402
from attunement.practice.vignettes import vignette  # noqa: E402


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def macro_f1(gold: list[str], pred: list[str]) -> float:
    labels = sorted(set(gold))
    return float(
        np.mean(
            [
                f1(
                    sum(g == p == k for g, p in zip(gold, pred, strict=True)),
                    sum(p == k != g for g, p in zip(gold, pred, strict=True)),
                    sum(g == k != p for g, p in zip(gold, pred, strict=True)),
                )
                for k in labels
            ]
        )
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--errors", action="store_true", help="Print what the reading missed.")
    parser.add_argument(
        "--record",
        action="store_true",
        help="Write the figures into analysis/models/caregiver.json (for the model card).",
    )
    args = parser.parse_args(argv)
    if args.split == "test" and not has_test_part():
        print(
            f"There is no test part yet: {ROOT / HELDOUT} does not exist. The held-out "
            "writers' sentences.jsonl, entries.jsonl and replies.jsonl go there; until "
            "then, measure on dev (--split dev)."
        )
        raise SystemExit(2)
    ids = [m.id for m in lexicon().markers]
    results: dict[str, float] = {}
    evidence: list[str] = []
    # -- sentences
    counts = {m: Counter() for m in ids}
    feelings = Counter()
    for item in [i for i in load("sentences") if i.split == args.split]:
        found = find_markers(item.text)
        pred = {f.id for f in found if f.counts}
        gold = set(item.data["markers"])
        evidence += [item.text[s:e] for f in found if f.counts for s, e in f.spans]
        for m in ids:
            counts[m]["tp"] += m in pred and m in gold
            counts[m]["fp"] += m in pred and m not in gold
            counts[m]["fn"] += m in gold and m not in pred
        if args.errors and pred != gold:
            print(
                f"  sentence {item.data['id']}: missed {sorted(gold - pred)} "
                f"extra {sorted(pred - gold)} | {item.text}"
            )
        _feelings(item, feelings, args.errors)
    per_marker = {m: f1(c["tp"], c["fp"], c["fn"]) for m, c in counts.items()}
    total = Counter()
    for c in counts.values():
        total.update(c)
    results["markers micro-F1"] = f1(total["tp"], total["fp"], total["fn"])
    results["lowest marker F1"] = min(per_marker.values())
    # -- entries
    entries = [i for i in load("entries") if i.split == args.split]
    right = 0
    for item in entries:
        found = find_markers(item.text)
        pred = {f.id for f in found if f.counts}
        evidence += [item.text[s:e] for f in found if f.counts for s, e in f.spans]
        right += pred == set(item.data["markers"])
        if args.errors and pred != set(item.data["markers"]):
            gold = set(item.data["markers"])
            missed, extra = sorted(gold - pred), sorted(pred - gold)
            print(f"  entry {item.data['id']}: missed {missed} extra {extra}")
        _feelings(item, feelings, args.errors)
    results["entries all right"] = right / len(entries) if entries else float("nan")
    # -- replies
    gold_codes, pred_codes = [], []
    advice = Counter()
    met = Counter()
    for item in [i for i in load("replies") if i.split == args.split]:
        v = vignette(item.data["vignette"])
        fb = feedback(v, item.text)
        gold_codes.append(reply_code(item.data["parts"]))
        pred_codes.append(fb.mi.code)
        fixing_parts = [p["text"] for p in item.data["parts"] if p["code"] in FIXING_CODES]
        if fixing_parts:
            named = any(s.id == "fixing" for s in fb.power_signs)
            praised = any(
                p in fb.did_well or fb.did_well and _overlaps(fb.did_well, p) for p in fixing_parts
            )
            advice["gold"] += 1
            advice["named"] += named
            advice["praised"] += praised
            if args.errors and (not named or praised):
                print(
                    f"  reply {item.data['id']}: advice named={named} praised={praised} | "
                    f"{item.text} | did well: {fb.did_well}"
                )
        gold_met = item.data["er"] > 0 or item.data["ip"] > 0
        pred_met = fb.empathy.emotional_reactions.level > 0 or fb.empathy.interpretations.level > 0
        met["tp"] += gold_met and pred_met
        met["fp"] += pred_met and not gold_met
        met["fn"] += gold_met and not pred_met
        evidence += [q for q in _quoted(fb.did_well)]
        if args.errors and gold_codes[-1] != pred_codes[-1]:
            print(
                f"  reply {item.data['id']}: code {pred_codes[-1]} (gold {gold_codes[-1]}) | "
                f"{item.text}"
            )
    results["reply MI macro-F1"] = macro_f1(gold_codes, pred_codes)
    results["advice/reassurance recall"] = advice["named"] / max(advice["gold"], 1)
    results["advice praised (count)"] = advice["praised"]
    results["feeling met F1"] = f1(met["tp"], met["fp"], met["fn"])
    results["named feelings precision"] = feelings["tp"] / max(feelings["tp"] + feelings["fp"], 1)
    results["named feelings recall"] = feelings["tp"] / max(feelings["tp"] + feelings["fn"], 1)
    results["named feelings precision, labelled words"] = feelings["tp"] / max(
        feelings["tp"] + feelings["fp_whose_or_negation"], 1
    )
    results["named feelings wrong: whose or negation"] = feelings["fp_whose_or_negation"]
    results["named feelings wrong: word not labelled"] = feelings["fp_not_labelled"]
    results["evidence with a content word"] = (
        sum(map(has_content_word, evidence)) / len(evidence) if evidence else float("nan")
    )
    print(f"\nIn-domain feedback, {args.split} writers")
    print(f"{'measure':32s} {'ours':>7s} {'target':>7s}")
    for name, value in results.items():
        target = TARGETS.get(name)
        mark = "" if target is None else ("  met" if value >= target else "  MISSED")
        shown = f"{value:7.3f}" if isinstance(value, float) else f"{value:7d}"
        print(f"{name:32s} {shown} {target if target is not None else '':>7}{mark}")
    print("\nper marker F1:")
    for m, value in sorted(per_marker.items(), key=lambda kv: kv[1]):
        c = counts[m]
        print(f"  {m:26s} {value:.3f}  (tp {c['tp']}, fp {c['fp']}, fn {c['fn']})")
    print("\nreply codes:", dict(Counter(zip(gold_codes, pred_codes, strict=True))))
    if args.record:
        import datetime
        import json

        path = (
            Path(__file__).resolve().parent.parent / "src/attunement/analysis/models/caregiver.json"
        )
        report = json.loads(path.read_text(encoding="utf-8"))
        report[f"benchmark_{args.split}"] = {
            "date": datetime.date.today().isoformat(),
            **{k: round(float(v), 4) for k, v in results.items()},
            "per_marker_f1": {m: round(v, 4) for m, v in per_marker.items()},
        }
        path.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _overlaps(quoted: str, part: str) -> bool:
    return any(q and (q in part or part in q) for q in _quoted(quoted))


def _quoted(sentence: str) -> list[str]:
    out, rest = [], sentence
    while "“" in rest and "”" in rest:
        start = rest.index("“") + 1
        end = rest.index("”", start)
        out += [piece.strip() for piece in rest[start:end].split("… ")]
        rest = rest[end + 1 :]
    return out


def _feelings(item, tally: Counter, show: bool = False) -> None:
    gold = {
        f["word"].lower()
        for f in item.data.get("feelings", [])
        if isinstance(f, dict) and f.get("whose") == "writer" and not f.get("negated")
    }
    labelled = {
        (f["word"] if isinstance(f, dict) else f).lower() for f in item.data.get("feelings", [])
    }
    pred = {f.word.lower() for f in named_feelings(item.text) if f.writers_own}
    tally["tp"] += len(gold & pred)
    tally["fp"] += len(pred - gold)
    tally["fn"] += len(gold - pred)
    tally["fp_whose_or_negation"] += len((pred - gold) & labelled)
    tally["fp_not_labelled"] += len((pred - gold) - labelled)
    if show and pred != gold:
        print(
            f"  feelings {item.data['id']}: missed {sorted(gold - pred)} "
            f"extra {sorted(pred - gold)} | {item.text[:200]}"
        )


if __name__ == "__main__":
    main()
