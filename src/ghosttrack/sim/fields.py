"""The ``fields`` parameter (partial responses), as Google APIs read it.

Grammar: ``selection (',' selection)*`` where a selection is a path ``a/b/c`` (``*`` matches any
key) optionally followed by ``(sub-selections)``; e.g.
``items(id,snippet(publishedAt,channelId),statistics/viewCount),nextPageToken``.
Arrays are transparent: a mask applies to each element.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

# A mask maps a key to the mask of its value; None means "the whole value".
Mask = dict[str, "Mask | None"]

_NAME_END = frozenset(",/()")


class FieldsError(ValueError):
    """The ``fields`` text does not parse; the message says where."""


@lru_cache(maxsize=256)
def parse_fields(text: str) -> Mask:
    """Parse a ``fields`` value into a mask (cached: clients send the same few every time)."""
    parser = _Parser(text.replace(" ", ""))
    mask = parser.selections(top=True)
    return mask


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, what: str) -> FieldsError:
        return FieldsError(f"Invalid field selection {self.text!r}: {what} at offset {self.pos}")

    def selections(self, top: bool) -> Mask:
        mask: Mask = {}
        while True:
            path = self.path()
            sub: Mask | None = None
            if self.peek() == "(":
                self.pos += 1
                sub = self.selections(top=False)
                if self.peek() != ")":
                    raise self.fail("expected ')'")
                self.pos += 1
            _merge(mask, path, sub)
            nxt = self.peek()
            if nxt == ",":
                self.pos += 1
                continue
            if (nxt == "" and top) or (nxt == ")" and not top):
                return mask
            raise self.fail(f"unexpected {nxt!r}" if nxt else "unexpected end")

    def path(self) -> list[str]:
        names = [self.name()]
        while self.peek() == "/":
            self.pos += 1
            names.append(self.name())
        return names

    def name(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in _NAME_END:
            self.pos += 1
        name = self.text[start : self.pos]
        if not name or not (name == "*" or name.replace("_", "a").isalnum()):
            raise self.fail("expected a field name")
        return name

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""


def _merge(mask: Mask, path: list[str], sub: Mask | None) -> None:
    """Add ``a/b/c(sub)`` to ``mask``; a whole-value selection wins over a partial one."""
    head, rest = path[0], path[1:]
    child: Mask | None = _nest(rest, sub)
    if head not in mask:
        mask[head] = child
        return
    existing = mask[head]
    if existing is None or child is None:
        mask[head] = None
        return
    for key, value in child.items():
        _merge(existing, [key], value)


def _nest(path: list[str], sub: Mask | None) -> Mask | None:
    if not path:
        return sub
    return {path[0]: _nest(path[1:], sub)}


def apply_mask(value: Any, mask: Mask | None) -> Any:
    """Keep only what ``mask`` selects; empty objects left behind are dropped, like Google does."""
    if mask is None:
        return value
    if isinstance(value, list):
        return [apply_mask(v, mask) for v in value]
    if not isinstance(value, dict):
        return {}  # a sub-selection of a plain value selects nothing
    if "*" in mask:
        selected = [(key, mask.get(key, mask["*"])) for key in value]
    else:  # walk the (small) mask, not the (large) value
        selected = [(key, sub) for key, sub in mask.items() if key in value]
    kept = {}
    for key, sub in selected:
        pruned = value[key] if sub is None else apply_mask(value[key], sub)
        if pruned != {}:
            kept[key] = pruned
    return kept


Projector = Callable[[Any], Any]


def compile_mask(mask: Mask | None) -> Projector:
    """``apply_mask`` specialised to one mask: a tracker sends the same ``fields`` on every call,
    so the walk is planned once and each response is pruned by straight-line code (leaf
    selections such as ``statistics(viewCount,likeCount)`` inline, without a call each)."""
    if mask is None:
        return _identity
    if "*" in mask:
        return partial(apply_mask, mask=mask)
    if all(sub is None for sub in mask.values()):
        return partial(_keep_keys, tuple(mask))
    plan = _plan(mask)

    def project(value: Any) -> Any:
        if type(value) is list:
            return [project(v) for v in value]
        if type(value) is not dict:
            return {}
        kept = {}
        for key, how, arg in plan:
            if key not in value:
                continue
            child = value[key]
            if how == _WHOLE:
                kept[key] = child
                continue
            if how == _LEAF and type(child) is dict:
                child = {k: child[k] for k in arg if k in child}
            else:
                child = arg(child) if how == _NESTED else apply_mask(child, mask[key])
            if child != {}:
                kept[key] = child
        return kept

    return project


_WHOLE, _LEAF, _NESTED = 0, 1, 2


def _keep_keys(keys: tuple[str, ...], value: Any) -> Any:
    if type(value) is dict:
        return {key: value[key] for key in keys if key in value}
    if type(value) is list:
        return [_keep_keys(keys, v) for v in value]
    return {}


def _plan(mask: Mask) -> list[tuple[str, int, Any]]:
    plan: list[tuple[str, int, Any]] = []
    for key, sub in mask.items():
        if sub is None:
            plan.append((key, _WHOLE, None))
        elif "*" not in sub and all(v is None for v in sub.values()):
            plan.append((key, _LEAF, tuple(sub)))
        else:
            plan.append((key, _NESTED, compile_mask(sub)))
    return plan


@lru_cache(maxsize=256)
def projector(text: str) -> Projector:
    """The compiled projector of a ``fields`` text (raises FieldsError when it does not parse)."""
    return compile_mask(parse_fields(text))


def _identity(value: Any) -> Any:
    return value


def item_mask(mask: Mask | None, container: str = "items") -> Mask | None:
    """The mask each element of ``container`` gets (None: keep everything)."""
    if mask is None:
        return None
    sub = mask.get(container, mask.get("*", {}))
    return sub


@dataclass(frozen=True)
class ItemPlan:
    """How to trim each element of ``items`` to ``fields`` in one pass: which keys to build at
    all, and for each kept key its sub-selection (``leaves``: plain key lists, trimmed inline;
    ``trims``: deeper selections, by a compiled projector)."""

    keys: frozenset[str]
    leaves: tuple[tuple[str, tuple[str, ...] | None], ...]
    trims: Mapping[str, Projector]
    snippet_light: bool = False

    def wants(self, key: str) -> bool:
        return key in self.keys

    def apply(self, item: dict[str, Any]) -> dict[str, Any]:
        """``item`` trimmed (parts left empty are dropped, like Google does)."""
        kept: dict[str, Any] = {}
        for key, sub in self.leaves:
            if key not in item:
                continue
            value = item[key]
            if sub is not None and type(value) is dict:
                value = {k: value[k] for k in sub if k in value}
            elif key in self.trims:
                value = self.trims[key](value)
            if value != {}:
                kept[key] = value
        return kept


@lru_cache(maxsize=256)
def item_plan(text: str, container: str = "items") -> ItemPlan | None:
    """The plan for ``fields=text``; None when elements are kept whole or a ``*`` makes the
    general projection simpler."""
    each = item_mask(parse_fields(text), container)
    if each is None or "*" in each:
        return None
    leaves = tuple((key, _leaf_keys(sub)) for key, sub in each.items())
    trims = {
        key: compile_mask(sub)
        for key, sub in each.items()
        if sub is not None and _leaf_keys(sub) is None
    }
    snippet = each.get("snippet", {})
    light = snippet is not None and "*" not in snippet and not SNIPPET_INFO_KEYS & set(snippet)
    return ItemPlan(frozenset(each), leaves, trims, light)


def _leaf_keys(sub: Mask | None) -> tuple[str, ...] | None:
    """The keys of a selection of plain keys (``statistics(viewCount,likeCount)``), else None."""
    if sub is None or "*" in sub or any(v is not None for v in sub.values()):
        return None
    return tuple(sub)


# snippet keys that need a video's (hashed) title and description
SNIPPET_INFO_KEYS = frozenset(
    {"title", "description", "thumbnails", "channelTitle", "tags", "categoryId", "localized"}
)
