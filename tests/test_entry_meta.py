"""A chaplain brings years of Day One into Attunement. Where each entry was written and the
weather that day come along as the entry's metadata, shown in one quiet line, kept by
every export, and never searched, analysed or put in front of a supervisor: a place
identifies, so it stays out of the words."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
import yaml
from starlette.testclient import TestClient

from attunement.core.journal import Journal
from attunement.core.meta import clean_meta, recorded_line
from attunement.errors import InvalidInput
from attunement.storage.version import HEAD_REVISION
from attunement.web import Settings, create_app

from .conftest import DATA

# An entry as Day One 2024 writes it in Journal.json (field names and shapes from real
# exports: the location's region circle, the weather service's readings).
DAY_ONE_ENTRY = {
    "uuid": "9A3C5B1E2D4F46A8B0C7D6E5F4A3B2C1",
    "creationDate": "2024-10-03T18:42:10Z",
    "modifiedDate": "2024-10-03T19:05:44Z",
    "timeZone": "Europe/London",
    "starred": False,
    "duration": 0,
    "creationDevice": "Ruth's iPhone",
    "creationDeviceType": "iPhone",
    "creationOSName": "iOS",
    "editingTime": 412.5,
    "isPinned": False,
    "tags": ["night shift"],
    "text": "# After the vigil\n\n![](dayone-moment://5E0F3C9A)\n\nI sat with the family "
    "until the end\\. My shoulders stayed down; I let the quiet be enough\\.",
    "richText": '{"meta":{"version":1},"contents":[]}',
    "photos": [{"identifier": "5E0F3C9A", "md5": "9f1c", "type": "jpeg", "orderInEntry": 0}],
    "location": {
        "region": {
            "center": {"longitude": -1.5491, "latitude": 53.8008},
            "identifier": "<+53.80080000,-1.54910000> radius 75.00",
            "radius": 75,
        },
        "localityName": "Leeds",
        "country": "UK",
        "timeZoneName": "Europe/London",
        "administrativeArea": "England",
        "longitude": -1.5491,
        "placeName": "St James's University Hospital",
        "latitude": 53.8008,
    },
    "weather": {
        "sunsetDate": "2024-10-03T17:48:02Z",
        "temperatureCelsius": 11.6,
        "weatherServiceName": "HAMweather",
        "windBearing": 240,
        "sunriseDate": "2024-10-03T06:11:40Z",
        "conditionsDescription": "Light Rain",
        "pressureMB": 1009,
        "visibilityKM": 9.2,
        "relativeHumidity": 88,
        "windSpeedKPH": 17,
        "weatherCode": "rain-night",
        "windChillCelsius": 9.4,
        "moonPhase": 0.02,
        "moonPhaseCode": "new",
    },
}
PLACE_WORDS = ("Leeds", "James", "Hospital", "England", "53.8", "1.549", "Rain", "rain")
RECORDED = "Recorded at: St James's University Hospital, Leeds, UK · 12 °C, light rain"


def _day_one_zip(tmp_path: Path, *entries: dict) -> Path:
    archive = tmp_path / "dayone.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        export = {"metadata": {"version": "1.0"}, "entries": entries}
        zf.writestr("Journal.json", json.dumps(export))
        zf.writestr("photos/9f1c.jpeg", b"\xff\xd8\xff")
    return archive


@pytest.fixture
def imported(attune, tmp_path) -> str:
    report = attune.json("import", str(_day_one_zip(tmp_path, DAY_ONE_ENTRY)), "--from", "dayone")
    assert report["added"] == 1 and report["refused"] == []
    assert any("1 photo left out" in note for note in report["notes"])
    return attune.json("list")["entries"][0]["id"]


def test_day_one_place_and_weather_become_metadata_and_the_text_stays_clean(attune, imported):
    entry = attune.json("show", imported)
    assert entry["title"] == "After the vigil"
    assert entry["body"] == (
        "I sat with the family until the end. My shoulders stayed down; I let the quiet be enough."
    ), "no photo link, no escapes, and no place or weather in the words"
    assert entry["meta"] == {
        "location": {
            "place": "St James's University Hospital",
            "locality": "Leeds",
            "region": "England",
            "country": "UK",
            "latitude": 53.8008,
            "longitude": -1.5491,
        },
        "weather": {
            "conditions": "Light Rain",
            "temperature_c": 11.6,
            "relative_humidity": 88,
            "wind_speed_kph": 17,
            "pressure_mb": 1009,
        },
        "source": "dayone",
    }
    shown = attune("show", imported).stdout
    assert RECORDED in shown
    assert shown.rstrip().endswith("I let the quiet be enough.")


def test_metadata_is_never_searched(attune, imported):
    assert attune.json("search", "quiet")["results"][0]["entry"]["id"] == imported
    for word in ("Leeds", "James", "rain", "hospital", "England"):
        assert attune.json("search", word)["results"] == [], word


def test_an_edit_keeps_where_the_entry_was_recorded(attune, imported):
    attune("edit", imported, "--text", "I sat with the family. The quiet was enough.")
    entry = attune.json("show", imported)
    assert entry["revision"] == 2 and entry["meta"]["location"]["locality"] == "Leeds"
    [earlier] = attune.json("history", imported)["revisions"]
    assert "Leeds" not in json.dumps(earlier)


def test_export_and_import_back_keep_the_metadata(attune, imported, tmp_path):
    out = tmp_path / "backup.json"
    attune("export", "--out", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["version"] == 3
    [exported] = data["entries"]
    assert exported["meta"]["weather"]["conditions"] == "Light Rain"
    assert "Leeds" not in exported["body"]

    restored = type(attune)(tmp_path / "restored")
    assert restored.json("import", str(out), "--from", "attune-json")["added"] == 1
    assert restored.json("show", imported)["meta"] == attune.json("show", imported)["meta"]
    again = tmp_path / "again.json"
    restored("export", "--out", str(again))
    assert json.loads(again.read_text(encoding="utf-8"))["entries"] == data["entries"]


def test_the_markdown_export_puts_it_in_the_front_matter(attune, imported, tmp_path):
    folder = tmp_path / "vault"
    attune("export", "--format", "markdown", "--out", str(folder))
    [page] = folder.iterdir()
    _, front, body = page.read_text(encoding="utf-8").split("---\n", 2)
    meta = yaml.safe_load(front)["meta"]
    assert meta["location"]["place"] == "St James's University Hospital"
    assert meta["weather"]["temperature_c"] == 11.6
    assert "Leeds" not in body


def test_the_supervision_packet_and_a_share_never_carry_it(attune, imported, tmp_path):
    for redaction in ((), ("--no-redact",)):
        text = attune("packet", imported, *redaction).stdout
        made = attune.json("packet", imported, *redaction)
        html_out = tmp_path / f"packet{len(redaction)}.html"
        attune("packet", imported, *redaction, "--format", "html", "--out", str(html_out))
        assert "I let the quiet be enough" in made["document"] or redaction == ()
        for shown in (text, json.dumps(made, ensure_ascii=False), html_out.read_text("utf-8")):
            for word in PLACE_WORDS:
                assert word not in shown, (redaction, word)
            assert "Recorded at" not in shown
    from attunement.server import outgoing

    with Journal.open(attune.data_dir) as journal:
        shared = outgoing.entry(journal, imported, redact=False)
    assert "quiet be enough" in shared.body
    for word in PLACE_WORDS:
        assert word not in shared.body + shared.title, word


def test_the_entry_page_and_api_show_it_in_one_plain_line(attune, imported, data_dir):
    app = create_app(Settings(data_dir=data_dir, extra_hosts=("testserver",)))
    with TestClient(app) as client:
        page = client.get(f"/entries/{imported}").text
        assert RECORDED.replace("'", "&#39;") in page
        assert page.count("Leeds") == 1, "once, in the line, never in the text"
        api = client.get(f"/api/v1/entries/{imported}").json()
        assert api["meta"]["location"]["locality"] == "Leeds"
        written = client.post("/api/v1/entries", json={"body": "Written here."}).json()
        assert written["meta"] == {}
        assert "Recorded at" not in client.get(f"/entries/{written['id']}").text


def test_a_day_one_entry_with_only_some_of_it(attune, tmp_path):
    """Older exports give only the region's centre; some give nothing usable; a missing
    or odd value leaves out that value, never the entry."""
    only_centre = {
        "uuid": "A1",
        "creationDate": "2019-02-01T08:00:00Z",
        "text": "Early shift.",
        "location": {"region": {"center": {"latitude": 51.5, "longitude": -0.12}}},
        "weather": {"temperatureCelsius": "warm", "conditionsDescription": "Sunny\u0000"},
    }
    nothing = {
        "uuid": "A2",
        "creationDate": "2019-02-02T08:00:00Z",
        "text": "Late shift.",
        "location": "somewhere",
        "weather": {"temperatureCelsius": float("nan")},
    }
    archive = _day_one_zip(tmp_path, only_centre, nothing)
    assert attune.json("import", str(archive), "--from", "dayone")["added"] == 2
    entries = {e["body"]: e for e in attune.json("list")["entries"]}
    assert entries["Early shift."]["meta"] == {
        "location": {"latitude": 51.5, "longitude": -0.12},
        "source": "dayone",
    }
    assert entries["Late shift."]["meta"] == {}
    early = entries["Early shift."]["id"]
    assert "Recorded at: 51.5000, -0.1200" in attune("show", early).stdout


def test_a_version_1_export_still_imports(attune):
    report = attune.json("import", str(DATA / "attunement-export-v1.json"), "--from", "attune-json")
    assert report["added"] == 3 and report["refused"] == []
    everything = attune.json("list")["entries"] + attune.json("trash")["entries"]
    assert {e["id"] for e in everything} == {"3hbk5yq", "grev95d", "uauk45n"}
    assert all(e["meta"] == {} for e in everything)
    assert attune.json("history", "3hbk5yq")["revisions"][0]["body"] == (
        "I lean in and soften my voice"
    )


def test_bad_metadata_in_an_export_is_refused_naming_the_field(attune, tmp_path):
    data = json.loads((DATA / "attunement-export-v1.json").read_text(encoding="utf-8"))
    data["version"] = 2
    data["entries"][0]["meta"] = {"location": {"latitude": 123}}
    data["entries"][1]["meta"] = {"mood": "low"}
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = attune("import", str(path), "--from", "attune-json", "--json", ok=False)
    assert result.exit_code != 0
    report = json.loads(result.stdout)
    assert report["added"] == 1
    reasons = " ".join(r["reason"] for r in report["refused"])
    assert "entries[0].meta.location.latitude must be a number from -90 to 90." in reasons
    assert "entries[1].meta.mood is not a metadata field" in reasons
    assert "Traceback" not in result.output


def test_metadata_is_checked_strictly_or_leniently():
    good = {"location": {"locality": "Leeds", "latitude": 53.8}, "source": "dayone"}
    assert clean_meta(good) == good
    assert clean_meta(None) == {} and clean_meta({}) == {}
    for bad, field in (
        ([1], "meta"),
        ({"location": "Leeds"}, "meta.location"),
        ({"weather": {"temperature_c": True}}, "meta.weather.temperature_c"),
        ({"weather": {"conditions": "x" * 201}}, "meta.weather.conditions"),
        ({"location": {"place": "two\nlines"}}, "meta.location.place"),
        ({"location": {"longitude": float("inf")}}, "meta.location.longitude"),
        ({"source": "evernote"}, "meta.source"),
    ):
        with pytest.raises(InvalidInput) as caught:
            clean_meta(bad)
        assert caught.value.field == field, bad
        assert clean_meta(bad, strict=False) == {}, bad


def test_the_recorded_line():
    assert recorded_line({}) == ""
    assert recorded_line({"location": {"locality": "Leeds", "country": "UK"}}) == (
        "Recorded at: Leeds, UK"
    )
    assert recorded_line({"weather": {"temperature_c": -0.4, "conditions": "Snow"}}) == (
        "Weather when recorded: 0 °C, snow"
    )
    assert recorded_line(
        {"location": {"locality": "Leeds", "country": "UK"}, "weather": {"temperature_c": 11.6}}
    ) == ("Recorded at: Leeds, UK · 12 °C")


def test_a_journal_from_schema_0005_gains_metadata_with_its_content_unchanged(tmp_path):
    """Golden file made at schema 0005 (before metadata): it opens, its entries have none,
    nothing else changes, and a Day One import into it keeps place and weather."""
    path = tmp_path / "journal.sqlite3"
    shutil.copy(DATA / "journal-schema-0005.sqlite3", path)

    def content() -> list[tuple]:
        conn = sqlite3.connect(path)
        rows = conn.execute(
            "SELECT id, title, body, created_at, revision, source FROM entries ORDER BY id"
        ).fetchall()
        conn.close()
        return rows

    before = content()
    assert len(before) == 3
    with Journal.open(tmp_path) as journal:
        assert journal.store.integrity_check() == "ok"
        entries = journal.list_entries()
        assert len(entries) == 3 and all(e.meta == {} for e in entries)
        golden = next(e for e in entries if e.title == "Golden 0005")
        assert journal.history(golden.id)[1][0].body == "First version of the golden entry."
        assert journal.search("shoulders")[0].entry.id == golden.id
        from attunement.interop import import_file

        archive = _day_one_zip(tmp_path, DAY_ONE_ENTRY)
        assert import_file(journal, archive, "dayone").added == 1
        vigil = next(e for e in journal.list_entries() if e.title == "After the vigil")
        assert vigil.meta["location"]["locality"] == "Leeds"
    conn = sqlite3.connect(path)
    # Migrated past 0006 (metadata) to the newest schema.
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD_REVISION,)
    assert conn.execute("SELECT count(*) FROM entries WHERE meta IS NULL").fetchone() == (3,)
    conn.close()
    assert [row for row in content() if row[1] != "After the vigil"] == before
