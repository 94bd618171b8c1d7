"""The in-domain data written and labelled for Attunement (training/caregiver/), loaded,
checked against the guideline's shape, and split by writer (build time only).

    python -m training.caregiver_data      # counts per part, per marker and per code

A writer's items all go to one part, chosen by a hash of the writer id (a bucket 0-9):

- buckets 0-5 train and 6-7 dev, as from the start;
- buckets 8-9 were the first test part, scored once (its figures are in the history of
  docs/model-cards/caregiver.md); that part is spent, so its writers now join the others,
  half each by the same hash: bucket 8 trains, bucket 9 is dev. About 70% of these writers
  train and 30% are dev (thresholds and choices; cross-validation by writer on both).
- the second test part, by writers whose ids start with "h" (``*/h.jsonl``), was scored
  once as well and is spent in the same way: its writers train or tune by the same hash;
  so is the third, by writers whose ids start with "k" (``*/k.jsonl``), the fourth, by
  writers whose ids start with "r" (``*/r.jsonl``), the fifth, "s" (``*/s.jsonl``), the
  sixth, "u" (``*/u.jsonl``), the seventh, "v" (``*/v.jsonl``), the eighth, "w"
  (``*/w.jsonl``), the ninth, "x" (``*/x.jsonl``), the tenth, "y" (``*/y.jsonl``), the
  eleventh, "z" (``*/z.jsonl``), the twelfth, "j" (``*/j.jsonl``), the thirteenth, "za"
  (``*/za.jsonl``), the fourteenth, "zb" (``*/zb.jsonl``), the fifteenth, "zc"
  (``*/zc.jsonl``), the sixteenth, "zd" (``*/zd.jsonl``), the seventeenth, "ze"
  (``*/ze.jsonl``), the eighteenth, "zf" (``*/zf.jsonl``), the nineteenth, "zg"
  (``*/zg.jsonl``), the twentieth, "zh" (``*/zh.jsonl``, seven writers), and the
  twenty-first, "zi" (``*/zi.jsonl``), the twenty-second, "zj" (``*/zj.jsonl``), the
  twenty-third, "zk" (``*/zk.jsonl``), and the twenty-fourth, "zl" (``*/zl.jsonl``, twelve
  writers).
- The test part is ``training/caregiver/heldout/`` (``sentences.jsonl``, ``entries.jsonl``,
  ``replies.jsonl``), written by new writers whose ids start with "zm", whenever that
  folder exists: scored once, by ``benchmarks/caregiver_feedback.py --split test``. Until it
  does there is no test part, and the benchmark and the model card say so.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attunement.analysis.replies import FIXING_CODES, PART_CODES
from attunement.analysis.replies import reply_code as codes_to_reply

__all__ = ["FIXING_CODES", "PART_CODES", "has_test_part", "load", "reply_code", "split_of"]

ROOT = Path(__file__).resolve().parent / "caregiver"
HELDOUT = "heldout"  # the folder of the test part, under ROOT
HELDOUT_PREFIX = "zm"  # every held-out writer's id starts with this, and no other's does
KINDS = ("sentences", "entries", "replies")
POWER = ("fixing", "sympathy", "assumption")
EKMAN = ("anger", "disgust", "fear", "joy", "sadness", "surprise")
# The bars on the test part, printed beside each figure by the benchmark.
TARGETS = {
    "markers micro-F1": 0.85,
    "lowest marker F1": 0.70,
    "entries all right": 0.80,
    "reply MI macro-F1": 0.85,
    "advice/reassurance recall": 0.95,
    "feeling met F1": 0.85,
    "named feelings precision": 0.90,
    "evidence with a content word": 0.98,
}


def split_of(writer: str) -> str:
    """The part a writer's items belong to: "test" for the held-out writers ("k…"), else
    "train" or "dev" by the writer's hash bucket (module docstring)."""
    if writer.startswith(HELDOUT_PREFIX):
        return "test"
    bucket = int(hashlib.sha256(writer.encode("utf-8")).hexdigest(), 16) % 10
    if bucket < 6 or bucket == 8:  # 8: half of the spent first test part
        return "train"
    return "dev"  # 6, 7 and 9 (the other half of the spent test part)


