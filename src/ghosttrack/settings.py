"""The one settings object, read once at the edge (CLI, app factory) and passed down.

Sources, strongest first: keyword arguments, environment variables ``GHOSTTRACK_*``, the file
``ghosttrack.toml`` (in the working directory, or where ``GHOSTTRACK_CONFIG`` points), defaults.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from ghosttrack.clock import AcceleratedClock, Clock, FixedClock, SystemClock, ensure_utc
from ghosttrack.duration import parse_duration
from ghosttrack.errors import ConfigError
from ghosttrack.quota import BATCH_STATS, DEFAULT_COSTS, SEARCH, SHARED, MethodCost, QuotaPolicy
from ghosttrack.tiers import DEFAULT_PRESET, PRESETS, TierRule, TierTable

DEFAULT_API_URL = "https://www.googleapis.com/youtube/v3"
DEFAULT_FEED_URL = "https://www.youtube.com/feeds/videos.xml"

Duration = Annotated[timedelta, Field()]
#: A shorter API token is guessable; the error says so rather than serving with it.
MIN_TOKEN_LENGTH = 16


class TierSetting(BaseSettings):
    """One row of a custom tier table in ``ghosttrack.toml`` (``[[tiers]]``)."""

    model_config = SettingsConfigDict(extra="forbid")

    name: str
    max_age: timedelta | None = None
    interval: timedelta

    @field_validator("max_age", "interval", mode="before")
    @classmethod
    def _durations(cls, value: Any) -> Any:
        return None if value is None else parse_duration(value)


class MethodologyChangeSetting(BaseSettings):
    """A change in how YouTube counts views, from ``ghosttrack.toml``
    (``[[methodology_changes]]``), added to the changes ghosttrack knows of."""

    model_config = SettingsConfigDict(extra="forbid")

    start: datetime
    end: datetime
    scope: str = "all"
    note: str = ""

    @field_validator("start", "end")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return ensure_utc(value)

    @model_validator(mode="after")
    def _ordered(self) -> MethodologyChangeSetting:
        if self.end < self.start:
            raise ValueError(f"methodology change {self.note!r}: end is before start")
        return self


class Settings(BaseSettings):
    """Everything configurable in ghosttrack, with its default."""

    model_config = SettingsConfigDict(
        env_prefix="GHOSTTRACK_",
        extra="forbid",
        validate_default=True,
    )

    # Where things live
    home: Path = Field(Path("ghosttrack-data"), description="Data folder.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default SQLite at <home>/ghosttrack.db."
    )
    vault_url: str | None = Field(None, description="Vault location; default <home>/vault.")

    # The YouTube Data API
    youtube_api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, description="Comma-separated API keys."
    )
    youtube_api_url: str = Field(DEFAULT_API_URL, description="API base URL (proxy, simulator).")
    youtube_feed_url: str = Field(DEFAULT_FEED_URL, description="Channel RSS feed URL.")
    daily_quota: int = Field(10_000, ge=0, description="Shared-bucket units per key per day.")
    batch_stats_quota: int = Field(10_000, ge=0, description="videos.batchGetStats units/day.")
    search_quota: int = Field(100, ge=0, description="search.list calls per key per day.")
    quota_costs: dict[str, tuple[str, int]] = Field(
        default_factory=lambda: {m: (c.bucket, c.units) for m, c in DEFAULT_COSTS.items()},
        description="Per method: (bucket, units).",
    )
    use_batch_get_stats: bool = Field(
        True, description="Use videos.batchGetStats (its own bucket) before videos.list."
    )
    api_concurrency: int = Field(
        32,
        ge=1,
        le=256,
        description="Most API calls in flight; the client adapts between this and "
        "api_concurrency_min (AIMD).",
    )
    api_timeout: float = Field(10.0, gt=0, description="Seconds per API call.")
    api_max_retries: int = Field(5, ge=0, le=20, description="Retries of transient failures.")
    api_backoff_base: float = Field(0.5, ge=0, description="First backoff, seconds.")
    api_backoff_max: float = Field(30.0, ge=0, description="Longest backoff, seconds.")

    # Quota and concurrency: blocks, discovery's reserve, resting keys, AIMD (issue 10)
    api_concurrency_min: int = Field(
        2,
        ge=1,
        le=256,
        description="Fewest API calls in flight: the start, and the floor of backing off on "
        "429/5xx/timeouts (at most api_concurrency).",
    )
    quota_block: int = Field(
        100,
        ge=1,
        description="Most units a worker reserves in the ledger at once (what a crashed worker "
        "can take with it).",
    )
    discovery_reserve: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Share of each key's shared bucket that tracking leaves to discovery "
        "(0.05: 500 of 10,000 units).",
    )
    key_retry: timedelta = Field(
        timedelta(hours=1),
        description="How long a key YouTube rejected rests before one call tries it again.",
    )

    # Time
    now: datetime | None = Field(None, description="Pin the clock (ISO-8601).")
    clock_speed: float = Field(1.0, gt=0, description="Simulated seconds per real second.")
    clock_start: datetime | None = Field(None, description="Simulated time at clock_anchor.")
    clock_anchor: datetime | None = Field(None, description="Real time when clock_start held.")

    # Tracking
    tier_preset: str = Field(DEFAULT_PRESET, description="Named tier table: ghost or priority.")
    tiers: list[TierSetting] | None = Field(None, description="A custom tier table.")
    batch_size: int = Field(50, ge=1, le=50, description="Video ids per API call.")
    claim_size: int = Field(1000, ge=1, description="Videos claimed from the watchlist at once.")
    lease: timedelta = Field(timedelta(minutes=10), description="How long a claim is held.")
    early_visit: timedelta = Field(
        timedelta(minutes=5), description="How early a video may be visited to fill a call."
    )
    batch_wait: timedelta = Field(
        timedelta(minutes=5), description="How long a due video may wait for a fuller call."
    )
    miss_limit: int = Field(3, ge=1, description="Missed visits before 'unavailable'.")
    metadata_retention: timedelta = Field(timedelta(days=7), description="videos row lifetime.")
    jobs_retention: timedelta = Field(
        timedelta(days=90), description="How long the janitor keeps finished job records."
    )
    job_abandoned_after: timedelta = Field(
        timedelta(days=1), description="A job still running after this is marked interrupted."
    )
    janitor_every: timedelta = Field(timedelta(hours=1), description="Janitor period in run.")
    idle_poll: timedelta = Field(
        timedelta(minutes=1), description="Longest nap of `run` between looks at the watchlist."
    )
    worker_name: str | None = Field(None, description="Name of this tracker in leases and jobs.")

    # Discovery (the hunter)
    channel_poll_min: timedelta = Field(
        timedelta(minutes=10), description="Shortest interval between two polls of a channel."
    )
    channel_poll_max: timedelta = Field(
        timedelta(hours=1), description="Longest interval between two polls of a channel."
    )
    channel_polls_per_upload: float = Field(
        10.0, gt=0, description="Polls per typical gap between a channel's uploads."
    )
    backfill_uploads: int = Field(
        50, ge=0, le=20_000, description="Uploads taken from a channel's past on first sight."
    )
    channel_stats_every: timedelta = Field(
        timedelta(days=1), description="How often channel statistics go to the vault."
    )
    search_every: timedelta = Field(
        timedelta(hours=6), description="Default interval of a saved search."
    )
    search_max_pages: int = Field(
        1, ge=1, le=10, description="search.list pages (calls) one run of a search may use."
    )
    discovery_details: bool = Field(
        True, description="Fetch duration and tags of new uploads (videos.list, 1 unit per 50)."
    )
    feed_sample_tiers: Annotated[list[str] | None, NoDecode] = Field(
        None,
        description="Tiers sampled from channel feeds at no quota (default: HOURLY if present; "
        "empty: off).",
    )
    feed_sample_max_age: timedelta = Field(
        timedelta(minutes=10), description="How old a channel feed may be to serve samples."
    )

    # Web: dashboard, REST API, Prometheus metrics, alerts
    web_host: str = Field(
        "127.0.0.1",
        description="Address the dashboard and API listen on (beyond loopback "
        "every endpoint needs the API token).",
    )
    web_port: int = Field(8000, ge=0, le=65535, description="Port of the dashboard and API.")
    web_in_run: bool = Field(True, description="`ghosttrack run` serves the dashboard and API.")
    api_token: SecretStr | None = Field(
        None, description="Bearer token the API asks of every change (of every call off loopback)."
    )
    alert_webhook_url: SecretStr | None = Field(
        None, description="Slack-compatible webhook for alerts (they go to the log anyway)."
    )
    alert_every: timedelta = Field(
        timedelta(minutes=5), description="How often `run` checks the alert conditions."
    )
    alert_backlog: int = Field(
        1000, ge=0, description="Alert when more videos than this are overdue by over an hour."
    )
    alert_on_schedule: float = Field(
        0.95, ge=0, le=1, description="Alert when the on-schedule share falls below this."
    )

    # Analytics: video_trends, scores, forecasts, breakouts
    trends_every: timedelta = Field(
        timedelta(hours=1), description="How often `run` refreshes video_trends (new samples)."
    )
    trends_full_every: timedelta = Field(
        timedelta(days=7),
        description="How often that refresh recomputes every video (late samples, imports).",
    )
    score_peers: int = Field(
        20, ge=1, le=200, description="Recent uploads of a channel a typical figure rests on."
    )
    score_min_peers: int = Field(
        5, ge=1, description="Fewer recent uploads with a value at that age: no score."
    )
    peer_window: timedelta = Field(
        timedelta(days=365), description="How long before a video its peers may be published."
    )
    breakout_ratio: float = Field(
        5.0, gt=1, description="k: a breakout gains at least k times its baseline."
    )
    breakout_acceleration: float = Field(
        1.5, ge=1, description="...and its other baseline (channel or own pace) this many times."
    )
    breakout_min_views: int = Field(
        1000, ge=0, description="Views an interval must gain to be a breakout."
    )
    forecast_min_videos: int = Field(
        20, ge=2, description="Videos that reached 30 days needed to fit the 30-day forecast."
    )
    methodology_changes: list[MethodologyChangeSetting] = Field(
        default_factory=list,
        description="Changes in how YouTube counts views, beyond the known ones (toml).",
    )

    @field_validator("youtube_api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [k.strip() for k in value.split(",") if k.strip()]
        return value

    @field_validator(
        "lease",
        "metadata_retention",
        "janitor_every",
        "jobs_retention",
        "job_abandoned_after",
        "idle_poll",
        "early_visit",
        "batch_wait",
        "key_retry",
        mode="before",
    )
    @classmethod
    def _durations(cls, value: Any) -> Any:
        return parse_duration(value)

    @field_validator(
        "channel_poll_min",
        "channel_poll_max",
        "channel_stats_every",
        "search_every",
        "feed_sample_max_age",
        "alert_every",
        mode="before",
    )
    @classmethod
    def _hunter_durations(cls, value: Any) -> Any:
        return parse_duration(value)

    @field_validator("trends_every", "trends_full_every", "peer_window", mode="before")
    @classmethod
    def _analytics_durations(cls, value: Any) -> Any:
        return parse_duration(value)

    @field_validator("feed_sample_tiers", mode="before")
    @classmethod
    def _split_tiers(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [t.strip() for t in value.split(",") if t.strip()]
        return value

    @field_validator("api_token")
    @classmethod
    def _token_length(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_TOKEN_LENGTH:
            raise ValueError(f"the API token must have at least {MIN_TOKEN_LENGTH} characters")
        return value

    @field_validator("tier_preset")
    @classmethod
    def _known_preset(cls, value: str) -> str:
        # A field validator, not the model check, so that the error names GHOSTTRACK_TIER_PRESET.
        if value not in PRESETS:
            raise ValueError(f"unknown tier_preset {value!r}; choose one of {sorted(PRESETS)}")
        return value

    @field_validator("now", "clock_start", "clock_anchor")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else ensure_utc(value)

    @model_validator(mode="after")
    def _check(self) -> Settings:
        self.tier_table()  # validates a custom table
        self._check_quota()
        self.quota_policy()
        self.feed_tiers()
        if self.channel_poll_min <= timedelta(0) or self.channel_poll_min > self.channel_poll_max:
            raise ValueError(
                "channel_poll_min must be positive and at most channel_poll_max "
                "(GHOSTTRACK_CHANNEL_POLL_MIN, GHOSTTRACK_CHANNEL_POLL_MAX)"
            )
        if self.score_min_peers > self.score_peers:
            raise ValueError(
                "score_min_peers must be at most score_peers "
                "(GHOSTTRACK_SCORE_MIN_PEERS, GHOSTTRACK_SCORE_PEERS)"
            )
        for name in (
            "channel_stats_every",
            "search_every",
            "alert_every",
            "trends_every",
            "trends_full_every",
            "peer_window",
        ):
            if getattr(self, name) <= timedelta(0):
                raise ValueError(f"{name} must be positive (GHOSTTRACK_{name.upper()})")
        return self

    def _check_quota(self) -> None:
        if self.key_retry <= timedelta(0):
            raise ValueError("key_retry must be positive (GHOSTTRACK_KEY_RETRY)")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = Path(os.environ.get("GHOSTTRACK_CONFIG", "ghosttrack.toml"))
        toml = TomlConfigSettingsSource(settings_cls, toml_file=toml_path)
        return (init_settings, env_settings, toml)

    # Derived values: one place computes each.

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'ghosttrack.db'}"

    @property
    def resolved_vault_url(self) -> str:
        return self.vault_url or str(self.home / "vault")

    @property
    def api_keys(self) -> list[str]:
        return [k.get_secret_value() for k in self.youtube_api_keys]

    def tier_table(self) -> TierTable:
        if self.tiers is None:
            return PRESETS[self.tier_preset]
        return TierTable([TierRule(t.name, t.max_age, t.interval) for t in self.tiers])

    def quota_policy(self) -> QuotaPolicy:
        return QuotaPolicy(
            buckets={
                SHARED: self.daily_quota,
                BATCH_STATS: self.batch_stats_quota,
                SEARCH: self.search_quota,
            },
            costs={m: MethodCost(bucket, units) for m, (bucket, units) in self.quota_costs.items()},
            reserves={SHARED: int(self.daily_quota * self.discovery_reserve)},
        )

    def feed_tiers(self) -> frozenset[str]:
        """The tiers whose samples may come from channel feeds (see ``feed_sample_tiers``)."""
        names = self.tier_table().names()
        if self.feed_sample_tiers is None:
            return frozenset(n for n in names if n == "HOURLY")
        unknown = [t for t in self.feed_sample_tiers if t not in names]
        if unknown:
            raise ValueError(
                f"feed_sample_tiers names unknown tiers {unknown} (GHOSTTRACK_FEED_SAMPLE_TIERS); "
                f"the tiers are {names}"
            )
        return frozenset(self.feed_sample_tiers)

    def clock(self) -> Clock:
        """The clock these settings describe: pinned, accelerated, or the system's."""
        if self.now is not None:
            return FixedClock(self.now)
        if self.clock_speed != 1.0 or self.clock_start is not None:
            start = self.clock_start or self.clock_anchor
            if start is None:
                raise ConfigError(
                    "GHOSTTRACK_CLOCK_SPEED needs GHOSTTRACK_CLOCK_START (the simulated time at "
                    "the anchor) so that every process agrees on the simulated time"
                )
            return AcceleratedClock(start, self.clock_anchor or start, self.clock_speed)
        return SystemClock()


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment and ghosttrack.toml; raise ConfigError when invalid."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"]) or "settings"
            env = "GHOSTTRACK_" + str(error["loc"][0]).upper() if error["loc"] else ""
            problems.append(
                f"{where} ({env}): {error['msg']}" if env else f"{where}: {error['msg']}"
            )
        raise ConfigError("invalid settings:\n  - " + "\n  - ".join(problems)) from None
