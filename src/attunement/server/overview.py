"""A member's home page: what was shared with them and by them (a page of each), their
notices and deadlines, and the courses they lead; read over one connection."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from attunement.server import cohort, notices, sharing
from attunement.server.db import reading
from attunement.server.sessions import Actor


def home(engine: Engine, actor: Actor, inbox: sharing.Page, mine: sharing.Page) -> dict[str, Any]:
    with reading(engine) as conn:
        return {
            "inbox": sharing.inbox_page(conn, actor, inbox),
            "mine": sharing.mine_page(conn, actor, mine),
            "notices": _few_per_deadline(notices.of_member(conn, actor)),
            "deadlines": notices.my_deadlines(conn, actor),
            "leads": cohort.led_by(conn, actor),
        }


SIGNOFFS_SHOWN = 5  # "awaiting your sign-off" notices listed per deadline on the page


def _few_per_deadline(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The home page's notices: each item awaiting the reader's sign-off is listed for the
    first few of each deadline, then one line says how many more wait (they are all in
    "Shared with me"); a supervisor with a whole cohort overdue reads a short list."""
    shown: list[dict[str, Any]] = []
    more: dict[str, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    for n in found:
        if n["kind"] != "signoff":
            shown.append(n)
            continue
        key = n["deadline"]
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= SIGNOFFS_SHOWN:
            shown.append(n)
        elif key in more:
            more[key]["count"] += 1
        else:
            title = n["subject"].split(": ", 1)[-1]
            more[key] = {"kind": "signoff_more", "deadline": key, "count": 1, "title": title}
            shown.append(more[key])
    for m in more.values():
        items = "item awaits" if m["count"] == 1 else "items await"
        m["text"] = (
            f"and {m['count']} more {items} your sign-off for {m['title']}; "
            "each is in Shared with me below."
        )
    return shown
