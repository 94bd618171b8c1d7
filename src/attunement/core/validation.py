"""Checks on what people write, shared by every way of writing (CLI, web, API, import)."""

from __future__ import annotations

from attunement.core.models import MAX_BODY_BYTES, MAX_TITLE_CHARS
from attunement.errors import InvalidInput


def clean_text(
    text: object,
    *,
    field: str,
    what: str,
    max_chars: int | None = None,
    one_line: bool = False,
) -> str:
    """The one rule for every text Attunement stores (entries, titles, drafts, check-in
    notes, transcripts, names): text, no NUL characters (a binary file, or a C string
    cut short in another tool), valid Unicode (no lone surrogates), within its length.
    Services call it, so the CLI, the web pages, the API and imports all get it."""
    if not isinstance(text, str):
        raise InvalidInput(f"The {what} must be text.", field=field)
    if "\x00" in text:
        raise InvalidInput(
            f"The {what} contains NUL characters, so it looks like a binary file, not "
            "writing; remove them or save it as plain text first.",
            field=field,
        )
    try:
        if not text.isascii():  # ASCII is valid Unicode; isascii() costs nothing
            text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInput(
            f"The {what} contains characters that are not valid Unicode (a badly encoded "
            "file?); save it as UTF-8 and try again.",
            field=field,
        ) from exc
    if one_line and ("\n" in text or "\r" in text):
        raise InvalidInput(f"The {what} must fit on one line.", field=field)
    if max_chars is not None and len(text) > max_chars:
        raise InvalidInput(
            f"The {what} is longer than {max_chars} characters; shorten it.", field=field
        )
    return text


def utf8_size(text: str) -> int:
    """Bytes of ``text`` in UTF-8 (its length, when it is ASCII: no copy is made)."""
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def clean_body(body: str, *, field: str = "body", what: str = "entry") -> str:
    body = clean_text(body, field=field, what=f"{what} text" if what == "entry" else what)
    if not body.strip():
        raise InvalidInput(f"The {what} is empty; write something before saving.", field=field)
    size = utf8_size(body)
    if size > MAX_BODY_BYTES:
        raise InvalidInput(
            f"The {what} is {size / 1_048_576:.1f} MB; it can be at most "
            f"{MAX_BODY_BYTES // 1_048_576} MB, so split it into several.",
            field=field,
        )
    return body


def clean_title(title: str | None, *, field: str = "title") -> str:
    return clean_text(
        (title or "").strip(), field=field, what="title", max_chars=MAX_TITLE_CHARS, one_line=True
    )


def clean_scale(name: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        label = name.replace("_", " ")
        raise InvalidInput(
            f"{label.capitalize()} must be a whole number from 0 to 10, not {value!r}.", field=name
        )
    return value
