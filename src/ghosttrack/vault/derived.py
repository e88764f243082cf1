"""Tables computed from the samples (analytics' ``video_trends``), kept beside them in the vault.

Each is one Parquet file ``derived/<name>.parquet``, replaced whole and atomically (a reader
sees the old table or the new one, never a mix), through the vault's storage so that it works
wherever the vault lives. ``derived/`` is outside the sample datasets: readers of ``metrics``
never see these files, and compaction and retention leave them alone. A derived table can
always be computed again from the samples.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import duckdb
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from ghosttrack.errors import VaultError
from ghosttrack.vault import layout
from ghosttrack.vault.query import sql_literal
from ghosttrack.vault.storage import LocalStorage, Storage

DERIVED = "derived"
_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")


class DerivedTables:
    """Named tables under ``<vault>/derived/``."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    def write(self, name: str, table: pa.Table, metadata: Mapping[str, str] | None = None) -> str:
        """Replace table ``name`` with ``table`` (``metadata`` goes into its footer)."""
        extra = {k.encode(): v.encode() for k, v in (metadata or {}).items()}
        merged = {**(table.schema.metadata or {}), **extra}
        sink = pa.BufferOutputStream()
        pq.write_table(table.replace_schema_metadata(merged), sink, compression="zstd")
        (path,) = self._storage.publish([(self._relative(name), bytes(sink.getvalue()))])
        return path

    def metadata(self, name: str) -> dict[str, str] | None:
        """The footer metadata of table ``name``; None when it does not exist."""
        path = self._storage.path(self._relative(name))
        try:
            with self._storage.fs.open_input_file(path) as handle:
                raw = pq.ParquetFile(handle).schema_arrow.metadata or {}
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise VaultError(f"cannot read derived table {name!r}: {exc}") from exc
        return {k.decode(): v.decode() for k, v in raw.items() if not k.startswith(b"ARROW:")}

    def read(self, name: str, columns: Sequence[str] | None = None) -> pa.Table | None:
        """Table ``name`` (only ``columns``, when given); None when it does not exist."""
        path = self._storage.path(self._relative(name))
        try:
            with self._storage.fs.open_input_file(path) as handle:
                return pq.read_table(handle, columns=list(columns) if columns else None)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise VaultError(f"cannot read derived table {name!r}: {exc}") from exc

    def register(
        self, connection: duckdb.DuckDBPyConnection, name: str, view: str | None = None
    ) -> bool:
        """A DuckDB temp view ``view`` (default ``name``) over table ``name``; False (and no
        view) when the table does not exist. On a local disk DuckDB reads the file itself,
        only the columns and row groups a query needs."""
        view = view or name
        if isinstance(self._storage, LocalStorage):
            path = self._storage.path(self._relative(name))
            if self._storage.fs.get_file_info(path).type != pafs.FileType.File:
                return False
            source = f"SELECT * FROM read_parquet({sql_literal(path)})"
            connection.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS {source}")
            return True
        table = self.read(name)
        if table is None:
            return False
        connection.register(f"__derived_{view}", table)
        connection.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM __derived_{view}")
        return True

    @staticmethod
    def _relative(name: str) -> str:
        if not _NAME.fullmatch(name):
            raise VaultError(
                f"derived table name {name!r}: use lower-case letters, digits and underscores"
            )
        return layout.join(DERIVED, name + layout.PARQUET_SUFFIX)
