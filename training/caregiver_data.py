"""The in-domain data written and labelled for Attunement (training/caregiver/), loaded,
checked against the guideline's shape, and split by writer (build time only).

    python -m training.caregiver_data      # counts per part, per marker and per code

A writer's items all go to one part, chosen by a hash of the writer id: about 60% of
writers train, 20% dev (thresholds and choices), 20% test (scored once).
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

__all__ = ["FIXING_CODES", "PART_CODES", "load", "reply_code", "split_of"]

ROOT = Path(__file__).resolve().parent / "caregiver"
POWER = ("fixing", "sympathy", "assumption")
EKMAN = ("anger", "disgust", "fear", "joy", "sadness", "surprise")


def split_of(writer: str) -> str:
    bucket = int(hashlib.sha256(writer.encode("utf-8")).hexdigest(), 16) % 10
    return "train" if bucket < 6 else ("dev" if bucket < 8 else "test")


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
    from attunement.analysis.markers import lexicon

    markers = {m.id for m in lexicon().markers}
    items = []
    seen: set[str] = set()
    for path in sorted((root / kind).glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BadData(f"{where}: not JSON ({exc})") from exc
            _check(kind, data, where, markers)
            key = data.get("id") or where
            if key in seen:
                raise BadData(f"{where}: id {key!r} appears twice")
            seen.add(key)
            items.append(Item(kind, data))
    return items


def main() -> None:
    for kind in ("sentences", "entries", "replies"):
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
