"""Hypothesis: whatever someone writes comes back out byte for byte."""

from __future__ import annotations

import io
import json
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunement.core.journal import Journal
from attunement.interop import attune_json, import_file

# Any Unicode except lone surrogates (not encodable) and NUL (refused as binary).
text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=400,
).filter(lambda s: s.strip())
titles = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=60)
moments = st.datetimes(
    min_value=datetime(1990, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
    ),
)
entry = st.fixed_dictionaries(
    {
        "body": text,
        "title": titles,
        "created_at": moments,
        "starred": st.booleans(),
        "edits": st.lists(text, max_size=2),
    }
)


def export_dict(journal: Journal) -> dict:
    buffer = io.StringIO()
    attune_json.write(journal, buffer)
    return json.loads(buffer.getvalue())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(entry, min_size=1, max_size=6))
def test_export_then_import_reproduces_every_entry_exactly(items):
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        with Journal.open(base / "a") as source:
            for item in items:
                written = source.write(
                    item["body"],
                    title=item["title"].strip(),
                    starred=item["starred"],
                    created_at=item["created_at"],
                )
                for edit in item["edits"]:
                    source.edit(written.id, body=edit)
            exported = export_dict(source)
            path = base / "backup.json"
            path.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
            originals = {e.id: e for e in source.store.iter_entries()}
        with Journal.open(base / "b") as target:
            report = import_file(target, path, "attune-json")
            assert report.added == len(items) and not report.refused
            for restored in target.store.iter_entries():
                original = originals[restored.id]
                assert restored.body.encode("utf-8") == original.body.encode("utf-8")
                assert restored == original
                assert target.store.revisions(restored.id) == source_revisions(base, restored.id)
            assert export_dict(target)["entries"] == exported["entries"]


def source_revisions(base: Path, entry_id: str):
    with Journal.open(base / "a") as source:
        return source.store.revisions(entry_id)


@settings(max_examples=5, deadline=None)
@given(st.integers(min_value=900_000, max_value=1_000_000), st.sampled_from("aé🌿中"))
def test_megabyte_entries_survive_the_round_trip(size, char):
    body = (char * size)[:size]
    with tempfile.TemporaryDirectory() as tmp:
        with Journal.open(Path(tmp) / "a") as journal:
            written = journal.write(body)
            assert journal.get(written.id).body == body
            data = export_dict(journal)
        assert data["entries"][0]["body"] == body


turns = st.lists(
    st.fixed_dictionaries(
        {
            "speaker": titles.filter(lambda s: s.strip()),
            "text": text,
            "start": st.none() | st.floats(min_value=0, max_value=1e6, allow_nan=False),
            "end": st.none() | st.floats(min_value=0, max_value=1e6, allow_nan=False),
        }
    ),
    min_size=1,
    max_size=5,
)
scores = st.dictionaries(
    st.sampled_from(["emotional_reactions", "interpretations", "explorations", "reflection"]),
    st.floats(min_value=0, max_value=1, allow_nan=False),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(titles, turns, st.booleans()), min_size=1, max_size=3),
    st.lists(st.tuples(text, scores, moments, st.booleans()), min_size=1, max_size=3),
)
def test_transcripts_and_practice_responses_come_back_exactly(sessions, responses):
    """Whatever a transcript's turns or a practice response hold, export → import → export
    gives the same file, and importing it again adds nothing."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        with Journal.open(base / "a") as source:
            entry = source.write("About the session.")
            checkin = source.checkin(ease=5)
            for title, session_turns, linked in sessions:
                source.store.add_transcript(
                    title=title.strip(),
                    fmt="vtt",
                    caregiver=session_turns[0]["speaker"],
                    turns=session_turns,
                    entry_id=entry.id if linked else None,
                )
            for response, given_scores, when, with_checkin in responses:
                source.store.add_attempt(
                    vignette_id="v17",
                    response=response,
                    scores=given_scores,
                    feedback={"response": response, "did_well": ["…"], "nested": {"a": [1]}},
                    checkin_id=checkin.id if with_checkin else None,
                    now=when,
                )
            exported = export_dict(source)
        path = base / "backup.json"
        path.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
        with Journal.open(base / "b") as target:
            report = import_file(target, path, "attune-json")
            assert report.transcripts_added == len(sessions)
            assert report.practice_added == len(responses)
            again = export_dict(target)
            for key in ("transcripts", "practice"):
                assert again[key] == exported[key], key
            twice = import_file(target, path, "attune-json")
            assert twice.transcripts_added == 0 and twice.practice_added == 0
            assert export_dict(target)["transcripts"] == exported["transcripts"]
