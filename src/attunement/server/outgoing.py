"""What the local app sends when its owner shares: built on this computer, from the
journal, redacted by default exactly as the supervision packet is (one placeholder per
person or detail), so the owner sees the exact text before anything leaves.

Share ids are made here, deterministically (the server, the item and the reader), so
sharing the same entry with the same person again adds a revision to the same share,
and a retry after a lost answer or a crash changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from attunement.core.journal import Journal
from attunement.errors import InvalidInput
from attunement.supervision import packet as supervision

NAMESPACE = uuid.UUID("5b0c4f8e-6a43-4f0d-9b5e-3f1e9d8a7c21")


@dataclass(frozen=True)
class Outgoing:
    kind: str
    title: str
    body: str
    redacted: bool
    replaced: int  # identifying details replaced by placeholders
    item: str = ""  # what it is a version of: the same item shared again is one share
    item_revision: int | None = None  # the entry's version it was built from

    @property
    def digest(self) -> str:
        """What the server will call this version: :func:`digest` of its title and body."""
        return digest(self.title, self.body)

    def payload(
        self, reader_id: str, expires_at: datetime | None, course_id: str | None = None
    ) -> dict[str, object]:
        return {
            "kind": self.kind,
            "reader": reader_id,
            "course": course_id,
            "title": self.title,
            "body": self.body,
            "redacted": self.redacted,
            "expires_at": expires_at.isoformat() if expires_at else None,
        }


def entry(journal: Journal, entry_id: str, *, redact: bool = True) -> Outgoing:
    """One entry, as the packet would show it: title, prompt, text and what was noticed."""
    made = supervision.build(journal, supervision.Selection(entry_ids=(entry_id,), redact=redact))
    shown = made.entries[0]
    stored = journal.get(entry_id)
    parts = []
    if shown.prompt:
        parts += [f"> {shown.prompt}", ""]
    parts += [shown.body]
    notes = supervision._notes(shown)
    if notes:
        parts += ["", f"*{notes}*"]
    parts += ["", f"Week of {shown.week:%d %B %Y}."]
    return Outgoing(
        kind="entry",
        title=shown.title or "Untitled",
        body="\n".join(parts).strip() + "\n",
        redacted=made.redacted,
        replaced=sum(made.replaced.values()),
        item=stored.id,  # as stored: the same entry, however its id was typed, is one share
        item_revision=stored.revision,
    )


def packet(journal: Journal, chosen: supervision.Selection) -> Outgoing:
    """A whole supervision packet, in Markdown, as `attune packet` writes it."""
    made = supervision.build(journal, chosen)
    document = supervision.markdown(made)
    document = document.replace(
        "Made with Attunement, on this computer; nothing was sent anywhere.",
        "Made with Attunement on the trainee's computer and shared by them.",
    )
    title = f"Supervision packet, {made.start:%d %b} to {made.end:%d %b %Y}"
    body = document.split("\n", 2)[2].lstrip() if document.startswith("# ") else document
    return Outgoing(
        kind="packet",
        title=title,
        body=body,
        redacted=made.redacted,
        replaced=sum(made.replaced.values()),
        item=_text_item(body),  # the same packet twice is one share
    )


def practice(journal: Journal, *, redact: bool = True) -> Outgoing:
    """Practice progress, as `attune practice progress` shows it: responses per week and
    dimension, and the themes to practise more. One item per reader: sharing it again
    later adds a new version of the same share."""
    from attunement.practice import service

    made = service.progress(journal)
    if not made.attempts:
        raise InvalidInput(
            "There is no practice to share yet: `attune practice` starts a session.",
            field="practice",
        )
    weeks = made.weeks[-12:]
    lines = [
        f"{made.attempts} practice response{'s' if made.attempts != 1 else ''} over "
        f"{len(made.weeks)} week{'s' if len(made.weeks) != 1 else ''}, scored on the "
        "trainee's computer by Attunement (feedback for reflection, not a grade).",
        "",
        "| dimension | " + " | ".join(f"week of {w}" for w in weeks) + " | overall |",
        "| --- | " + " | ".join("---:" for _ in weeks) + " | ---: |",
    ]
    for dimension, values in made.per_week.items():
        shown = " | ".join(f"{v:.2f}" for v in values[-len(weeks) :])
        overall = made.overall.get(dimension)
        lines.append(
            f"| {dimension.replace('_', ' ')} | {shown} | "
            f"{'–' if overall is None else f'{overall:.2f}'} |"
        )
    weakest = sorted(made.themes.items(), key=lambda kv: kv[1])[:3]
    if weakest:
        lines += ["", "Themes to practise more: " + ", ".join(f"{t} ({s:.2f})" for t, s in weakest)]
    return Outgoing(
        kind="practice",
        title="Practice progress",
        body="\n".join(lines) + "\n",
        redacted=redact,  # only figures, weeks and theme names: nothing of anyone's words
        replaced=0,
        item="progress",
    )


def transcript(journal: Journal, transcript_id: str, *, redact: bool = True) -> Outgoing:
    """A transcript's report, as `attune transcript report` writes it: the figures and
    every coded turn. Redacted, the speakers become "Caregiver" and "Speaker 2", … and
    the words and the title are redacted like the packet (the speakers' names are looked
    for in every turn)."""
    from dataclasses import replace

    from attunement.transcripts import report, service

    session = service.open_coded(journal, transcript_id).session
    replaced = 0
    if redact:
        speakers = list(dict.fromkeys(c.turn.speaker for c in session.coded))
        roles = {session.caregiver: "Caregiver"}
        for speaker in speakers:
            roles.setdefault(speaker, f"Speaker {len(roles) + 1}")
        names = [s for s in speakers if s[:1].isupper()]
        texts = [session.title, *(c.turn.text for c in session.coded)]
        redactor = supervision._Redactor([*journal.store.people(), *names], texts, True)
        session = replace(
            session,
            title=redactor(session.title),
            caregiver="Caregiver",
            coded=[
                replace(
                    c,
                    turn=replace(c.turn, speaker=roles[c.turn.speaker], text=redactor(c.turn.text)),
                )
                for c in session.coded
            ],
        )
        replaced = sum(redactor.replaced.values()) + sum(1 for s in speakers if s != roles[s])
    document = report.markdown(session)
    body = document.split("\n", 2)[2].lstrip() if document.startswith("# ") else document
    return Outgoing(
        kind="transcript",
        title=f"Session report: {session.title}",
        body=body,
        redacted=redact,
        replaced=replaced,
        item=transcript_id,
    )


def digest(title: str, body: str) -> str:
    """The SHA-256 the server gives a version (server/sharing.digest, computed here so
    the local app can tell whether an item changed since it was shared): of the JSON
    array ``[title, body]`` in UTF-8."""
    canonical = json.dumps([title, body], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def share_id(server_url: str, kind: str, item: str, reader_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{server_url}|{kind}|{item}|{reader_id}"))


def _text_item(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]
