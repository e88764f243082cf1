"""What the stores' bulk statements share: many rows as one bind parameter, upserts on either
backend, and chunking.

Bulk writes read their rows from ``row_source``: one bind parameter per column (PostgreSQL
arrays, unnested) or one JSON document (SQLite ``json_each``). The SQL text is then the same
for every batch — compiled once, cached — and has no bind-parameter limit; one statement writes
a whole chunk of thousands of rows, never one statement per row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from datetime import timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

#: Rows per bulk statement (add, reschedule, channel updates). A row source has no
#: bind-parameter limit; the chunk only bounds the size of one statement.
BULK_CHUNK = 5000
#: Ids per ``IN (…)`` list (SQLite allows 32,766 bind parameters, PostgreSQL 65,535).
ID_CHUNK = 5000

T = TypeVar("T")
Insert = postgresql.Insert | sqlite.Insert


def row_source(
    dialect: Dialect, table: sa.Table, names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> sa.FromClause:
    """``rows`` (tuples of values for ``names``, columns of ``table``) as a table named ``src``.

    PostgreSQL: ``unnest(:src_a, :src_b, …) AS src(a, b, …)``, one typed array a column.
    SQLite: ``json_each(:src)``, a JSON array of rows, its values first bound as the columns'
    types bind them (timestamps become epoch microseconds).
    """
    if dialect.name == "postgresql":
        arrays = [
            sa.bindparam(
                f"src_{name}", [row[i] for row in rows], postgresql.ARRAY(table.c[name].type)
            )
            for i, name in enumerate(names)
        ]
        return sa.func.unnest(*arrays).table_valued(*names).render_derived(name="src")
    binds = [table.c[name].type.bind_processor(dialect) for name in names]
    document = json.dumps(
        [
            [v if bind is None else bind(v) for bind, v in zip(binds, row, strict=True)]
            for row in rows
        ]
    )
    each = sa.func.json_each(sa.bindparam("src", document, sa.String())).table_valued("value")
    fields = [
        sa.func.json_extract(each.c.value, sa.literal_column(f"'$[{i}]'")).label(name)
        for i, name in enumerate(names)
    ]
    return sa.select(*fields).subquery("src")


def insert(dialect: Dialect, table: sa.Table) -> Insert:
    """An INSERT that can say ON CONFLICT on this dialect."""
    if dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def id_chunks(ids: Sequence[T]) -> Iterator[Sequence[T]]:
    """Distinct ids, in ``IN (…)`` lists of ``ID_CHUNK``."""
    return chunks(list(dict.fromkeys(ids)), ID_CHUNK)


def first_of_each(items: Iterable[T], key: Callable[[T], Hashable]) -> list[T]:
    """One item per key, the first seen (a statement may not write a row twice)."""
    seen: dict[Hashable, T] = {}
    for item in items:
        seen.setdefault(key(item), item)
    return list(seen.values())


def seconds(interval: timedelta) -> int:
    """An interval as SQL keeps it: whole seconds (``Interval`` has no portable storage)."""
    return round(interval.total_seconds())
