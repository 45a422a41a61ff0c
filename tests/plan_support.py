"""Plan documents for tests (importable from every test module, like browser_support)."""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["without_language"]


def without_language(document: dict[str, Any], lang: str) -> dict[str, Any]:
    """A copy of a plan document as if it had never been translated into ``lang``."""
    doc = copy.deepcopy(document)

    def strip(node: Any) -> None:
        if isinstance(node, dict):
            if "ko" in node or "ja" in node or "en" in node:
                node.pop(lang, None)
            for value in node.values():
                strip(value)
        elif isinstance(node, list):
            for value in node:
                strip(value)

    strip(doc)
    meta = doc["plan"]
    for key in ("languages", "published_languages"):
        if key in meta:
            meta[key] = [x for x in meta[key] if x != lang]
    meta.get("translations", {}).pop(lang, None)
    return doc
