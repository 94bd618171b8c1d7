"""Short, stable ids that people can read aloud and type.

Seven characters from an alphabet without look-alikes (no 0/o, 1/l/i) give about 2.7e10
ids; storage retries on the rare collision, so uniqueness never rests on luck alone.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
LENGTH = 7
_ID_RE = re.compile(rf"^[{ALPHABET}]{{{LENGTH}}}$")


def new_id() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def new_ids(count: int) -> list[str]:
    """``count`` ids at once, one random draw each (for imports of many entries)."""
    base = len(ALPHABET)
    out = []
    for _ in range(count):
        number = secrets.randbelow(base**LENGTH)
        chars = []
        for _ in range(LENGTH):
            number, digit = divmod(number, base)
            chars.append(ALPHABET[digit])
        out.append("".join(chars))
    return out


def looks_like_id(text: str) -> bool:
    return bool(_ID_RE.match(text))


def normalise_id(text: str) -> str:
    """Accept ids typed in capitals or with surrounding space."""
    return text.strip().lower()
