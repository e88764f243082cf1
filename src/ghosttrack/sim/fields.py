"""The ``fields`` parameter (partial responses), as Google APIs read it.

Grammar: ``selection (',' selection)*`` where a selection is a path ``a/b/c`` (``*`` matches any
key) optionally followed by ``(sub-selections)``; e.g.
``items(id,snippet(publishedAt,channelId),statistics/viewCount),nextPageToken``.
Arrays are transparent: a mask applies to each element.
"""

from __future__ import annotations

from functools import lru_cache
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
        return value
    star = mask.get("*", _ABSENT)
    kept = {}
    for key, item in value.items():
        sub = mask.get(key, star)
        if sub is _ABSENT:
            continue
        pruned = apply_mask(item, sub)
        if pruned != {}:
            kept[key] = pruned
    return kept


def top_level(mask: Mask | None, container: str = "items") -> set[str] | None:
    """The keys of each element of ``container`` the mask can keep (None: all of them)."""
    if mask is None:
        return None
    if "*" in mask:
        sub = mask["*"]
    elif container in mask:
        sub = mask[container]
    else:
        return set()
    if sub is None or "*" in sub:
        return None
    return set(sub)


_ABSENT: Any = object()
