"""De-identification: precision and recall of the detector on sentences written for it.

    python benchmarks/deid_benchmark.py [--split test|dev|all] [--errors] [--json]

The sentences (benchmarks/deid/sentences.txt) were written for Attunement in caregivers'
voices, with names from many cultures, word-names (Hope, Grace, Will, May, Blessing,
Memory) beside the same words used as words, and place-like words (Reading, Bath, Nice).
Each marked detail is `{type|text}`; the marking guideline is at the top of the file.

The split is fixed by a hash of each sentence: about 30% dev, the rest test. Change the
detector only by looking at dev (`--split dev --errors`); report test.

Scoring, per type:
- recall: share of marked details that a finding of the same type overlaps;
- hidden: share of marked details that any finding overlaps (what redaction needs);
- precision: share of findings of that type that overlap a marked detail of that type.
Overall precision counts a finding as right when it overlaps any marked detail.
Targets (issue 6): recall >= 0.95 for contact details (phone, e-mail, URL, address,
postcode) and for record numbers, >= 0.90 for names, overall precision >= 0.90.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from attunement.analysis import deid

SENTENCES = Path(__file__).parent / "deid" / "sentences.txt"
MARK = re.compile(r"\{(\w+)\|([^{}]+)\}")
GROUPS = {
    "contact details": ("phone", "email", "url", "address", "postcode"),
    "record numbers": ("record",),
    "names": ("name",),
}
TARGETS = {"contact details": 0.95, "record numbers": 0.95, "names": 0.90}
PRECISION_TARGET = 0.90


@dataclass(frozen=True)
class Span:
    type: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Sentence:
    line: int
    text: str
    spans: tuple[Span, ...]

    @property
    def split(self) -> str:
        digest = hashlib.sha256(self.text.encode("utf-8")).digest()
        return "dev" if digest[0] % 10 < 3 else "test"


def parse(line_no: int, marked: str) -> Sentence:
    """`{name|Amara} rang` -> text "Amara rang" with a name span (0, 5)."""
    text, spans, last = [], [], 0
    length = 0
    for m in MARK.finditer(marked):
        kind, value = m.group(1), m.group(2)
        if kind not in deid.TYPES:
            raise ValueError(f"line {line_no}: unknown type {kind!r}")
        plain = marked[last : m.start()]
        text.append(plain)
        length += len(plain)
        spans.append(Span(kind, length, length + len(value), value))
        text.append(value)
        length += len(value)
        last = m.end()
    text.append(marked[last:])
    plain_text = "".join(text)
    if "{" in plain_text or "}" in plain_text:
        raise ValueError(f"line {line_no}: unbalanced markup")
    return Sentence(line_no, plain_text, tuple(spans))


def load(path: Path = SENTENCES) -> list[Sentence]:
    out = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.strip() and not raw.startswith("#"):
            out.append(parse(number, raw.strip()))
    return out


def overlaps(a: Span | deid.Finding, b: Span | deid.Finding) -> bool:
    return a.start < b.end and b.start < a.end


def score(sentences: list[Sentence]) -> dict:
    per = {t: {"gold": 0, "recalled": 0, "hidden": 0, "found": 0, "right": 0} for t in deid.TYPES}
    found_total = found_right = 0
    misses, false_alarms = [], []
    for s in sentences:
        findings = deid.find(s.text)
        for g in s.spans:
            row = per[g.type]
            row["gold"] += 1
            typed = any(overlaps(f, g) and f.type == g.type for f in findings)
            anytype = any(overlaps(f, g) for f in findings)
            row["recalled"] += typed
            row["hidden"] += anytype
            if not typed:
                got = [f"{f.type}:{f.text}" for f in findings if overlaps(f, g)]
                misses.append(f"line {s.line}: {g.type} {g.text!r} (found as {got or 'nothing'})")
        for f in findings:
            row = per[f.type]
            row["found"] += 1
            row["right"] += any(overlaps(f, g) and f.type == g.type for g in s.spans)
            hit = any(overlaps(f, g) for g in s.spans)
            found_total += 1
            found_right += hit
            if not hit:
                false_alarms.append(f"line {s.line}: {f.type} {f.text!r} in {s.text!r}")
    table = {}
    for t, row in per.items():
        table[t] = {
            "marked": row["gold"],
            "recall": round(row["recalled"] / row["gold"], 3) if row["gold"] else None,
            "hidden": round(row["hidden"] / row["gold"], 3) if row["gold"] else None,
            "findings": row["found"],
            "precision": round(row["right"] / row["found"], 3) if row["found"] else None,
        }
    groups = {}
    for group, types in GROUPS.items():
        gold = sum(per[t]["gold"] for t in types)
        recalled = sum(per[t]["recalled"] for t in types)
        groups[group] = {
            "marked": gold,
            "recall": round(recalled / gold, 3) if gold else None,
            "target": TARGETS[group],
        }
    return {
        "sentences": len(sentences),
        "types": table,
        "groups": groups,
        "precision": {
            "findings": found_total,
            "overall": round(found_right / found_total, 3) if found_total else None,
            "target": PRECISION_TARGET,
        },
        "misses": misses,
        "false_alarms": false_alarms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("test", "dev", "all"), default="test")
    parser.add_argument("--errors", action="store_true", help="list misses and false alarms")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sentences = [s for s in load() if args.split in ("all", s.split)]
    started = time.perf_counter()
    result = score(sentences)
    seconds = time.perf_counter() - started
    if args.json:
        if not args.errors:
            result.pop("misses")
            result.pop("false_alarms")
        print(json.dumps(result, indent=1))
        return
    print(
        f"De-identification on the {args.split} split: {result['sentences']} sentences, "
        f"{seconds * 1000 / max(len(sentences), 1):.2f} ms a sentence\n"
    )
    print(f"{'type':10} {'marked':>6} {'recall':>7} {'hidden':>7} {'found':>6} {'precision':>9}")
    for t, row in result["types"].items():

        def cell(v: float | None) -> str:
            return "-" if v is None else f"{v:.3f}"

        print(
            f"{t:10} {row['marked']:>6} {cell(row['recall']):>7} {cell(row['hidden']):>7} "
            f"{row['findings']:>6} {cell(row['precision']):>9}"
        )
    print()
    for group, row in result["groups"].items():
        met = "met" if row["recall"] is not None and row["recall"] >= row["target"] else "NOT met"
        print(f"recall, {group}: {row['recall']} (target >= {row['target']}: {met})")
    p = result["precision"]
    met = "met" if p["overall"] is not None and p["overall"] >= p["target"] else "NOT met"
    print(
        f"precision, overall: {p['overall']} over {p['findings']} findings "
        f"(target >= {p['target']}: {met})"
    )
    if args.errors:
        print("\nmissed or mistyped:")
        print("\n".join("  " + m for m in result["misses"]) or "  none")
        print("\nfalse alarms:")
        print("\n".join("  " + m for m in result["false_alarms"]) or "  none")


if __name__ == "__main__":
    main()
