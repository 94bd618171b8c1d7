"""The documentation describes what the program really prints."""

from __future__ import annotations

from datetime import UTC, datetime

from attunement.core.models import CheckIn, Draft, Entry, Revision

from .conftest import REPO

JSON_DOC = (REPO / "docs" / "json.md").read_text(encoding="utf-8")
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_every_json_field_is_documented():
    samples = [
        Entry("abcdefg", "t", "b", None, (), False, NOW, NOW),
        Revision("abcdefg", 1, "t", "b", None, (), False, NOW, NOW),
        CheckIn("abcdefg", NOW),
        Draft("abcdefg", None, None, "", "", (), NOW, NOW),
    ]
    from attunement.storage.shared import Feedback, SharedItem

    feedback = Feedback("c1", "comment", 1, "Sam", False, None, "Hm.", None, NOW)
    samples += [
        feedback,
        SharedItem(
            "s",
            "u",
            "entry",
            "abcdefg",
            1,
            "t",
            True,
            "f",
            "r",
            "Sam",
            1,
            "shared",
            None,
            NOW,
            NOW,
            feedback=[feedback],
        ),  # fmt: skip
    ]
    for sample in samples:
        for key in sample.to_dict():
            assert f"`{key}`" in JSON_DOC, f"{type(sample).__name__}.{key} is not in docs/json.md"


def test_readme_quick_start_is_what_ci_runs():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    test_command = (
        "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' && pytest"
    )
    assert test_command in readme and test_command in ci
