"""Checking for alerts and telling them: the log always, a Slack-compatible webhook
(``{"text": …}``) when ``GHOSTTRACK_ALERT_WEBHOOK_URL`` is set. The webhook's URL is a secret
(it carries Slack's token): it is never logged. A webhook that fails is logged, never raised:
alerting must not stop tracking."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import httpx

from ghosttrack.alerts.episodes import Changes, Thresholds, conditions, step
from ghosttrack.clock import Clock
from ghosttrack.ledger import QuotaLedger
from ghosttrack.operations import on_schedule_share
from ghosttrack.quota import pacific_day
from ghosttrack.settings import Settings
from ghosttrack.watchlist.jobs import JobStore
from ghosttrack.watchlist.records import JobStatus, VideoStatus
from ghosttrack.watchlist.watchlist import WatchlistStore

log = logging.getLogger("ghosttrack.alerts")

#: Failed jobs a check looks at (newest first): more than this many failing between two checks
#: are told as this many.
FAILED_JOBS_SEEN = 50
WEBHOOK_TIMEOUT = 10.0

Post = Callable[[str, dict[str, str]], None]


def post_json(url: str, body: dict[str, str]) -> None:
    httpx.post(url, json=body, timeout=WEBHOOK_TIMEOUT).raise_for_status()


class Alerts:
    """Checks the store, tells each episode once. Failed jobs count from ``since`` (default:
    the first check), so a restart does not tell old failures again."""

    def __init__(
        self,
        watchlist: WatchlistStore,
        jobs: JobStore,
        ledger: QuotaLedger,
        clock: Clock,
        settings: Settings,
        *,
        post: Post = post_json,
        since: datetime | None = None,
    ) -> None:
        self.watchlist = watchlist
        self.jobs = jobs
        self.ledger = ledger
        self.clock = clock
        self.settings = settings
        self.thresholds = Thresholds(settings.alert_backlog, settings.alert_on_schedule)
        self.post = post
        self.since = since
        self._active: frozenset[str] = frozenset()

    def check(self) -> Changes:
        now = self.clock.now()
        since = self.since = self.since or now
        counts = self.watchlist.counts(now=now)
        failed = [
            j
            for j in self.jobs.list_jobs(status=JobStatus.FAILED, limit=FAILED_JOBS_SEEN)
            if (j.finished_at or j.started_at) >= since
        ]
        wrong = conditions(
            counts=counts,
            on_schedule=on_schedule_share(
                counts.by_status.get(VideoStatus.ACTIVE.value, 0), counts.backlog
            ),
            usage=self.ledger.usage(pacific_day(now)),
            failed_jobs=failed,
            thresholds=self.thresholds,
            now=now,
        )
        changes = step(self._active, wrong)
        self._active = changes.active
        for condition in changes.opened:
            self._tell(f"ghosttrack alert: {condition.message}", logging.WARNING)
        for key in changes.closed:
            if not key.startswith("job-failed:"):  # a failed job stays failed: nothing ends
                self._tell(f"ghosttrack: resolved: {key}", logging.INFO)
        return changes

    def _tell(self, text: str, level: int) -> None:
        log.log(level, "%s", text)
        url = self.settings.alert_webhook_url
        if url is None:
            return
        try:
            self.post(url.get_secret_value(), {"text": text})
        except Exception as exc:  # alerting must never stop tracking
            status = getattr(getattr(exc, "response", None), "status_code", None)
            log.warning(
                "the alert webhook failed (%s): %s",
                f"HTTP {status}" if status else type(exc).__name__,
                "the alert is in this log",
            )
