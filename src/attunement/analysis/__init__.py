"""Explainable analysis of a caregiver's own writing: pure functions, text in, findings
out, each finding carrying character spans into the given text as evidence.

Importing this package loads nothing; the first call reads the shipped data it needs.
"""

from __future__ import annotations

from attunement.analysis.markers import MarkerFinding, find_markers, marker_info

__all__ = ["MarkerFinding", "find_markers", "marker_info"]