def has_test_part(root: Path = ROOT) -> bool:
    """Whether the held-out test part exists (any of its three files)."""
    return any((root / HELDOUT / f"{kind}.jsonl").is_file() for kind in KINDS)


def reply_code(parts: list[dict[str, Any]]) -> str:
    """The reply's MI code from its labelled parts, by the app's own rule."""
    return codes_to_reply([p["code"] for p in parts])


@dataclass(frozen=True)
class Item:
    kind: str  # sentences | entries | replies
    data: dict[str, Any]

    @property
    def split(self) -> str:
        return split_of(self.data["writer"])

    @property
    def text(self) -> str:
        return str(self.data["text"])


class BadData(ValueError):
    pass


def _check(kind: str, item: dict[str, Any], where: str, markers: set[str]) -> None:
    text = item.get("text")
    if not isinstance(text, str) or not text.strip() or not item.get("writer"):
        raise BadData(f"{where}: no text or writer")
    for m in item.get("markers", []):
        if m not in markers:
            raise BadData(f"{where}: unknown marker {m!r}")
    for m, words in item.get("evidence", {}).items():
        if m not in markers or words not in text:
            raise BadData(f"{where}: evidence for {m!r} is not in the text")
    for f in item.get("feelings", []):
        word = f["word"] if isinstance(f, dict) else f
        if word not in text:
            raise BadData(f"{where}: feeling word {word!r} is not in the text")
    if kind == "replies":
        for part in item["parts"]:
            if part["code"] not in PART_CODES or part["text"] not in text:
                raise BadData(f"{where}: part {part!r} is not a known code or not in the text")
        for name in ("er", "ip", "ex"):
            if item[name] not in (0, 1, 2):
                raise BadData(f"{where}: {name} must be 0, 1 or 2")
        if any(p not in POWER for p in item.get("power", [])):
            raise BadData(f"{where}: unknown power sign")
    if kind == "entries" and any(e not in EKMAN for e in item.get("emotions", [])):
        raise BadData(f"{where}: unknown emotion group")


def load(kind: str, root: Path = ROOT) -> list[Item]:
    """Every item of one kind: the train and dev writers' (``root/kind/*.jsonl``) and,
    where it exists, the held-out test part's (``root/heldout/kind.jsonl``). A held-out
    writer's id must start with HELDOUT_PREFIX and no other writer's may, so that no writer
    is ever in two parts."""
    from attunement.analysis.markers import lexicon

    markers = {m.id for m in lexicon().markers}
    items = []
    seen: set[str] = set()
    heldout = root / HELDOUT / f"{kind}.jsonl"
    paths = sorted((root / kind).glob("*.jsonl")) + ([heldout] if heldout.is_file() else [])
    for path in paths:
        is_heldout = path == heldout
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.relative_to(root)}:{number}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BadData(f"{where}: not JSON ({exc})") from exc
            _check(kind, data, where, markers)
            if str(data["writer"]).startswith(HELDOUT_PREFIX) != is_heldout:
                raise BadData(
                    f"{where}: writer {data['writer']!r}: held-out writers' ids start with "
                    f"{HELDOUT_PREFIX!r} and only theirs (rename the writer)"
                )
            key = data.get("id") or where
            if key in seen:
                raise BadData(f"{where}: id {key!r} appears twice")
            seen.add(key)
            items.append(Item(kind, data))
    return items


def main() -> None:
    if not has_test_part():
        print(f"no test part yet ({ROOT / HELDOUT} does not exist)")
    for kind in KINDS:
        items = load(kind)
        splits = Counter(i.split for i in items)
        writers = {s: len({i.data["writer"] for i in items if i.split == s}) for s in splits}
        print(f"{kind}: {len(items)} {dict(splits)} writers {writers}")
        if kind != "replies":
            counts = Counter(m for i in items for m in i.data.get("markers", []))
            print("  markers:", dict(sorted(counts.items())))
        else:
            counts = Counter(p["code"] for i in items for p in i.data["parts"])
            print("  parts:", dict(counts))
            print("  codes:", dict(Counter(reply_code(i.data["parts"]) for i in items)))


if __name__ == "__main__":
    main()
