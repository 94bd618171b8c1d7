"""An entry's metadata: where and in what weather it was recorded, kept beside its text.

Another journal (Day One) may know the place and the weather an entry was written in.
They are not the writer's words: they are kept apart from the body, in ``Entry.meta``, so
they are never searched, never analysed, never de-identified as text and never put in a
supervision packet (a place identifies). They travel with the person's own exports.

    {"location": {"place", "locality", "region", "country", "latitude", "longitude"},
     "weather": {"conditions", "temperature_c", "relative_humidity", "wind_speed_kph",
                 "pressure_mb"},
     "source": "dayone"}

Every field is optional; an entry written in Attunement has ``{}``. ``clean_meta`` checks
a mapping from a file strictly (one sentence naming the bad field), or leniently (an
importer of another tool's file drops what is not usable instead of refusing the entry).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from attunement.errors import InvalidInput

MAX_TEXT_CHARS = 200

# field -> None for text, or the (lowest, highest) a number may be
_TEXT = None
FIELDS: dict[str, dict[str, tuple[float, float] | None]] = {
    "location": {
        "place": _TEXT,
        "locality": _TEXT,
        "region": _TEXT,
        "country": _TEXT,
        "latitude": (-90.0, 90.0),
        "longitude": (-180.0, 180.0),
    },
    "weather": {
        "conditions": _TEXT,
        "temperature_c": (-100.0, 100.0),
        "relative_humidity": (0.0, 100.0),
        "wind_speed_kph": (0.0, 1000.0),
        "pressure_mb": (0.0, 2000.0),
    },
}
SOURCES = ("dayone",)


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > MAX_TEXT_CHARS:
        return None
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return None
    return value


def _number(value: Any, bounds: tuple[float, float]) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or not bounds[0] <= value <= bounds[1]:
        return None
    return value


def _refuse(field: str, why: str) -> InvalidInput:
    return InvalidInput(f"{field} {why}.", field=field)


def clean_meta(value: Any, field: str = "meta", *, strict: bool = True) -> dict[str, Any]:
    """The metadata in ``value`` (None or a mapping), checked. Strict: anything unknown or
    out of range is refused naming ``field``; lenient: it is left out."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        if strict:
            raise _refuse(field, "must be an object (or left out)")
        return {}
    known = (*FIELDS, "source")
    clean: dict[str, Any] = {}
    for key, item in value.items():
        where = f"{field}.{key}"
        if key not in known:
            if strict:
                raise _refuse(where, f"is not a metadata field; they are {', '.join(known)}")
            continue
        if key == "source":
            if item in SOURCES:
                clean["source"] = item
            elif strict:
                raise _refuse(where, f"must be one of {', '.join(SOURCES)}")
            continue
        group = _group(item, where, FIELDS[key], strict=strict)
        if group:
            clean[key] = group
    return clean


def _group(
    value: Any, field: str, spec: dict[str, tuple[float, float] | None], *, strict: bool
) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        if strict:
            raise _refuse(field, "must be an object")
        return {}
    clean: dict[str, Any] = {}
    for key, item in value.items():
        where = f"{field}.{key}"
        if key not in spec:
            if strict:
                raise _refuse(where, f"is not known; the fields are {', '.join(spec)}")
            continue
        if item is None:
            continue
        bounds = spec[key]
        good = _text(item) if bounds is None else _number(item, bounds)
        if good is None:
            if strict:
                raise _refuse(
                    where,
                    f"must be text of 1 to {MAX_TEXT_CHARS} characters on one line"
                    if bounds is None
                    else f"must be a number from {bounds[0]:g} to {bounds[1]:g}",
                )
            continue
        clean[key] = good
    return clean


def place_text(meta: Mapping[str, Any]) -> str:
    """The place as one short line: place, town, country (else the coordinates)."""
    location = meta.get("location") or {}
    named: list[str] = []
    for key in ("place", "locality", "country"):
        word = location.get(key)
        if word and word not in named:
            named.append(word)
    if named:
        return ", ".join(named)
    lat, lon = location.get("latitude"), location.get("longitude")
    if lat is not None and lon is not None:
        return f"{lat:.4f}, {lon:.4f}"
    return ""


def weather_text(meta: Mapping[str, Any]) -> str:
    """The weather as one short line: the temperature and the conditions."""
    weather = meta.get("weather") or {}
    parts = []
    if (celsius := weather.get("temperature_c")) is not None:
        parts.append(f"{math.floor(celsius + 0.5)} °C")  # half up, and never "-0"
    if conditions := weather.get("conditions"):
        parts.append(conditions.lower())
    return ", ".join(parts)


def recorded_line(meta: Mapping[str, Any]) -> str:
    """What the entry page and ``attune show`` say about where and in what weather an
    entry was recorded ("Recorded at: Leeds, UK · 12 °C, light rain"); "" if nothing."""
    where, sky = place_text(meta), weather_text(meta)
    if where:
        return f"Recorded at: {where}" + (f" · {sky}" if sky else "")
    return f"Weather when recorded: {sky}" if sky else ""
