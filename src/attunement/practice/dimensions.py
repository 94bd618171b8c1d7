"""The dimensions practice is read on, by the words a caregiver reads for them.

The three empathy dimensions are EPITOME's (emotional reactions, interpretations,
explorations); a person is shown what each one means in a reply (the warmth and concern the
responder expresses, the understanding they show, what they invite the person to say),
never the research term alone. Ids stay in the JSON API, the export and the stored
attempts."""

from __future__ import annotations

EMPATHY_NAMES = {
    "emotional_reactions": "Showing warmth and concern",
    "interpretations": "Showing you understood",
    "explorations": "Inviting them to say more",
}
DIMENSION_NAMES = {
    **EMPATHY_NAMES,
    "reflection": "Reflections",
    "no_power_signs": "Without fixing, sympathy or assuming",
}
DIMENSIONS = tuple(DIMENSION_NAMES)
LEVEL_WORDS = ("none", "weak", "strong")  # an empathy level, 0 to 2

# How the figures are said, the same on the Practice page, in the supervision packet and
# at the command line. The three empathy dimensions are kept per response as its level
# halved (none 0, weak 0.5, strong 1), so a week's or a period's figure is an average of
# those; it is said as the level it is nearest to, with the average out of 2 beside it
# ("weak (0.9 of 2)"), never as a bare decimal. The other two are shares of responses.
LEVEL_KEY = "none, weak or strong (0, 1 or 2)"


def level_text(score: float) -> str:
    """An average of the empathy scores kept per response, in words: "weak (0.9 of 2)"
    ("none" below half a level, "strong" from one and a half)."""
    level = round(score * 2, 1)
    word = LEVEL_WORDS[0 if level < 0.5 else 1 if level < 1.5 else 2]
    return f"{word} ({level:g} of 2)"


def share_text(score: float) -> str:
    """A share of responses: "44%"."""
    return f"{score:.0%}"


def figure_text(dimension: str, score: float) -> str:
    """A dimension's average as a person reads it: a level for the empathy dimensions, a
    share of responses for the rest."""
    return level_text(score) if dimension in EMPATHY_NAMES else share_text(score)
