"""How the caregiver data is split: every writer in one part only; the spent first test
part's writers shared between train and dev by the same hash; the held-out folder by new
writers is the test part, and only when it exists."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from training.caregiver_data import HELDOUT_PREFIX, BadData, has_test_part, load, split_of

HELD = HELDOUT_PREFIX  # the test part's writers' ids start with this

REPO = Path(__file__).resolve().parent.parent


def bucket(writer: str) -> int:
    return int(hashlib.sha256(writer.encode("utf-8")).hexdigest(), 16) % 10


def writers_in(wanted: int, count: int = 3) -> list[str]:
    found = [w for w in (f"w{i:03d}" for i in range(500)) if bucket(w) == wanted]
    return found[:count]


def write(folder: Path, name: str, rows: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def sentence(writer: str, n: int, text: str = "I sat with her a while.") -> dict:
    return {"id": f"{writer}-s{n}", "writer": writer, "text": text, "markers": []}


def test_the_spent_test_writers_are_shared_between_train_and_dev_by_their_hash():
    assert {split_of(w) for b in range(6) for w in writers_in(b)} == {"train"}
    assert {split_of(w) for b in (6, 7) for w in writers_in(b)} == {"dev"}
    assert {split_of(w) for w in writers_in(8)} == {"train"}
    assert {split_of(w) for w in writers_in(9)} == {"dev"}
    assert split_of(f"{HELD}07") == "test"
    assert split_of("k07") in {"train", "dev"}  # the third test part, spent
    assert split_of("r07") in {"train", "dev"}  # the fourth, spent


def test_with_no_heldout_folder_there_is_no_test_part(tmp_path):
    root = tmp_path / "caregiver"
    write(root / "sentences", "a.jsonl", [sentence(w, 1) for w in writers_in(8) + writers_in(9)])
    items = load("sentences", root)
    assert not has_test_part(root)
    assert {i.split for i in items} == {"train", "dev"}


def test_the_heldout_folder_is_the_test_part_and_no_writer_is_in_two_parts(tmp_path):
    root = tmp_path / "caregiver"
    write(root / "sentences", "a.jsonl", [sentence(w, n) for n, w in enumerate(writers_in(0, 9))])
    write(
        root / "heldout",
        "sentences.jsonl",
        [sentence(f"{HELD}01", 1, "The corridor was cold."), sentence(f"{HELD}02", 1)],
    )
    items = load("sentences", root)
    assert has_test_part(root)
    assert [i.data["writer"] for i in items if i.split == "test"] == [f"{HELD}01", f"{HELD}02"]
    parts: dict[str, set[str]] = {}
    for item in items:
        parts.setdefault(item.data["writer"], set()).add(item.split)
    assert all(len(p) == 1 for p in parts.values())
    # Entries and replies may come later: a kind with no held-out file has no test items.
    assert load("entries", root) == []


@pytest.mark.parametrize(
    "folder,name,writer",
    [("heldout", "sentences.jsonl", "a44"), ("sentences", "b.jsonl", f"{HELD}12")],
)
def test_a_writer_in_the_wrong_part_is_refused_naming_the_file(tmp_path, folder, name, writer):
    root = tmp_path / "caregiver"
    write(root / folder, name, [sentence(writer, 1)])
    with pytest.raises(BadData, match=rf"{folder}/{name}:1: writer '{writer}'"):
        load("sentences", root)


def test_the_benchmark_says_plainly_when_there_is_no_test_part():
    if has_test_part():
        pytest.skip("the held-out test part exists here")
    done = subprocess.run(
        [sys.executable, "benchmarks/caregiver_feedback.py", "--split", "test"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "There is no test part yet" in done.stdout
    assert "Traceback" not in done.stderr


def test_the_spent_second_test_part_trains_and_tunes_like_any_other_writer():
    # Its writers ("h…") were scored once; now they are split by the same hash as the rest.
    assert split_of("h07") in {"train", "dev"}
    items = load("sentences")
    assert {i.split for i in items if i.data["writer"].startswith("h")} == {"train", "dev"}
