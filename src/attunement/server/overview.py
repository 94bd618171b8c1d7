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
            "notices": notices.of_member(conn, actor),
            "deadlines": notices.my_deadlines(conn, actor),
            "leads": cohort.led_by(conn, actor),
        }
