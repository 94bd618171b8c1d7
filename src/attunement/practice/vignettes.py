"""The practice vignettes (framework/vignettes.toml), validated against the framework."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from attunement.errors import InvalidInput, NotFound
from attunement.framework import concepts

SETTINGS = ("counselling-room", "hospital-ward", "hospice", "chaplaincy", "peer-support")
EXTRA_THEMES = ("loss-and-life-change", "intrusive", "neglectful")


@dataclass(frozen=True)
class Vignette:
    id: str
    setting: str
    themes: tuple[str, ...]
    difficulty: int
    statement: str
    feelings: tuple[str, ...]
    needs: tuple[str, ...]
    responses: tuple[str, ...]

    def to_dict(self, *, with_examples: bool = True) -> dict[str, Any]:
        data = {
            "id": self.id,
            "setting": self.setting,
            "themes": list(self.themes),
            "difficulty": self.difficulty,
            "statement": self.statement,
        }
        if with_examples:
            data |= {
                "feelings": list(self.feelings),
                "needs": list(self.needs),
                "responses": list(self.responses),
            }
        return data


def themes() -> tuple[str, ...]:
    return EXTRA_THEMES + tuple(a.id for a in concepts().adaptations)


@lru_cache(maxsize=1)
def vignettes() -> tuple[Vignette, ...]:
    raw = (resources.files("attunement.framework") / "vignettes.toml").read_text("utf-8")
    known = set(themes())
    out = []
    for item in tomllib.loads(raw)["vignettes"]:
        v = Vignette(
            item["id"],
            item["setting"],
            tuple(item["themes"]),
            int(item["difficulty"]),
            item["statement"],
            tuple(item["feelings"]),
            tuple(item["needs"]),
            tuple(item["responses"]),
        )
        # The file ships with the package: a mistake in it is a bug, reported precisely.
        if (
            v.setting not in SETTINGS
            or not set(v.themes) <= known
            or v.difficulty not in (1, 2, 3)
            or len(v.responses) < 2
            or not v.feelings
            or not v.needs
        ):
            raise ValueError(f"vignettes.toml: vignette {v.id} is incomplete or unknown-themed")
        out.append(v)
    return tuple(out)


def vignette(vignette_id: str) -> Vignette:
    for v in vignettes():
        if v.id == vignette_id.strip().lower():
            return v
    raise NotFound(
        f"There is no practice statement '{vignette_id}'; `attune practice list` shows them.",
        field="id",
    )


def by_theme(theme: str | None) -> tuple[Vignette, ...]:
    if theme is None:
        return vignettes()
    if theme not in themes():
        raise InvalidInput(
            f"'{theme}' is not a practice theme; use one of: {', '.join(themes())}.", field="theme"
        )
    return tuple(v for v in vignettes() if theme in v.themes)
