"""Loading the shared research datasets with their fixed splits, for `attune eval` and for
the training scripts (`training/`). Plain CSV and JSON reading: no heavy dependencies.

GoEmotions has its own train/dev/test files. AnnoMI and EPITOME have none published, so
``split.csv`` beside each fixes one (grouped by transcript and by seeker post). Tune on
train/dev; test is read only to report a chosen model once.
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path


def default_datasets() -> Path:
    """$ATTUNE_DATASETS, else ../shared/datasets beside a source checkout."""
    import os

    env = os.environ.get("ATTUNE_DATASETS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[4] / "shared" / "datasets"


DEFAULT_DATASETS = default_datasets()


@dataclass(frozen=True)
class Example:
    text: str
    labels: tuple[str, ...]
    split: str
    context: str = ""
    group: str = ""
    rationale: tuple[str, ...] = ()


def goemotions(root: Path) -> tuple[list[str], dict[str, list[str]], list[Example]]:
    folder = root / "goemotions"
    names = (folder / "emotions.txt").read_text(encoding="utf-8").split()
    ekman = json.loads((folder / "ekman_mapping.json").read_text(encoding="utf-8"))
    examples = []
    for split in ("train", "dev", "test"):
        with (folder / f"{split}.tsv").open(encoding="utf-8") as handle:
            for line in handle:
                text, ids, comment_id = line.rstrip("\n").split("\t")
                labels = tuple(names[int(i)] for i in ids.split(","))
                examples.append(Example(text, labels, split, group=comment_id))
    return names, ekman, examples


def ekman_labels(labels: tuple[str, ...], mapping: dict[str, list[str]]) -> tuple[str, ...]:
    out = {group for group, members in mapping.items() for label in labels if label in members}
    if "neutral" in labels:
        out.add("neutral")
    return tuple(sorted(out))


def _annomi_splits(root: Path) -> dict[str, str]:
    with (root / "annomi" / "split.csv").open(encoding="utf-8") as handle:
        return {row["transcript_id"]: row["split"] for row in csv.DictReader(handle)}


def _majority(values: list[str]) -> str:
    counts = Counter(values)
    best = max(counts.values())
    return sorted(v for v, c in counts.items() if c == best)[0]


def annomi(root: Path) -> list[dict[str, str]]:
    """One row per utterance, in transcript order; utterances labelled by several
    annotators take the majority label of each field."""
    splits = _annomi_splits(root)
    grouped: dict[tuple[int, int], list[dict[str, str]]] = defaultdict(list)
    with (root / "annomi" / "AnnoMI-full.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            grouped[(int(row["transcript_id"]), int(row["utterance_id"]))].append(row)
    rows = []
    fields = (
        "main_therapist_behaviour",
        "reflection_subtype",
        "question_subtype",
        "therapist_input_subtype",
        "client_talk_type",
    )
    for key in sorted(grouped):
        versions = grouped[key]
        row = dict(versions[0])
        for name in fields:
            row[name] = _majority([v[name] for v in versions])
        row["split"] = splits[row["transcript_id"]]
        rows.append(row)
    previous = ""
    last_transcript = None
    for row in rows:
        if row["transcript_id"] != last_transcript:
            previous, last_transcript = "", row["transcript_id"]
        row["previous"] = previous
        previous = row["utterance_text"]
    return rows


THERAPIST_MAIN = {
    "reflection": "reflection",
    "question": "question",
    "therapist_input": "input",
    "other": "other",
}


def annomi_therapist(root: Path) -> list[Example]:
    return [
        Example(
            r["utterance_text"],
            (THERAPIST_MAIN[r["main_therapist_behaviour"]],),
            r["split"],
            context=r["previous"],
            group=r["transcript_id"],
        )
        for r in annomi(root)
        if r["interlocutor"] == "therapist"
    ]


def annomi_subtype(root: Path, main: str, field: str) -> list[Example]:
    return [
        Example(
            r["utterance_text"],
            (r[field],),
            r["split"],
            context=r["previous"],
            group=r["transcript_id"],
        )
        for r in annomi(root)
        if r["interlocutor"] == "therapist"
        and r["main_therapist_behaviour"] == main
        and r[field] not in ("n/a", "")
    ]


def annomi_client(root: Path) -> list[Example]:
    return [
        Example(
            r["utterance_text"],
            (r["client_talk_type"],),
            r["split"],
            context=r["previous"],
            group=r["transcript_id"],
        )
        for r in annomi(root)
        if r["interlocutor"] == "client"
    ]


EPITOME_FILES = {
    "emotional_reactions": "emotional-reactions-reddit.csv",
    "interpretations": "interpretations-reddit.csv",
    "explorations": "explorations-reddit.csv",
}


def epitome(root: Path, task: str) -> list[Example]:
    folder = root / "epitome"
    with (folder / "split.csv").open(encoding="utf-8") as handle:
        splits = {row["sp_id"]: row["split"] for row in csv.DictReader(handle)}
    seen: set[tuple[str, str]] = set()
    examples = []
    with (folder / EPITOME_FILES[task]).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            key = (row["sp_id"], row["rp_id"])
            if key in seen:  # 61 pairs appear twice; keep the first
                continue
            seen.add(key)
            rationale = tuple(s for s in (row.get("rationales") or "").split("|") if s.strip())
            examples.append(
                Example(
                    row["response_post"],
                    (row["level"],),
                    splits[row["sp_id"]],
                    context=row["seeker_post"],
                    group=row["sp_id"],
                    rationale=rationale,
                )
            )
    return examples
