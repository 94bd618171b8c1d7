"""Tags go wherever the words go de-identified (the supervision packet, in Markdown, HTML
and JSON, and a share to the team server), so a tag that is or holds a name, a place or
another detail is replaced by the placeholder the words have for it. Day One and jrnl
journals often tag entries with the people in them. (From an outside probe of imports.)"""

from __future__ import annotations

import json

from attunement.core.journal import Journal

DAY_ONE = {
    "metadata": {"version": "1.0"},
    "entries": [
        {
            "uuid": "CC01",
            "creationDate": "2024-03-05T08:30:00Z",
            "timeZone": "Europe/London",
            "text": "# Visit with Agnieszka\n\nShe was low today\\. Her daughter Zofia came\\.",
            "tags": ["Agnieszka Kowalczyk", "Flat 3 Wellington Rd", "clients"],
        }
    ],
}


def test_name_and_address_tags_from_day_one_are_replaced_in_the_packet(attune, tmp_path):
    export = tmp_path / "Journal.json"
    export.write_text(json.dumps(DAY_ONE), encoding="utf-8")
    attune("import", "--from", "dayone", str(export))
    text = attune("packet", "--tag", "clients").stdout
    assert "### Visit with [Client A]" in text
    assert "*Tags: #[Client A], #clients, #flat-[Address 1].*" in text
    for secret in ("agnieszka", "kowalczyk", "wellington", "Zofia"):
        assert secret not in text.lower(), secret
    made = attune.json("packet", "--tag", "clients")
    assert made["entries"][0]["tags"] == ["[Client A]", "clients", "flat-[Address 1]"]
    assert made["replaced"] == {"address": 1, "name": 3}
    shown = attune("packet", "--tag", "clients", "--no-redact").stdout
    assert "#agnieszka-kowalczyk" in shown  # the writer's own copy, asked for, keeps them


def test_a_jrnl_name_tag_is_replaced_in_the_packet_title_and_a_share(attune, tmp_path):
    """jrnl keeps "@Tomasz" in the title line: there the tag sign goes with the name."""
    journal = tmp_path / "journal.txt"
    journal.write_text("[2024-03-05 21:12] Visit. @Tomasz @work\nTomasz was brighter today.\n")
    attune("import", "--from", "jrnl", str(journal))
    [entry] = attune.json("list")["entries"]
    text = attune("packet", entry["id"]).stdout
    assert "### Visit. [Client A] @work" in text
    assert "*Tags: #[Client A], #work.*" in text and "omasz" not in text
    from attunement.server import outgoing

    with Journal.open(attune.data_dir) as opened:
        shared = outgoing.entry(opened, entry["id"])
    assert "#[Client A], #work" in shared.body and "omasz" not in shared.title + shared.body


def test_ordinary_tags_stay_as_they_are(attune):
    attune(
        "write",
        "--tag", "self-care", "--tag", "night-shift", "--tag", "cbt-skills",
        "--tag", "end-of-life", "--tag", "supervision",
        "A long night; I kept to the plan and rested after.",
    )  # fmt: skip
    text = attune("packet", "--tag", "supervision").stdout
    assert "Tags: #cbt-skills, #end-of-life, #night-shift, #self-care, #supervision." in text
