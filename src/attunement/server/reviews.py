"""A reader's response to a share: threaded comments (optionally quoting a passage),
"request changes", and sign-off.

A quoted passage is found in the latest version loosely (any case, any run of
whitespace, straight or curly quotes: :func:`passage`) and stored as the text has it.

A sign-off is an immutable record of who signed, when, and the SHA-256 of the exact
revision they signed; it names the digest the reader's page showed, so a version that
arrived while they were reading is never signed by mistake. The owner can reply in the
thread; only the named reader can request changes or sign off.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Engine

from attunement.core.validation import clean_text
from attunement.errors import Conflict, InvalidInput, NotFound
from attunement.server import audit, authz, notices
from attunement.server.db import now, writing
from attunement.server.schema import comments, revisions, signoffs
from attunement.server.sessions import Actor
from attunement.server.sharing import require_owner_or_reader, share_id_of

MAX_COMMENT = 10_000
MAX_QUOTE = 2_000
KINDS = ("comment", "changes")
_LATEST_TEXT = select(revisions.c.title, revisions.c.body).where(
    revisions.c.share_id == bindparam("share"), revisions.c.number == bindparam("number")
)
_NEW_COMMENT = comments.insert()
# A revision's digest, and when this signer signed it off (if they did): one statement.
_SIGNING = (
    select(revisions.c.sha256, signoffs.c.signed_at)
    .outerjoin(
        signoffs,
        (signoffs.c.share_id == revisions.c.share_id)
        & (signoffs.c.revision == revisions.c.number)
        & (signoffs.c.signer_id == bindparam("signer")),
    )
    .where(revisions.c.share_id == bindparam("share"), revisions.c.number == bindparam("number"))
)
_NEW_SIGNOFF = signoffs.insert()


_SAME = str.maketrans(
    {
        "\u2018": "'",  # curly and other single quotes and apostrophes
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',  # curly and other double quotes
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
    }
)


def _loose(text: str) -> tuple[str, list[int]]:
    """``text`` as quotes are compared (lower case, any run of whitespace as one space,
    curly quotes and apostrophes as straight ones), and for each of its characters the
    position in ``text`` it came from."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if out and out[-1] == " ":
                continue
            folded = " "
        else:
            folded = ch.translate(_SAME).casefold()
        out.extend(folded)
        where.extend([i] * len(folded))
    return "".join(out), where


def passage(text: str, quote: str) -> str | None:
    """The passage of ``text`` that ``quote`` copies, as it is written in the text; the
    copy may differ in case, in whitespace and in straight or curly quotes (as copied
    from a page, or typed). None when it is not there."""
    wanted, _ = _loose(quote.strip())
    if not wanted:
        return None
    folded, where = _loose(text)
    at = folded.find(wanted)
    if at < 0:
        return None
    return text[where[at] : where[at + len(wanted) - 1] + 1]


def comment(
    engine: Engine,
    actor: Actor,
    share_id: str,
    body: str,
    *,
    kind: str = "comment",
    quote: str | None = None,
    parent_id: str | None = None,
) -> dict[str, Any]:
    share_id = share_id_of(share_id)
    body = clean_text(body, field="body", what="comment").strip()
    quote = clean_text(quote or "", field="quote", what="quoted passage").strip() or None
    if kind not in KINDS:
        raise InvalidInput("A comment's kind is comment or changes.", field="kind")
    if not body:
        raise InvalidInput("Write something before sending the comment.", field="body")
    if len(body) > MAX_COMMENT:
        raise InvalidInput(
            f"Comments can be up to {MAX_COMMENT:,} characters; yours has {len(body):,}. "
            "Shorten it, or split it into two comments.",
            field="body",
        )
    if quote is not None and len(quote) > MAX_QUOTE:
        raise InvalidInput(
            f"A quoted passage can be up to {MAX_QUOTE:,} characters; yours has "
            f"{len(quote):,}. Quote a shorter part.",
            field="quote",
        )
    with authz.recording_refusals(engine, "comment"), writing(engine) as conn:
        access = authz.share_for(conn, actor, share_id)
        if kind == "changes":
            require_owner_or_reader(access, "reader")
        number = access.share.latest
        shown = conn.execute(_LATEST_TEXT, {"share": share_id, "number": number}).one()
        if quote is not None:
            found = passage(shown.body, quote) or passage(shown.title, quote)
            if found is None:
                raise InvalidInput(
                    f"The quoted passage is not in the latest version (version {number}); "
                    "copy a passage from the text shown, or leave this field empty.",
                    field="quote",
                )
            quote = found
        if parent_id is not None:
            parent = conn.execute(
                select(comments.c.id).where(
                    comments.c.id == parent_id, comments.c.share_id == share_id
                )
            ).first()
            if parent is None:
                raise NotFound("There is no such comment to reply to.", field="parent")
        comment_id = str(uuid.uuid4())
        conn.execute(
            _NEW_COMMENT,
            {
                "id": comment_id,
                "share_id": share_id,
                "revision": number,
                "parent_id": parent_id,
                "author_id": actor.id,
                "kind": kind,
                "quote": quote,
                "body": body,
                "created_at": now(),
            },
        )
        notices.on_comment(conn, access.share, actor.id)
        action = "changes.request" if kind == "changes" else "comment"
        audit.record(
            conn,
            actor.id,
            action,
            "share",
            share_id,
            owner_id=access.share.owner_id,
            detail=f"revision {number}",
        )
    return {"id": comment_id, "revision": number}


def sign_off(
    engine: Engine, actor: Actor, share_id: str, revision: int, sha256: str
) -> dict[str, Any]:
    share_id = share_id_of(share_id)
    with authz.recording_refusals(engine, "signoff"), writing(engine) as conn:
        access = authz.share_for(conn, actor, share_id)
        require_owner_or_reader(access, "reader")
        found = conn.execute(
            _SIGNING, {"share": share_id, "number": revision, "signer": actor.id}
        ).first()
        if found is None:
            raise NotFound(f"This shared item has no revision {revision}.", field="revision")
        shown = found.sha256
        if revision != access.share.latest:
            raise Conflict(
                "A newer version arrived since you opened this; read it before signing off.",
                field="revision",
            )
        if sha256 != shown:
            raise Conflict(
                "The version you read is not the one stored; reload the page and read it "
                "again before signing off.",
                field="sha256",
            )
        if found.signed_at is None:
            moment = now()
            conn.execute(
                _NEW_SIGNOFF,
                {
                    "share_id": share_id,
                    "revision": revision,
                    "sha256": shown,
                    "signer_id": actor.id,
                    "signer_name": actor.name,
                    "signed_at": moment,
                },
            )
            audit.record(
                conn,
                actor.id,
                "signoff",
                "share",
                share_id,
                owner_id=access.share.owner_id,
                detail=f"revision {revision} {shown}",
            )
        else:
            moment = found.signed_at
    return {
        "revision": revision,
        "sha256": shown,
        "signer": actor.name,
        "signed_at": moment.isoformat(),
    }
