"""The JSON API the local app uses (``/api/v1``): parse, call one service, answer.

Errors are ``{"error": {"code", "message", "field"}}``; a share anyone may not see is a
404 whatever the reason. The local app signs in once for a bearer token; the password
never leaves `attune server login`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from attunement.server import accounts, audit, ownership, reviews, sharing
from attunement.server.app import access
from attunement.server.db import reading
from attunement.server.deps import DB, Admin, Config, ContentReader, Member
from attunement.server.http import client_address, token_of

router = APIRouter(prefix="/api/v1")


class TokenRequest(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)
    label: str = Field(default="attune on a computer", max_length=120)
    code: str | None = Field(default=None, max_length=64)  # the second factor, when asked


class Push(BaseModel):
    kind: str = Field(max_length=16)
    reader: str = Field(max_length=64)
    course: str | None = Field(default=None, max_length=64)
    title: str = Field(default="", max_length=300)
    body: str
    redacted: bool = True
    expires_at: datetime | None = None


class CommentIn(BaseModel):
    body: str
    kind: str = "comment"
    quote: str | None = None
    parent: str | None = Field(default=None, max_length=64)


class SignOffIn(BaseModel):
    revision: int = Field(ge=1, le=1_000_000)
    sha256: str = Field(max_length=64)


class EraseIn(BaseModel):
    confirm: str = Field(max_length=254)


@router.get("/health", **access("public"))
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.post("/token", **access("public"))
def make_token(body: TokenRequest, request: Request, db: DB, config: Config) -> dict[str, str]:
    started = accounts.sign_in(
        db,
        config,
        body.email,
        body.password,
        address=client_address(request),
        kind="token",
        label=body.label,
        code=body.code,
    )
    assert isinstance(started, accounts.Started)  # a token sign-in never stops halfway
    return {"token": started.token}


@router.delete("/token", **access("member"))
def end_token(request: Request, db: DB, actor: Member) -> dict[str, bool]:
    accounts.sign_out(db, token_of(request)[0], actor)
    return {"signed_out": True}


@router.get("/me", **access("member"))
def me(db: DB, actor: Member) -> dict[str, Any]:
    return accounts.account(db, actor)


@router.get("/shares", **access("member"))
def my_shares(db: DB, actor: Member) -> list[dict[str, Any]]:
    return sharing.mine(db, actor)


@router.get("/inbox", **access("member"))
def inbox(db: DB, actor: Member) -> list[dict[str, Any]]:
    return sharing.inbox(db, actor)


@router.put("/shares/{share_id}", **access("content"))
def push(share_id: str, body: Push, db: DB, actor: ContentReader) -> dict[str, Any]:
    return sharing.push_retrying(
        db,
        actor,
        share_id,
        kind=body.kind,
        reader_id=body.reader,
        course_id=body.course,
        title=body.title,
        body=body.body,
        redacted=body.redacted,
        expires_at=body.expires_at,
    )


@router.get("/shares/{share_id}", **access("content"))
def view(share_id: str, db: DB, actor: ContentReader, revision: int | None = None) -> Any:
    return sharing.view(db, actor, share_id, revision)


@router.delete("/shares/{share_id}", **access("content"))
def revoke(share_id: str, db: DB, actor: ContentReader) -> dict[str, bool]:
    sharing.revoke(db, actor, share_id)
    return {"revoked": True}


@router.post("/shares/{share_id}/comments", status_code=201, **access("content"))
def comment(share_id: str, body: CommentIn, db: DB, actor: ContentReader) -> dict[str, Any]:
    return reviews.comment(
        db, actor, share_id, body.body, kind=body.kind, quote=body.quote, parent_id=body.parent
    )


@router.post("/shares/{share_id}/signoff", status_code=201, **access("content"))
def sign_off(share_id: str, body: SignOffIn, db: DB, actor: ContentReader) -> dict[str, Any]:
    return reviews.sign_off(db, actor, share_id, body.revision, body.sha256)


@router.get("/account/export", **access("member"))
def export(db: DB, actor: Member) -> dict[str, Any]:
    return ownership.export(db, actor)


@router.post("/account/erase", **access("member"))
def erase(body: EraseIn, db: DB, actor: Member) -> dict[str, int]:
    return ownership.erase(db, actor, body.confirm)


@router.get("/audit", **access("member"))
def my_audit(db: DB, actor: Member) -> list[dict[str, Any]]:
    with reading(db) as conn:
        return audit.part_of(conn, actor.id)


@router.get("/admin/audit", **access("admin"))
def all_audit(db: DB, actor: Admin) -> list[dict[str, Any]]:
    with reading(db) as conn:
        return audit.everything(conn)
