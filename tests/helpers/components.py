"""Walking a Dash component tree in tests: its nodes, a node by id, its text, a KPI card."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def walk(node: Any) -> Iterator[Any]:
    """Every component in the tree, depth first (strings and numbers are not components)."""
    if isinstance(node, (list, tuple)):
        for item in node:
            yield from walk(item)
        return
    if node is None or isinstance(node, (str, int, float)):
        return
    yield node
    yield from walk(getattr(node, "children", None))


def by_id(tree: Any, wanted: Any) -> Any:
    """The first component whose id is `wanted`."""
    for node in walk(tree):
        if getattr(node, "id", None) == wanted:
            return node
    raise AssertionError(f"no component with id {wanted!r}")


def text(node: Any) -> str:
    """All the text under `node`, joined without separators."""
    if node is None:
        return ""
    if isinstance(node, (str, int, float)):
        return str(node)
    if isinstance(node, (list, tuple)):
        return "".join(text(n) for n in node)
    return text(getattr(node, "children", None))


def card(tree: Any, key: str) -> tuple[str, str, str, str]:
    """(value, count line, change line, change class) of a KPI card."""
    for node in walk(tree):
        if getattr(node, "className", "") == "kpi-card h-100":
            value = by_id(node, {"type": "kpi-value", "key": key}) if _has(node, key) else None
            if value is None:
                continue
            body = node.children.children
            change = body[3].children
            return text(value), text(body[2]), text(change), change.className
    raise AssertionError(f"no card for {key}")


def _has(node: Any, key: str) -> bool:
    try:
        by_id(node, {"type": "kpi-value", "key": key})
        return True
    except AssertionError:
        return False
