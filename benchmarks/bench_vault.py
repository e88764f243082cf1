"""Vault write and stats speed: ``python -m benchmarks.bench_vault [--samples N] [--dir PATH]``.

Writes N samples (default 100,000) in batches of 1000 and of 50 — the tracker writes one batch
per API chunk — each batch a durable file (fsync + rename + folder fsync), then times
``stats()`` over the result. Figures: files/s, samples/s, bytes per sample on disk.
"""

from __future__ import annotations

import argparse
import random
import string
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ghosttrack.vault.records import Sample, SampleSource
from ghosttrack.vault.vault import Vault

START = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
_ID_CHARS = string.ascii_letters + string.digits + "-_"


def make_samples(count: int, seed: int = 1) -> list[Sample]:
    """Realistic samples: random ids, growing counts, a pass spread over a few hours."""
    rng = random.Random(seed)
    samples = []
    for i in range(count):
        views = rng.randrange(10, 50_000_000)
        samples.append(
            Sample(
                video_id="".join(rng.choices(_ID_CHARS, k=10)) + rng.choice("AEIMQUYcgkosw048"),
                timestamp=START + timedelta(seconds=i * 0.2),
                views=views,
                likes=None if rng.random() < 0.05 else views // rng.randrange(20, 200),
                comments=None if rng.random() < 0.03 else views // rng.randrange(200, 5000),
                published_at=START - timedelta(days=rng.randrange(0, 3000)),
                source=SampleSource.API,
            )
        )
    return samples


def bench_writes(root: Path, samples: list[Sample], batch: int) -> dict[str, float]:
    vault = Vault(str(root / f"batch-{batch}"))
    started = time.perf_counter()
    files = 0
    for offset in range(0, len(samples), batch):
        files += len(vault.write_samples(samples[offset : offset + batch]))
    elapsed = time.perf_counter() - started
    stats_started = time.perf_counter()
    stats = vault.stats()
    stats_seconds = time.perf_counter() - stats_started
    assert stats.samples == len(samples), stats
    return {
        "batch": batch,
        "files": files,
        "seconds": elapsed,
        "files_per_s": files / elapsed,
        "samples_per_s": len(samples) / elapsed,
        "bytes_per_sample": stats.bytes / stats.samples,
        "stats_seconds": stats_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=None, help="Where to write (default: tmp).")
    args = parser.parse_args()
    samples = make_samples(args.samples)
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="bench-vault-") as tmp:
        print(f"vault in {tmp}, {args.samples:,} samples")
        header = (
            f"{'batch':>6} {'files':>6} {'seconds':>8} {'files/s':>8} {'samples/s':>10} "
            f"{'B/sample':>9} {'stats() s':>9}"
        )
        print(header)
        for batch in (1000, 50):
            r = bench_writes(Path(tmp), samples, batch)
            print(
                f"{r['batch']:>6} {r['files']:>6} {r['seconds']:>8.2f} {r['files_per_s']:>8.0f} "
                f"{r['samples_per_s']:>10,.0f} {r['bytes_per_sample']:>9.1f} "
                f"{r['stats_seconds']:>9.3f}"
            )


if __name__ == "__main__":
    main()
