"""Reading and validating framework files: prompt decks and the concepts file.

A deck is TOML or YAML. Validation is strict (unknown keys are refused, so a typo never
silently drops a prompt) and every error names the file, the line and the field, e.g.
``my-deck.toml, line 14: prompts[2].text must be text, not a number``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from attunement.core.validation import clean_text
from attunement.errors import FormatError, InvalidInput

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
DECK_SCHEMA = 1
MAX_PROMPTS = 500

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Prompt:
    id: str
    deck_id: str
    title: str
    text: str
    skills: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "deck_id": self.deck_id,
            "title": self.title,
            "text": self.text,
            "skills": list(self.skills),
        }


@dataclass(frozen=True)
class Deck:
    id: str
    name: str
    version: str
    description: str
    source_title: str
    quoted: bool
    note: str
    prompts: tuple[Prompt, ...]
    builtin: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "source": {"title": self.source_title, "quoted": self.quoted, "note": self.note},
            "builtin": self.builtin,
            "prompts": [p.to_dict() for p in self.prompts],
        }


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    if value is None:
        return "empty"
    return "text"


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class _Locator:
    """Finds the line of a field in the original text, for error messages."""

    def __init__(self, text: str, fmt: str) -> None:
        self.text = text
        self.fmt = fmt
        self.lines = text.splitlines()
        self._yaml_root: Any = None
        if fmt == "yaml":
            import yaml

            try:
                self._yaml_root = yaml.compose(text, Loader=yaml.SafeLoader)
            except yaml.YAMLError:
                self._yaml_root = None

    def line(self, path: Path_) -> int | None:
        return self._yaml_line(path) if self.fmt == "yaml" else self._toml_line(path)

    def _yaml_line(self, path: Path_) -> int | None:
        node = self._yaml_root
        if node is None:
            return None
        line = node.start_mark.line + 1
        for part in path:
            nxt = None
            if isinstance(part, int) and hasattr(node, "value") and isinstance(node.value, list):
                if part < len(node.value):
                    nxt = node.value[part]
                    if isinstance(nxt, tuple):  # mapping pairs are (key, value)
                        nxt = None
            elif isinstance(node.value, list):
                for pair in node.value:
                    if isinstance(pair, tuple) and getattr(pair[0], "value", None) == part:
                        line = pair[0].start_mark.line + 1
                        nxt = pair[1]
                        break
            if nxt is None:
                return line
            node = nxt
            line = node.start_mark.line + 1
        return line

    def _toml_line(self, path: Path_) -> int | None:
        start, end = 0, len(self.lines)
        header = re.compile(r"^\s*\[")
        if len(path) >= 2 and isinstance(path[1], int):
            table, index = path[0], path[1]
            pattern = re.compile(rf"^\s*\[\[\s*{re.escape(str(table))}\s*\]\]")
            seen = -1
            for number, line in enumerate(self.lines):
                if pattern.match(line):
                    seen += 1
                    if seen == index:
                        start = number
                        end = next(
                            (
                                k
                                for k in range(number + 1, len(self.lines))
                                if header.match(self.lines[k])
                            ),
                            len(self.lines),
                        )
                        break
            else:
                return None
            key = path[2] if len(path) > 2 else None
        else:
            key = path[0] if path else None
            end = next(
                (k for k, line in enumerate(self.lines) if header.match(line)), len(self.lines)
            )
            if len(path) > 1:  # a key inside a [table]
                pattern = re.compile(rf"^\s*\[\s*{re.escape(str(path[0]))}\s*\]")
                for number, line in enumerate(self.lines):
                    if pattern.match(line):
                        start = number
                        end = next(
                            (
                                k
                                for k in range(number + 1, len(self.lines))
                                if header.match(self.lines[k])
                            ),
                            len(self.lines),
                        )
                        break
                key = path[1]
        if key is None:
            return start + 1
        key_re = re.compile(rf"^\s*{re.escape(str(key))}\s*=")
        for number in range(start, end):
            if key_re.match(self.lines[number]):
                return number + 1
        return start + 1 if start else None


class _Checker:
    def __init__(self, text: str, fmt: str, where: str) -> None:
        self.locator = _Locator(text, fmt)
        self.where = where

    def fail(self, path: Path_, message: str) -> FormatError:
        return FormatError(
            f"{_dotted(path)} {message}" if path else message,
            path=self.where,
            line=self.locator.line(path),
            field=_dotted(path) or None,
        )

    def table(self, value: Any, path: Path_, allowed: Sequence[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"must be a table of fields, not {_describe(value)}")
        for key in value:
            if key not in allowed:
                raise self.fail(
                    (*path, key),
                    f"is not a field Attunement knows here; expected one of: {', '.join(allowed)}",
                )
        return value

    def text(
        self,
        data: dict[str, Any],
        key: str,
        path: Path_,
        *,
        required: bool = True,
        default: str = "",
    ) -> str:
        if key not in data:
            if required:
                raise self.fail(path, f"is missing the field '{key}'")
            return default
        value = data[key]
        if not isinstance(value, str):
            raise self.fail((*path, key), f"must be text, not {_describe(value)}")
        if required and not value.strip():
            raise self.fail((*path, key), "must not be empty")
        try:  # the rule every stored text follows: no NUL characters, valid Unicode
            clean_text(value, field=key, what="text")
        except InvalidInput as exc:
            raise self.fail((*path, key), exc.message.removeprefix("The text ")) from exc
        return value.strip()

    def ident(self, data: dict[str, Any], key: str, path: Path_) -> str:
        value = self.text(data, key, path)
        if not ID_PATTERN.match(value):
            raise self.fail(
                (*path, key),
                f"'{value}' is not a usable id; use lower-case letters, digits and '-' "
                "(at most 63 characters)",
            )
        return value


def parse_deck(
    text: str,
    fmt: str,
    *,
    where: str = "deck",
    builtin: bool = False,
    known_skills: frozenset[str] | None = None,
) -> Deck:
    """Parse and validate one deck file. ``fmt`` is ``toml`` or ``yaml``."""
    data = _load(text, fmt, where)
    check = _Checker(text, fmt, where)
    top = check.table(
        data, (), ["schema", "id", "name", "version", "description", "source", "prompts"]
    )
    schema = top.get("schema", DECK_SCHEMA)
    if schema != DECK_SCHEMA:
        raise check.fail(
            ("schema",),
            f"is {schema!r}, but this Attunement reads schema "
            f"{DECK_SCHEMA}; upgrade Attunement or fix the file",
        )
    deck_id = check.ident(top, "id", ())
    name = check.text(top, "name", ())
    version = check.text(top, "version", (), required=False, default="1")
    description = check.text(top, "description", (), required=False)
    source = check.table(top.get("source", {}), ("source",), ["title", "quoted", "note"])
    quoted = source.get("quoted", False)
    if not isinstance(quoted, bool):
        raise check.fail(("source", "quoted"), f"must be true or false, not {_describe(quoted)}")
    prompts_raw = top.get("prompts")
    if not isinstance(prompts_raw, list) or not prompts_raw:
        raise check.fail(
            ("prompts",) if "prompts" in top else (),
            "needs a list of prompts, each with an id and a text"
            if "prompts" in top
            else "is missing the field 'prompts'",
        )
    if len(prompts_raw) > MAX_PROMPTS:
        raise check.fail(("prompts",), f"holds more than {MAX_PROMPTS} prompts; split the deck")
    prompts = []
    seen: set[str] = set()
    for index, raw in enumerate(prompts_raw):
        path: Path_ = ("prompts", index)
        item = check.table(raw, path, ["id", "title", "text", "skills"])
        prompt_id = check.ident(item, "id", path)
        if prompt_id in seen:
            raise check.fail((*path, "id"), f"'{prompt_id}' is used twice in this deck")
        seen.add(prompt_id)
        prompt_text = check.text(item, "text", path)
        title = check.text(item, "title", path, required=False) or _title_from(prompt_text)
        skills = item.get("skills", [])
        if not isinstance(skills, list) or not all(isinstance(k, str) for k in skills):
            raise check.fail((*path, "skills"), "must be a list of sub-skill ids")
        if known_skills is not None:
            for skill in skills:
                if skill not in known_skills:
                    raise check.fail(
                        (*path, "skills"),
                        f"names '{skill}', which is not a sub-skill; use one of: "
                        f"{', '.join(sorted(known_skills))}",
                    )
        prompts.append(Prompt(prompt_id, deck_id, title, prompt_text, tuple(skills)))
    return Deck(
        id=deck_id,
        name=name,
        version=version,
        description=description,
        source_title=str(source.get("title", "")),
        quoted=quoted,
        note=str(source.get("note", "")),
        prompts=tuple(prompts),
        builtin=builtin,
    )


def _title_from(text: str, words: int = 6) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def _load(text: str, fmt: str, where: str) -> Any:
    if fmt == "toml":
        import tomllib

        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
            reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
            if match:
                line: int | None = int(match.group(1))
            elif "end of document" in str(exc):
                line = max(1, len(text.splitlines()))
            else:
                line = None
            raise FormatError(f"is not valid TOML: {reason}", path=where, line=line) from exc
    if fmt == "yaml":
        import yaml

        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or "it cannot be parsed"
            raise FormatError(
                f"is not valid YAML: {problem}", path=where, line=mark.line + 1 if mark else None
            ) from exc
    raise FormatError(f"has an unknown format '{fmt}'; use a .toml, .yaml or .yml file", path=where)


def format_of(filename: str) -> str:
    lowered = filename.lower()
    if lowered.endswith(".toml"):
        return "toml"
    if lowered.endswith((".yaml", ".yml")):
        return "yaml"
    raise FormatError(
        "is neither TOML nor YAML; deck files end in .toml, .yaml or .yml", path=filename
    )
