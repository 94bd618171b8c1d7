"""`GET /api/v1/sync?since=CURSOR`: what changed about my shares since my computer last
asked (server/changes.py), for `attune server sync` and the local app's background sync;
with ``deadlines=1``, the last page also brings the member's deadlines that matter now."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from attunement.server import changes
from attunement.server.app import access
from attunement.server.deps import DB, Member
from attunement.server.protocol import PROTOCOL

router = APIRouter(prefix="/api/v1")


@router.get("/sync", **access("member"))
def sync(
    db: DB,
    actor: Member,
    since: str | None = Query(default=None, max_length=80),
    deadlines: bool = False,
) -> dict[str, Any]:
    return {"protocol": PROTOCOL, **changes.since(db, actor, since, with_deadlines=deadlines)}
