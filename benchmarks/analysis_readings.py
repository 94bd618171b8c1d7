"""The readings of a fixed, varied corpus, to show that a change to how analysis runs
(batching, caching, encoding ahead) changes no reading.

    python benchmarks/analysis_readings.py --dump before.json     # on the old code
    python benchmarks/analysis_readings.py --dump after.json      # on the new code
    python benchmarks/analysis_readings.py --compare before.json after.json
    python benchmarks/analysis_readings.py --batch                # batch against one by one

The corpus: every whole entry written for Attunement (training/caregiver/entries), read
as a journal entry and as a reply to a vignette's statement; every tenth practice reply
(training/caregiver/replies) with its vignette's statement; and some odd texts (very
long, Markdown, quotations, one word, a sentence longer than the encoder reads). Each
item is read one at a time with every cache emptied first (``--dump``): the entry's
``analyze_text``, the reply's ``analyze_response`` and the ``attune analyze --batch``
line (``analyze_item``). ``--batch`` runs ``attune analyze --batch`` over the same items
and checks that every line is exactly what the one-by-one reading gives.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ODD = [
    "Tired.",
    "# Tuesday\n\n- saw Mrs. Patel at 9\n- couldn't focus\n- my shoulders were up around my"
    " ears all day\n\n1. Ask for supervision\n2. Sleep",
    '"At least you still have your kids," she said, and I wanted to say something better.'
    " I didn't. I wasn't curious; I was exhausted and I just nodded.",
    "I noticed " + "and then I noticed " * 90 + "that my breath had dropped into my belly.",
    "She was furious and I was frightened… Then quiet. Then: “Don't worry, love.” I said"
    " nothing?! Why?",
    " ".join(
        "After twenty years of night shifts I can tell when a family is about to break, and"
        " tonight I presumed he was ready before he had even finished speaking."
        for _ in range(40)
    ),
    "Ich war müde. Je suis fatiguée. I was so tired 😔 and my hands were cold.",
    "Maybe you could ask your brother to sit with her tonight so you can sleep?",
]


def corpus() -> list[dict[str, Any]]:
    """The items, as `attune analyze --batch` lines."""
    from attunement.practice.vignettes import vignettes

    statements = {v.id: v.statement for v in vignettes()}
    first = statements[sorted(statements)[0]]
    items: list[dict[str, Any]] = []
    folder = ROOT / "training" / "caregiver"
    for path in sorted((folder / "entries").glob("*.jsonl")):
        for number, line in enumerate(path.read_text("utf-8").splitlines()):
            entry = json.loads(line)
            items.append({"id": entry["id"], "text": entry["text"]})
            if number % 3 == 0:
                context = statements[sorted(statements)[number % len(statements)]]
                items.append(
                    {"id": f"{entry['id']}+ctx", "text": entry["text"], "context": context}
                )
    for path in sorted((folder / "replies").glob("*.jsonl")):
        for number, line in enumerate(path.read_text("utf-8").splitlines()):
            if number % 10 == 0:
                reply = json.loads(line)
                context = statements.get(reply["vignette"], first)
                items.append({"id": reply["id"], "text": reply["text"], "context": context})
    for number, text in enumerate(ODD):
        items.append({"id": f"odd-{number}", "text": text})
        items.append({"id": f"odd-{number}+ctx", "text": text, "context": first})
        items.append({"id": f"odd-{number}+client", "text": text, "speaker": "client"})
    return items


def clear_caches() -> None:
    """Empty every cache that holds an earlier text's reading, so that each item is read
    as if it were the first."""
    from attunement.analysis import features, markers, models

    for module in (features, markers, models):
        for value in vars(module).values():
            if hasattr(value, "cache_clear") and hasattr(value, "cache_info"):
                if getattr(value, "__name__", "") not in ("lexicon", "_model"):
                    value.cache_clear()


def reading(item: dict[str, Any]) -> dict[str, Any]:
    """Everything the app shows for one item, read on its own."""
    from attunement.analysis.report import analyze_item, analyze_response, analyze_text

    clear_caches()
    out: dict[str, Any] = {"item": analyze_item(item)}
    if item.get("speaker") == "client":
        return out
    if item.get("context"):
        out["response"] = analyze_response(item["text"], item["context"]).to_dict()
    else:
        out["text"] = analyze_text(item["text"]).to_dict()
    return out


def dump(path: Path) -> None:
    readings = {item["id"]: reading(item) for item in corpus()}
    path.write_text(json.dumps(readings, indent=1, sort_keys=True), encoding="utf-8")
    print(f"{len(readings)} readings written to {path}")


def differences(a: Any, b: Any, where: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{where}/{k}: only in one" for k in set(a) ^ set(b)]
        for key in sorted(set(a) & set(b)):
            out += differences(a[key], b[key], f"{where}/{key}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in differences(x, y, f"{where}[{i}]")
        ]
    return [] if a == b else [f"{where}: {a!r} != {b!r}"]


def compare(before: Path, after: Path) -> int:
    a = json.loads(before.read_text("utf-8"))
    b = json.loads(after.read_text("utf-8"))
    found = differences(a, b)
    for line in found[:40]:
        print(line)
    print(f"{len(a)} readings compared: {len(found)} differences")
    return 1 if found else 0


def batch() -> int:
    items = corpus()
    alone = [reading(item)["item"] for item in items]
    with tempfile.TemporaryDirectory() as tmp:
        lines = Path(tmp) / "items.jsonl"
        lines.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
        run = subprocess.run(
            [sys.executable, "-m", "attunement", "--data-dir", tmp, "analyze", "--batch", lines],
            check=True,
            capture_output=True,
            text=True,
        )
    together = [json.loads(line) for line in run.stdout.splitlines()]
    found = differences(alone, together)
    for line in found[:40]:
        print(line)
    print(f"{len(items)} items: {len(found)} differences between batch and one by one")
    return 1 if found else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", type=Path, help="Write every item's reading here.")
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--batch", action="store_true", help="Batch against one by one.")
    args = parser.parse_args()
    if args.dump:
        dump(args.dump)
    if args.compare:
        sys.exit(compare(*args.compare))
    if args.batch:
        sys.exit(batch())


if __name__ == "__main__":
    main()
