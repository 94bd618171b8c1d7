"""What the local app sends when its owner shares: built on this computer, from the
journal, redacted by default exactly as the supervision packet is (one placeholder per
person or detail), so the owner sees the exact text before anything leaves.

Share ids are made here, deterministically (the server, the item and the reader), so
sharing the same entry with the same person again adds a revision to the same share,
and a retry after a lost answer or a crash changes nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime

from attunement.core.journal import Journal
from attunement.supervision import packet as supervision

NAMESPACE = uuid.UUID("5b0c4f8e-6a43-4f0d-9b5e-3f1e9d8a7c21")


@dataclass(frozen=True)
class Outgoing:
    kind: str
    title: str
    body: str
    redacted: bool
    replaced: int  # identifying details replaced by placeholders

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
    return Outgoing(
        kind="packet",
        title=title,
        body=document.split("\n", 2)[2].lstrip() if document.startswith("# ") else document,
        redacted=made.redacted,
        replaced=sum(made.replaced.values()),
    )


def share_id(server_url: str, kind: str, item: str, reader_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{server_url}|{kind}|{item}|{reader_id}"))


def packet_item(out: Outgoing) -> str:
    """A packet's identity: its text, so the same packet twice is one share."""
    return hashlib.sha256(out.body.encode("utf-8")).hexdigest()[:32]
