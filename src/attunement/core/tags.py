"""Tags: given explicitly, or written inline as ``#tag`` / ``@tag`` in the text.

An inline tag starts with a letter (so ``#3`` and ``# Heading`` are not tags) and must not
follow a word character, slash, backslash or another tag sign (so e-mail addresses, URL
fragments and a Markdown-escaped sign, as Day One writes a literal one, are not tags).
After its first letter it holds letters, digits, ``-``, ``_``, and, as in jrnl, ``+`` and
``#`` (so ``@c++`` and ``@c#`` stay two tags and neither becomes ``c``).
Tags are compared and stored in lower case without their sign.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from attunement.errors import InvalidInput

# The sign comes first and the look-behind checks the character before it, so the scan
# jumps from sign to sign instead of testing the look-behind at every character.
INLINE_TAG = re.compile(r"[#@](?<![\w/&#@.\-\\][#@])([^\W\d_][\w\-+#]*)")
_VALID_TAG = re.compile(r"^[^\W\d_][\w\-+#]*$")
MAX_TAG_LENGTH = 64


def normalise_tag(raw: str) -> str:
    tag = raw.strip().lstrip("#@").strip().lower()
    tag = tag.rstrip("-")
    if not tag or not _VALID_TAG.match(tag):
        raise InvalidInput(
            f"'{raw}' is not a usable tag; a tag starts with a letter and holds letters, "
            "digits, '-', '_', '+' or '#'.",
            field="tags",
        )
    if len(tag) > MAX_TAG_LENGTH:
        raise InvalidInput(
            f"The tag '{raw[:20]}…' is longer than {MAX_TAG_LENGTH} characters; shorten it.",
            field="tags",
        )
    return tag


def inline_tags(text: str) -> list[str]:
    first_hash, first_at = text.find("#"), text.find("@")
    if first_hash < 0 and first_at < 0:
        return []
    # The scan starts at the first sign (the look-behind still sees the character before
    # it): most texts carry their tags at the end.
    start = (
        first_at if first_hash < 0 else first_hash if first_at < 0 else min(first_hash, first_at)
    )
    found = []
    for raw in INLINE_TAG.findall(text, start):
        tag = raw.rstrip("-").lower()
        if tag and len(tag) <= MAX_TAG_LENGTH:
            found.append(tag)
    return found


def collect_tags(explicit: Iterable[str], *texts: str) -> list[str]:
    """Explicit tags plus inline ones, de-duplicated, in order of first appearance."""
    seen: dict[str, None] = {}
    for raw in explicit:
        seen.setdefault(normalise_tag(raw), None)
    for text in texts:
        for tag in inline_tags(text):
            seen.setdefault(tag, None)
    return list(seen)
