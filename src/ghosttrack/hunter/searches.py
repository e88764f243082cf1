"""Saved searches: ``ghosttrack searches add "query" [--every 6h]``, ``list``, ``remove``.

A search costs one call from the ``search`` bucket: 100 calls a day per key since June 2026.
A search is admitted only if every saved search, run at its interval with all its pages, still
fits the day's bucket; the hunter stretches the intervals if the bucket shrinks later (a key
removed), and the client's ledger refuses any call past it in any case.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from ghosttrack.clock import Clock
from ghosttrack.errors import InputError
from ghosttrack.hunter.policy import search_calls_per_day
from ghosttrack.settings import Settings
from ghosttrack.watchlist.discovery import DiscoveryStore
from ghosttrack.watchlist.records import NewSearch, SavedSearch

MAX_QUERY = 500
SHORTEST_EVERY = timedelta(minutes=15)


def search_budget(settings: Settings) -> int:
    """search.list calls a day: the search bucket of every key (of one, before any is set)."""
    return max(1, len(settings.api_keys)) * settings.search_quota


def planned_calls(searches: Sequence[SavedSearch], settings: Settings) -> int:
    """The most calls the saved searches can make in a day."""
    pages = settings.search_max_pages
    return sum(search_calls_per_day(s.every, pages) for s in searches)


def add_search(
    discovery: DiscoveryStore,
    clock: Clock,
    settings: Settings,
    query: str,
    every: timedelta | None = None,
) -> tuple[SavedSearch, bool]:
    """Save a search, first run now. Adding a saved query again changes nothing (False).
    InputError when the query is empty or too long, or the searches would not fit the bucket."""
    text = " ".join(query.split())
    if not text or len(text) > MAX_QUERY:
        raise InputError(f"a search query must have 1 to {MAX_QUERY} characters, got {query!r}")
    interval = settings.search_every if every is None else every
    if interval < SHORTEST_EVERY:
        raise InputError(f"--every must be at least 15m (got {interval}): searches are rationed")
    saved = discovery.list_searches()
    for search in saved:
        if search.query == text:
            return search, False
    planned = planned_calls(saved, settings) + search_calls_per_day(
        interval, settings.search_max_pages
    )
    budget = search_budget(settings)
    if planned > budget:
        raise InputError(
            f"the saved searches would need up to {planned} search.list calls a day, but the "
            f"search bucket holds {budget} ({max(1, len(settings.api_keys))} key(s) × "
            "GHOSTTRACK_SEARCH_QUOTA): use a longer --every, remove a search, or add API keys"
        )
    now = clock.now()
    return discovery.add_search(NewSearch(text, interval, next_run_at=now, added_at=now))


def remove_searches(discovery: DiscoveryStore, inputs: Sequence[str]) -> int:
    """Remove searches named by id (as ``searches list`` shows) or by their exact query.
    InputError, nothing removed, when one names no saved search."""
    saved = discovery.list_searches()
    by_query = {s.query: s.id for s in saved}
    ids = {s.id for s in saved}
    chosen: list[int] = []
    problems: list[str] = []
    for text in inputs:
        key = " ".join(text.split())
        if key.isdigit() and int(key) in ids:
            chosen.append(int(key))
        elif key in by_query:
            chosen.append(by_query[key])
        else:
            problems.append(f"{text!r} is not the id or the query of a saved search")
    if problems:
        raise InputError("nothing was removed", problems)
    return discovery.remove_searches(chosen)
