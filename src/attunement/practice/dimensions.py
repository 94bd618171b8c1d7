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
