"""``GET /metrics`` in the Prometheus text format.

Two sources. What the database knows, read at scrape time, so any process serving the app
tells the same (quota units per key and bucket today, the watchlist, due and backlog,
on-schedule share, the vault, recent jobs and their durations). And what this process did,
as counters since it started (API calls by method, failed attempts by reason and units by
bucket, from the YouTube client it shares with the daemon; samples written by source, from the
passes run here).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ghosttrack import operations
from ghosttrack.tracker.tracker import PassResult
from ghosttrack.vault.records import SampleSource

if TYPE_CHECKING:
    from ghosttrack.web.parts import WebParts

#: Recent jobs the job metrics look at (the jobs table keeps 90 days; this is the last few).
RECENT_JOBS = 200


class Telemetry:
    """This process's counters; the daemon and the API's runs report their passes here."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.samples = Counter(
            "ghosttrack_samples_written",
            "Samples written to the vault by tracking passes of this process.",
            ["source"],
            registry=self.registry,
        )
        for source in SampleSource:
            self.samples.labels(source.value)

    def record_pass(self, result: PassResult) -> None:
        self.samples.labels(SampleSource.FEED.value).inc(result.feed_samples)
        self.samples.labels(SampleSource.API.value).inc(result.tracked - result.feed_samples)

    def attach(self, parts: WebParts) -> None:
        """Read the database and the YouTube client at every scrape."""
        self.registry.register(_StateCollector(parts))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _StateCollector(Collector):
    def __init__(self, parts: WebParts) -> None:
        self.parts = parts

    def collect(self) -> Iterator[Metric]:
        parts = self.parts
        report = operations.status_report(
            parts.db, parts.vault_stats(), parts.clock, jobs=RECENT_JOBS
        )
        yield from _quota(report)
        yield from _watchlist(report)
        yield from _jobs(report)
        if parts.youtube is not None:
            yield from _client(
                parts.youtube.calls_made(), parts.youtube.errors_seen(), parts.youtube.units_spent()
            )

    def describe(self) -> Iterator[Metric]:
        return iter(())  # metrics depend on the data: no fixed description


def _quota(report: operations.StatusReport) -> Iterator[Metric]:
    used = GaugeMetricFamily(
        "ghosttrack_quota_units_used",
        "Units used today (Pacific day) per key and bucket.",
        labels=["key", "bucket"],
    )
    limit = GaugeMetricFamily(
        "ghosttrack_quota_units_limit", "Daily limit per key and bucket.", labels=["key", "bucket"]
    )
    for usage in report.quota:
        used.add_metric([usage.key_fingerprint, usage.bucket], usage.used)
        limit.add_metric([usage.key_fingerprint, usage.bucket], usage.limit)
    yield used
    yield limit


def _watchlist(report: operations.StatusReport) -> Iterator[Metric]:
    videos = GaugeMetricFamily(
        "ghosttrack_watchlist_videos", "Watchlist rows by tier (removed excluded).", labels=["tier"]
    )
    for tier, count in sorted(report.by_tier.items()):
        videos.add_metric([tier], count)
    yield videos
    status = GaugeMetricFamily(
        "ghosttrack_watchlist_status", "Watchlist rows by status.", labels=["status"]
    )
    for name, count in sorted(report.by_status.items()):
        status.add_metric([name], count)
    yield status
    yield GaugeMetricFamily("ghosttrack_due_videos", "Active videos due now.", report.due_now)
    yield GaugeMetricFamily(
        "ghosttrack_backlog_videos", "Active videos overdue by over an hour.", report.backlog
    )
    if report.on_schedule_share is not None:
        yield GaugeMetricFamily(
            "ghosttrack_on_schedule_ratio",
            "Share of active videos not in the backlog.",
            report.on_schedule_share,
        )
    yield GaugeMetricFamily(
        "ghosttrack_tracked_today_videos",
        "Videos visited since the Pacific midnight.",
        report.tracked_today,
    )
    yield GaugeMetricFamily("ghosttrack_vault_bytes", "Bytes in the vault.", report.vault.bytes)
    yield GaugeMetricFamily(
        "ghosttrack_vault_samples", "Samples in the vault.", report.vault.samples
    )


def _jobs(report: operations.StatusReport) -> Iterator[Metric]:
    by_status = GaugeMetricFamily(
        "ghosttrack_recent_jobs",
        f"Jobs among the last {RECENT_JOBS} recorded, by kind and status.",
        labels=["kind", "status"],
    )
    counts: dict[tuple[str, str], int] = {}
    last_duration: dict[str, float] = {}
    for job in report.jobs:
        key = (job.kind.value, job.status.value)
        counts[key] = counts.get(key, 0) + 1
        if job.finished_at is not None and job.kind.value not in last_duration:
            last_duration[job.kind.value] = (job.finished_at - job.started_at).total_seconds()
    for (kind, status), count in sorted(counts.items()):
        by_status.add_metric([kind, status], count)
    yield by_status
    duration = GaugeMetricFamily(
        "ghosttrack_job_last_duration_seconds",
        "Duration of the last finished job of each kind (in the clock's time).",
        labels=["kind"],
    )
    for kind, seconds in sorted(last_duration.items()):
        duration.add_metric([kind], seconds)
    yield duration


def _client(
    calls: Mapping[str, int], errors: Mapping[str, int], units: Mapping[str, int]
) -> Iterator[Metric]:
    for name, doc, label, values in (
        ("ghosttrack_api_calls", "YouTube API calls sent by this process.", "method", calls),
        ("ghosttrack_api_errors", "Failed API attempts by reason.", "reason", errors),
        ("ghosttrack_api_units", "Quota units reserved by this process.", "bucket", units),
    ):
        family = CounterMetricFamily(name, doc, labels=[label])
        for key, value in sorted(values.items()):
            family.add_metric([key], value)
        yield family
