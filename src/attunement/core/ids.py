"""Short, stable ids that people can read aloud and type.

Seven characters from an alphabet without look-alikes (no 0/o, 1/l/i) give about 2.7e10
ids; storage retries on the rare collision, so uniqueness never rests on luck alone.
"""

from __future__ import annotations

import re

ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
LENGTH = 7
_ID_RE = re.compile(rf"^[{ALPHABET}]{{{LENGTH}}}$")
# A random byte below the largest multiple of the alphabet's size maps to one character
# (each character equally often); the bytes above it are dropped.
_USABLE = 256 // len(ALPHABET) * len(ALPHABET)
_BYTE_TO_CHAR = bytes(ord(ALPHABET[b % len(ALPHABET)]) for b in range(256))
_UNUSABLE = bytes(range(_USABLE, 256))


def new_id() -> str:
    import secrets  # here, not at the top: it loads OpenSSL, which reading never needs

    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def new_ids(count: int) -> list[str]:
    """``count`` ids at once from one draw of random bytes (for imports of many entries).
    Each character takes one byte below the largest multiple of the alphabet's size, so
    every character is uniform, as with ``new_id``."""
    import secrets

    wanted = count * LENGTH
    text = ""
    while len(text) < wanted:
        raw = secrets.token_bytes((wanted - len(text)) * 9 // 8 + 8)
        text += raw.translate(_BYTE_TO_CHAR, _UNUSABLE).decode("ascii")
    return [text[i : i + LENGTH] for i in range(0, wanted, LENGTH)]


def looks_like_id(text: str) -> bool:
    return bool(_ID_RE.match(text))


def normalise_id(text: str) -> str:
    """Accept ids typed in capitals or with surrounding space."""
    return text.strip().lower()
