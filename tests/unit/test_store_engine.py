"""Pure parts of the SQL stores (no database): URLs, timestamp storage, bulk row layout."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from ghosttrack.errors import StoreError
from ghosttrack.watchlist.engine import parse_url, redact
from ghosttrack.watchlist.records import VideoStatus, Visit, WatchEntry
from ghosttrack.watchlist.schema import UtcDateTime
from ghosttrack.watchlist.watchlist import ENTRY_FIELDS, VISIT_FIELDS, entry_values, visit_values


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg"),
        ("postgres://u@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
        ("sqlite:///ghosttrack-data/ghosttrack.db", "sqlite"),
    ],
)
def test_parse_url_picks_psycopg_for_postgresql(given: str, driver: str) -> None:
    assert parse_url(given).drivername == driver


def test_parse_url_rejects_what_is_not_a_url() -> None:
    with pytest.raises(StoreError, match="GHOSTTRACK_DATABASE_URL"):
        parse_url("ghosttrack.db")


def test_redact_hides_passwords_in_the_netloc_and_the_query() -> None:
    shown = redact("postgresql+psycopg://ghost:hunter2@db.example:5432/gt?password=hunter3&x=1")

    assert "hunter2" not in shown
    assert "hunter3" not in shown
    assert shown.startswith("postgresql+psycopg://ghost:***@db.example:5432/gt?")
    assert "x=1" in shown


def test_redact_leaves_a_url_without_secrets_alone() -> None:
    assert redact("sqlite:////var/lib/ghosttrack.db") == "sqlite:////var/lib/ghosttrack.db"


MOMENT = datetime(2026, 3, 8, 10, 30, 15, 123456, tzinfo=UTC)


def test_sqlite_stores_epoch_microseconds_and_gives_back_utc() -> None:
    dialect = sqlite.dialect()
    column = UtcDateTime()

    stored = column.process_bind_param(MOMENT, dialect)
    back = column.process_result_value(stored, dialect)

    assert stored == int(MOMENT.timestamp()) * 1_000_000 + 123456
    assert back == MOMENT
    assert back is not None
    assert back.tzinfo is UTC


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "pg"])
def test_other_zones_and_naive_times_are_stored_as_utc(dialect: Dialect) -> None:
    column = UtcDateTime()
    eastern = MOMENT.astimezone(timezone(timedelta(hours=-5)))
    naive = MOMENT.replace(tzinfo=None)

    stored = {column.process_bind_param(m, dialect) for m in (MOMENT, eastern, naive)}

    assert len(stored) == 1
    assert column.process_bind_param(None, dialect) is None


def test_times_before_the_epoch_round_trip() -> None:
    dialect = sqlite.dialect()
    old = datetime(1969, 7, 20, 20, 17, 40, 1, tzinfo=UTC)
    column = UtcDateTime()

    assert column.process_result_value(column.process_bind_param(old, dialect), dialect) == old


@pytest.mark.parametrize(
    ("record", "fields", "values"),
    [(WatchEntry, ENTRY_FIELDS, entry_values), (Visit, VISIT_FIELDS, visit_values)],
    ids=["entry", "visit"],
)
def test_bulk_rows_put_each_field_in_its_column(
    record: type[Any], fields: tuple[str, ...], values: Callable[[Any], tuple[Any, ...]]
) -> None:
    names = [f.name for f in dataclasses.fields(record)]
    probe = record(**{n: VideoStatus.PAUSED if n == "status" else f"<{n}>" for n in names})

    row = dict(zip(fields, values(probe), strict=True))

    assert set(fields) == set(names)
    assert row == {n: "paused" if n == "status" else f"<{n}>" for n in names}
