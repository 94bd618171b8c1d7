"""How far two people labelling by the same guideline agree: the ceiling on what any
reading of caregivers' words can be measured to reach.

    python benchmarks/labeller_agreement.py [--record]

A second labeller read only training/caregiver/GUIDELINE.md and the texts of 300 dev
sentences and 60 dev entries (drawn at random, seed 11; no labels, no code) and labelled
their markers, and later, as blind, the feeling words each names (whose, negated); the
labels are in training/caregiver/agreement/. This prints, for those items, how the second
labeller's labels compare with the first's (the data's own labels) and how Attunement's
reading compares with the first's, by the measures of benchmarks/caregiver_feedback.py:
markers micro-F1 on sentences, each marker's F1, whole entries with every marker the
same, and the precision of the writer's own named feelings. ``--record`` keeps the figures in
``analysis/models/caregiver.json`` for the model card.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from training.caregiver_data import ROOT, load  # noqa: E402

from attunement.analysis.feelings import named_feelings  # noqa: E402
from attunement.analysis.markers import find_markers  # noqa: E402

SECOND = ROOT / "agreement"
REPORT = Path(__file__).resolve().parent.parent / "src/attunement/analysis/models/caregiver.json"


def _second(kind: str) -> dict[str, set[str]]:
    lines = (SECOND / f"{kind}.jsonl").read_text(encoding="utf-8").splitlines()
    return {d["id"]: set(d["markers"]) for d in map(json.loads, filter(None, lines))}


def _writers_own(feelings: list[dict[str, object]]) -> set[str]:
    return {str(f["word"]).lower() for f in feelings if f["whose"] == "writer" and not f["negated"]}


def feelings_precision() -> dict[str, object]:
    """The writer's own named feelings, as the second labeller and as Attunement name them,
    against the data's labels: precision (of the words named, the share the data names
    too) and recall, over the same sentences and entries; and Attunement's against the
    second labeller's."""
    lines = (SECOND / "feelings.jsonl").read_text(encoding="utf-8").splitlines()
    second = {d["id"]: _writers_own(d["feelings"]) for d in map(json.loads, filter(None, lines))}
    items = {
        i.data["id"]: i
        for kind in ("sentences", "entries")
        for i in load(kind)
        if i.data["id"] in second
    }
    tally: dict[str, Counter[str]] = {
        "second_labeller": Counter(),
        "attunement": Counter(),
        "attunement_vs_second_labeller": Counter(),
    }
    for key, item in items.items():
        gold = _writers_own([f for f in item.data.get("feelings", []) if isinstance(f, dict)])
        ours = {f.word.lower() for f in named_feelings(item.text) if f.writers_own}
        for who, named, truth in (
            ("second_labeller", second[key], gold),
            ("attunement", ours, gold),
            ("attunement_vs_second_labeller", ours, second[key]),
        ):
            tally[who]["tp"] += len(named & truth)
            tally[who]["named"] += len(named)
            tally[who]["gold"] += len(truth)
    return {
        "items": len(items),
        **{
            who: {
                "precision": round(c["tp"] / max(c["named"], 1), 4),
                "recall": round(c["tp"] / max(c["gold"], 1), 4),
            }
            for who, c in tally.items()
        },
    }


def compare(gold: dict[str, set[str]], other: dict[str, set[str]]) -> dict[str, object]:
    """Micro-F1 over markers, each marker's F1 and the share of items with the same set."""
    per: dict[str, Counter[str]] = {}
    for key, want in gold.items():
        got = other[key]
        for marker in want | got:
            c = per.setdefault(marker, Counter())
            c["tp"] += marker in want and marker in got
            c["fp"] += marker in got and marker not in want
            c["fn"] += marker in want and marker not in got
    total: Counter[str] = Counter()
    for c in per.values():
        total.update(c)

    def f1(c: Counter[str]) -> float:
        return 2 * c["tp"] / max(2 * c["tp"] + c["fp"] + c["fn"], 1)

    return {
        "micro_f1": f1(total),
        "same": sum(gold[k] == other[k] for k in gold) / len(gold),
        "per_marker": {m: f1(c) for m, c in per.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="Keep the figures for the card.")
    args = parser.parse_args()
    recorded: dict[str, object] = {"date": datetime.date.today().isoformat()}
    print("Agreement with the data's labels, on the items a second labeller labelled blind\n")
    print(f"{'items':24s} {'measure':26s} {'second labeller':>16s} {'Attunement':>11s}")
    lowest = {}
    for kind, measure in (("sentences", "markers micro-F1"), ("entries", "all markers the same")):
        second = _second(kind)
        items = {i.data["id"]: i for i in load(kind) if i.data["id"] in second}
        if set(items) != set(second):
            raise SystemExit(f"agreement/{kind}.jsonl names items the data does not have")
        gold = {k: set(i.data["markers"]) for k, i in items.items()}
        ours = {k: {f.id for f in find_markers(i.text) if f.counts} for k, i in items.items()}
        human, machine = compare(gold, second), compare(gold, ours)
        key = "micro_f1" if kind == "sentences" else "same"
        label = f"{kind} ({len(items)})"
        print(f"{label:24s} {measure:26s} {human[key]:16.3f} {machine[key]:11.3f}")
        if kind == "entries":
            print(
                f"{'':24s} {'markers micro-F1':26s} {human['micro_f1']:16.3f} "
                f"{machine['micro_f1']:11.3f}"
            )
        lowest[kind] = (human["per_marker"], machine["per_marker"])
        recorded[kind] = {
            "items": len(items),
            "second_labeller": {k: round(float(human[k]), 4) for k in ("micro_f1", "same")},
            "attunement": {k: round(float(machine[k]), 4) for k in ("micro_f1", "same")},
        }
    feelings = feelings_precision()
    for measure in ("precision", "recall"):
        label = f"feelings ({feelings['items']})" if measure == "precision" else ""
        print(
            f"{label:24s} {'named feelings ' + measure:26s} "
            f"{feelings['second_labeller'][measure]:16.3f} {feelings['attunement'][measure]:11.3f}"
        )
    print(
        f"{'':24s} {'Attunement against the second labeller: precision':>54s} "
        f"{feelings['attunement_vs_second_labeller']['precision']:.3f}"
    )
    recorded["feelings"] = feelings
    print("\nEach marker's F1 on the sentences (second labeller / Attunement):")
    human, machine = lowest["sentences"]
    for marker in sorted(human, key=lambda m: human[m]):
        print(f"  {marker:26s} {human[marker]:.3f} / {machine.get(marker, 0.0):.3f}")
    if args.record:
        report = json.loads(REPORT.read_text(encoding="utf-8"))
        report["labeller_agreement"] = recorded
        REPORT.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
