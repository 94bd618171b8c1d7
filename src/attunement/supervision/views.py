"""The supervision packet page as a service: the recent entries to choose from, and what
the form asked for (a preview to read on the page, or a file to save)."""

from __future__ import annotations

from dataclasses import dataclass

from attunement.core.journal import Journal
from attunement.core.models import Entry
from attunement.supervision.packet import Packet, Selection, html_body, prepare

RECENT = 40  # entries offered to choose from


@dataclass(frozen=True)
class PacketPage:
    entries: list[Entry]  # the most recent entries, to choose from
    packet: Packet | None = None
    document: str | None = None  # the file to save (Markdown or HTML), when asked for
    html: str | None = None  # the preview to show on the page (every text escaped)


def packet_form(journal: Journal) -> PacketPage:
    return PacketPage(journal.list_entries(limit=RECENT))


def packet_page(journal: Journal, chosen: Selection, action: str) -> PacketPage:
    """``action``: ``preview`` shows the packet on the page; ``md`` or ``html`` makes the
    file (and notes the export) instead."""
    made, document = prepare(journal, chosen, action)
    if document is not None:
        return PacketPage([], made, document)
    return PacketPage(journal.list_entries(limit=RECENT), made, None, html_body(made))
