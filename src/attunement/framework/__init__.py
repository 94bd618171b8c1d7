"""The source's concepts as data: prompt decks, sub-skills, posture signs, adaptations,
the intrusive-to-neglectful continuum, check-in scales and body regions.

The files beside this module are the single source of truth; this module only reads,
validates and indexes them. Nothing here touches the journal database: user decks are
handed in as text by the services.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from attunement.errors import Conflict, InvalidInput, NotFound
from attunement.framework.loader import Deck, Prompt, format_of, parse_deck

__all__ = [
    "Concept",
    "Deck",
    "DeckSet",
    "Framework",
    "Prompt",
    "Scale",
    "builtin_decks",
    "concepts",
    "format_of",
    "parse_deck",
]

DEFAULT_DECK = "art-of-attunement"
BUILTIN_DECK_FILES = (
    "art-of-attunement.toml",
    "rupture-and-repair.toml",
    "gibbs-reflective-cycle.toml",
)


@dataclass(frozen=True)
class Concept:
    id: str
    name: str
    definition: str
    kind: str = ""
    ref: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "definition": self.definition,
            "kind": self.kind,
            "ref": self.ref,
        }


@dataclass(frozen=True)
class Scale:
    id: str
    name: str
    question: str
    low: str
    high: str


@dataclass(frozen=True)
class Framework:
    version: str
    source_title: str
    subskills: tuple[Concept, ...]
    posture: tuple[Concept, ...]
    adaptations: tuple[Concept, ...]
    continuum: Concept
    continuum_poles: tuple[Concept, ...]
    scales: tuple[Scale, ...]
    body_regions: tuple[Concept, ...]

    @property
    def subskill_ids(self) -> frozenset[str]:
        return frozenset(c.id for c in self.subskills)

    @property
    def body_region_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.body_regions)

    def body_region(self, region_id: str) -> Concept:
        for region in self.body_regions:
            if region.id == region_id:
                return region
        raise InvalidInput(
            f"'{region_id}' is not a body region; use one of: {', '.join(self.body_region_ids)}.",
            field="body",
        )


def _read(name: str, *folders: str) -> str:
    node = resources.files(__package__)
    for folder in folders:
        node = node / folder
    return (node / name).read_text(encoding="utf-8")


def _concepts(items: Iterable[dict[str, Any]]) -> tuple[Concept, ...]:
    return tuple(
        Concept(i["id"], i["name"], i.get("definition", ""), i.get("kind", ""), i.get("ref", ""))
        for i in items
    )


@lru_cache(maxsize=1)
def concepts() -> Framework:
    data = tomllib.loads(_read("concepts.toml"))
    continuum = data["continuum"]
    return Framework(
        version=data["version"],
        source_title=data["source"]["title"],
        subskills=_concepts(data["subskills"]),
        posture=_concepts(data["posture"]),
        adaptations=_concepts(data["adaptations"]),
        continuum=Concept(continuum["id"], continuum["name"], continuum["definition"]),
        continuum_poles=_concepts(continuum["poles"]),
        scales=tuple(Scale(**s) for s in data["scales"]),
        body_regions=_concepts(data["body_regions"]),
    )


@lru_cache(maxsize=1)
def builtin_decks() -> tuple[Deck, ...]:
    known = concepts().subskill_ids
    return tuple(
        parse_deck(_read(name, "decks"), "toml", where=name, builtin=True, known_skills=known)
        for name in BUILTIN_DECK_FILES
    )


class DeckSet:
    """The decks one person can use: the built-in ones, then their own, in that order."""

    def __init__(self, user_decks: Iterable[Deck] = ()) -> None:
        self.decks: tuple[Deck, ...] = (*builtin_decks(), *user_decks)
        self._prompts: dict[str, Prompt] = {}
        for deck in self.decks:
            for prompt in deck.prompts:
                self._prompts.setdefault(prompt.id, prompt)

    @classmethod
    def from_sources(cls, sources: Iterable[tuple[str, str, str]]) -> DeckSet:
        """Build from stored user decks: (id, format, source text)."""
        known = concepts().subskill_ids
        return cls(
            parse_deck(text, fmt, where=f"deck '{deck_id}'", known_skills=known)
            for deck_id, fmt, text in sources
        )

    def deck(self, deck_id: str) -> Deck:
        for deck in self.decks:
            if deck.id == deck_id:
                return deck
        raise NotFound(
            f"There is no deck '{deck_id}'; known decks: {', '.join(d.id for d in self.decks)}.",
            field="deck",
        )

    @property
    def prompts(self) -> tuple[Prompt, ...]:
        return tuple(self._prompts.values())

    def prompt(self, prompt_id: str) -> Prompt:
        found = self._prompts.get(prompt_id.strip().lower())
        if found is None:
            raise InvalidInput(
                f"There is no prompt '{prompt_id}'; valid prompt ids are: "
                f"{', '.join(self._prompts)}.",
                field="prompt_id",
            )
        return found

    def find_prompt(self, prompt_id: str | None) -> Prompt | None:
        """The prompt, or None when there is none by that id (say, its deck was removed)."""
        return self._prompts.get((prompt_id or "").strip().lower())

    def check_new_deck(self, deck: Deck, *, replacing: bool = False) -> None:
        """A user deck may not reuse a built-in deck id or another deck's prompt ids."""
        for existing in self.decks:
            if existing.id != deck.id:
                continue
            if existing.builtin:
                raise InvalidInput(
                    f"The deck id '{deck.id}' is taken by a built-in deck; "
                    "give your deck another id.",
                    field="id",
                )
            if not replacing:
                raise Conflict(
                    f"You already have a deck '{deck.id}'; use --replace to update it.", field="id"
                )
        for prompt in deck.prompts:
            owner = self._prompts.get(prompt.id)
            if owner is not None and owner.deck_id != deck.id:
                raise InvalidInput(
                    f"The prompt id '{prompt.id}' is already used by the deck "
                    f"'{owner.deck_id}'; prompt ids must be unique across decks.",
                    field="prompts",
                )
