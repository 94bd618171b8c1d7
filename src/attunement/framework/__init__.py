"""The source's concepts as data: prompt decks, sub-skills, posture signs, adaptations,
the intrusive-to-neglectful continuum, check-in scales and body regions.

The files beside this module are the single source of truth; this module only reads,
validates and indexes them. Nothing here touches the journal database: user decks are
handed in as text by the services.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
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
    from importlib import resources

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
    import tomllib

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
    """The built-in decks, parsed and checked against the concepts' sub-skills. Parsing
    their TOML on every command cost `attune today` a third of its time, so the parsed
    decks are kept compiled beside the package's bytecode, keyed by the files' content:
    an edited deck file is parsed again, as an edited module is compiled again."""
    folder = _package_folder()
    if folder is None:
        return _parse_builtin_decks()
    sources = [(folder / "concepts.toml").read_bytes()]
    sources += [(folder / "decks" / name).read_bytes() for name in BUILTIN_DECK_FILES]
    return compiled_decks(folder / "__pycache__", sources)


def _package_folder() -> Path | None:
    """This package's folder on disk (None when it is imported from a zip file)."""
    folder = Path(__file__).parent
    return folder if (folder / "concepts.toml").is_file() else None


def _parse_builtin_decks() -> tuple[Deck, ...]:
    known = concepts().subskill_ids
    return tuple(
        parse_deck(_read(name, "decks"), "toml", where=name, builtin=True, known_skills=known)
        for name in BUILTIN_DECK_FILES
    )


COMPILED_DECKS_FORMAT = 1


def compiled_decks(cache: Path, sources: list[bytes]) -> tuple[Deck, ...]:
    """The built-in decks from ``cache`` when it holds them compiled from exactly these
    ``sources`` (the concepts file and the deck files, as bytes: the copy keeps them to
    compare, which costs less than hashing them); else parsed, and written there for
    next time (unless Python is told not to write bytecode, or the folder cannot be
    written, when they are simply parsed each time)."""
    import marshal

    path = cache / f"builtin-decks-{COMPILED_DECKS_FORMAT}.marshal"
    try:
        kept, data = marshal.loads(path.read_bytes())
        if list(kept) == sources:
            return _decks_from_data(data)
    except (OSError, EOFError, ValueError, TypeError):
        pass  # not there yet, or not readable as ours: parse and write it anew
    decks = _parse_builtin_decks()
    if not sys.dont_write_bytecode:
        _write_compiled(path, marshal.dumps((tuple(sources), _decks_to_data(decks))))
    return decks


def _decks_to_data(decks: tuple[Deck, ...]) -> tuple[Any, ...]:
    return tuple(
        (
            d.id,
            d.name,
            d.version,
            d.description,
            d.source_title,
            d.quoted,
            d.note,
            tuple((p.id, p.deck_id, p.title, p.text, p.skills) for p in d.prompts),
            d.builtin,
        )
        for d in decks
    )


def _decks_from_data(data: Any) -> tuple[Deck, ...]:
    return tuple(
        Deck(
            id=deck_id,
            name=name,
            version=version,
            description=description,
            source_title=source_title,
            quoted=quoted,
            note=note,
            prompts=tuple(Prompt(*p) for p in prompts),
            builtin=builtin,
        )
        for (deck_id, name, version, description, source_title, quoted, note, prompts, builtin) in (
            data
        )
    )


def _write_compiled(path: Path, data: bytes) -> None:
    """Write ``data`` whole or not at all (a temporary file renamed into place)."""
    try:
        path.parent.mkdir(exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        pass  # a read-only installation: the decks are parsed on each run instead


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
        sources = list(sources)
        if not sources:
            return cls()
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
                    f"You already have a deck '{deck.id}'; replace it to update it "
                    "(`--replace` at the command line).",
                    field="id",
                )
        for prompt in deck.prompts:
            owner = self._prompts.get(prompt.id)
            if owner is not None and owner.deck_id != deck.id:
                raise InvalidInput(
                    f"The prompt id '{prompt.id}' is already used by the deck "
                    f"'{owner.deck_id}'; prompt ids must be unique across decks.",
                    field="prompts",
                )
