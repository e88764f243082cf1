"""SIGKILL a writer at random moments: no reader ever meets a broken file, no ack is lost.

A child process writes batches in a loop and prints each file (with a digest of what it holds)
only after ``write_samples`` returned — the moment the tracker would acknowledge the samples.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from ghosttrack.vault import layout
from ghosttrack.vault.vault import Vault

WRITER = textwrap.dedent(
    """
    import hashlib, json, random, sys
    from datetime import UTC, datetime, timedelta
    from ghosttrack.vault import layout
    from ghosttrack.vault.records import Sample
    from ghosttrack.vault.vault import Vault

    vault, seed = Vault(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    batch = 0
    while True:
        base = start + timedelta(minutes=rng.randrange(3 * 24 * 60))
        samples = [
            Sample(f"r{seed:02d}b{batch:05d}n{i:04d}", base + timedelta(seconds=13 * i),
                   views=rng.randrange(10**9), likes=rng.choice([None, i]), comments=i,
                   published_at=start)
            for i in range(rng.randrange(1, 2000))
        ]
        for path in vault.write_samples(samples):
            hour = path.split("/metrics/")[1].rsplit("/", 1)[0]
            mine = [s for s in samples if layout.partition_dir("metrics", s.timestamp)
                    == "metrics/" + hour]
            digest = hashlib.sha256(
                "".join(f"{s.video_id}|{s.views}|" for s in sorted(mine, key=lambda s: s.video_id))
                .encode()).hexdigest()
            print(json.dumps({"path": path, "rows": len(mine), "digest": digest}), flush=True)
        batch += 1
    """
)


def digest_of(path: str) -> tuple[int, str]:
    table = pq.read_table(path).sort_by("video_id")
    ids, views = table.column("video_id").to_pylist(), table.column("views").to_pylist()
    text = "".join(f"{v}|{n}|" for v, n in zip(ids, views, strict=True))
    return table.num_rows, hashlib.sha256(text.encode()).hexdigest()


def run_and_kill(vault_dir: Path, seed: int, rng: random.Random) -> list[dict[str, object]]:
    """Start a writer, let it write for a random while, SIGKILL it; return its acks."""
    lines: list[str] = []
    acknowledged = threading.Event()
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, str(vault_dir), str(seed)],
        stdout=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None
        stdout = child.stdout

        def pump() -> None:
            for line in stdout:
                if line.endswith("\n"):  # a line cut by the kill is no acknowledgement
                    lines.append(line)
                    acknowledged.set()

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        try:
            assert acknowledged.wait(60), "the writer acknowledged nothing"
            time.sleep(rng.uniform(0.0, 0.5))
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.kill()
            child.wait(30)
            reader.join(30)
    return [json.loads(line) for line in lines]


def test_sigkilled_writers_leave_only_whole_files_and_every_ack_holds(tmp_path: Path) -> None:
    vault_dir = tmp_path / "vault"
    rng = random.Random(20260115)
    acks: list[dict[str, object]] = []
    for seed in range(6):
        acks += run_and_kill(vault_dir, seed, rng)
    assert len(acks) >= 6

    published = sorted(str(p) for p in vault_dir.rglob("*.parquet"))
    for path in published:
        pq.read_table(path)  # every visible file is whole
    for ack in acks:
        assert ack["path"] in published, ack
        assert digest_of(str(ack["path"])) == (ack["rows"], ack["digest"])

    # A kill between write and rename: a temp file, whatever the kills above happened to leave.
    hour = vault_dir / "metrics" / "date=2026-01-01" / "hour=00"
    hour.mkdir(parents=True, exist_ok=True)
    (hour / layout.temp_name("20260101T000000000000Z-killed.parquet")).write_bytes(b"PAR1 cut")
    temps = [p for p in vault_dir.rglob("*") if layout.is_temp_file(str(p))]
    assert temps

    vault = Vault(str(vault_dir))
    acked_rows = sum(int(str(a["rows"])) for a in acks)
    stats = vault.stats()
    assert stats.files == len(published)
    assert stats.samples >= acked_rows
    assert len(pd.read_parquet(vault_dir / "metrics")) == stats.samples
    [(count,)] = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{vault.metrics_glob()}', hive_partitioning = true)"
    ).fetchall()
    assert count == stats.samples
    assert vault.read_samples().num_rows == stats.samples

    removed = vault.clean_temp_files(timedelta(0))
    assert sorted(removed) == sorted(str(p) for p in temps)
    assert [p for p in vault_dir.rglob("*") if layout.is_temp_file(str(p))] == []
    assert sorted(str(p) for p in vault_dir.rglob("*.parquet")) == published
