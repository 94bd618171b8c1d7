"""Checks on what people write, shared by every way of writing (CLI, web, API, import)."""

from __future__ import annotations

from attunement.core.models import MAX_BODY_BYTES, MAX_TITLE_CHARS
from attunement.errors import InvalidInput


def clean_body(body: str, *, field: str = "body", what: str = "entry") -> str:
    if not isinstance(body, str):
        raise InvalidInput("The entry text must be text.", field=field)
    if not body.strip():
        raise InvalidInput(f"The {what} is empty; write something before saving.", field=field)
    if "\x00" in body:
        raise InvalidInput(
            "The text contains NUL characters, so it looks like a binary file, not writing; "
            "save it as plain text first.",
            field=field,
        )
    try:
        size = len(body.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise InvalidInput(
            "The text contains characters that are not valid Unicode (a badly encoded file?); "
            "save it as UTF-8 and try again.",
            field=field,
        ) from exc
    if size > MAX_BODY_BYTES:
        raise InvalidInput(
            f"The entry is {size / 1_048_576:.1f} MB; entries can be at most "
            f"{MAX_BODY_BYTES // 1_048_576} MB, so split it into several.",
            field=field,
        )
    return body


def clean_title(title: str | None) -> str:
    title = (title or "").strip()
    if "\n" in title or "\r" in title:
        raise InvalidInput("A title must fit on one line.", field="title")
    if "\x00" in title:
        raise InvalidInput("The title contains NUL characters; remove them.", field="title")
    if len(title) > MAX_TITLE_CHARS:
        raise InvalidInput(
            f"The title is longer than {MAX_TITLE_CHARS} characters; shorten it.", field="title"
        )
    try:
        title.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInput("The title is not valid Unicode; retype it.", field="title") from exc
    return title


def clean_scale(name: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        label = name.replace("_", " ")
        raise InvalidInput(
            f"{label.capitalize()} must be a whole number from 0 to 10, not {value!r}.", field=name
        )
    return value
