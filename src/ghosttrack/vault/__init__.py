"""The Parquet vault: every sample ever taken, in hive-partitioned files by UTC hour.

- ``vault``    the ``Vault`` facade: write, read (DuckDB), stats, temp-file cleanup
- ``layout``   the one place that builds vault paths and names files
- ``schema``   Arrow/Parquet schemas; samples validated and turned into sorted tables
- ``storage``  listing and footers through ``pyarrow.fs``; atomic, durable publishing
- ``query``    DuckDB SQL over the vault, pruned by partition
- ``records``  the records callers hand in and get back

Nothing is imported here, so that ``ghosttrack.vault.records`` stays free of pyarrow and DuckDB.
"""
