"""The simulator's bookkeeping: quota per key per bucket per Pacific day, scripted and random
faults, run-time config changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ghosttrack.quota import BATCH_STATS, SEARCH, SHARED, QuotaPolicy, next_reset
from ghosttrack.sim.apierrors import error_body
from ghosttrack.sim.config import SimConfig
from ghosttrack.sim.state import Fault, QuotaMeter, SimState

NOON = datetime(2026, 6, 1, 19, 0, tzinfo=UTC)  # noon in Los Angeles


def test_quota_is_counted_per_key_and_bucket_and_refused_past_the_budget() -> None:
    meter = QuotaMeter(QuotaPolicy(buckets={SHARED: 2, BATCH_STATS: 1, SEARCH: 1}))
    assert meter.charge("key-a", "videos.list", NOON) is None
    assert meter.charge("key-a", "channels.list", NOON) is None
    assert meter.charge("key-a", "playlistItems.list", NOON) == SHARED
    assert meter.charge("key-a", "videos.batchGetStats", NOON) is None
    assert meter.charge("key-a", "videos.batchGetStats", NOON) == BATCH_STATS
    assert meter.charge("key-b", "videos.list", NOON) is None
    assert meter.used("key-a", SHARED, NOON) == 2
    assert meter.snapshot(NOON) == {
        "key-a": {SHARED: 2, BATCH_STATS: 1},
        "key-b": {SHARED: 1},
    }


def test_quota_resets_at_pacific_midnight_not_utc_midnight() -> None:
    meter = QuotaMeter(QuotaPolicy(buckets={SHARED: 1, BATCH_STATS: 1, SEARCH: 1}))
    assert meter.charge("k", "search.list", NOON) is None
    utc_midnight = datetime(2026, 6, 2, 0, 0, tzinfo=UTC)
    assert meter.charge("k", "search.list", utc_midnight) == SEARCH
    reset = next_reset(NOON)
    assert meter.charge("k", "search.list", reset - timedelta(seconds=1)) == SEARCH
    assert meter.charge("k", "search.list", reset) is None


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ({"status": 503}, Fault("error", 503, "backendError")),
        ({"status": 429}, Fault("error", 429, "rateLimitExceeded")),
        ({"status": 403, "reason": "quotaExceeded"}, Fault("error", 403, "quotaExceeded")),
        ({"kind": "timeout"}, Fault("timeout")),
        (
            {"kind": "disconnect", "method": "videos.list"},
            Fault("disconnect", method="videos.list"),
        ),
        ({"kind": "delay", "delay": 0.5}, Fault("delay", delay=0.5)),
    ],
)
def test_fault_scripts_read_like_the_admin_endpoint_takes_them(
    script: dict[str, object], expected: Fault
) -> None:
    assert Fault.from_json(script) == expected


@pytest.mark.parametrize(
    "script", [{"kind": "explode"}, {"status": 200}, {"kind": "error"}, {"status": 503, "x": 1}]
)
def test_bad_fault_scripts_are_refused(script: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="fault"):
        Fault.from_json(script)


def test_scripted_faults_apply_in_order_and_respect_their_method() -> None:
    state = SimState(SimConfig())
    state.faults.extend(
        [Fault("error", 503, "backendError", method="search.list"), Fault("malformed")]
    )
    assert state.next_fault("videos.list") == Fault("malformed")
    assert state.next_fault("feed") is None
    assert state.next_fault("search.list") == Fault(
        "error", 503, "backendError", method="search.list"
    )
    assert state.next_fault("videos.list") is None


def test_random_faults_follow_the_rates_and_the_seed() -> None:
    def draw(seed: int) -> list[str]:
        state = SimState(
            SimConfig(seed=seed, error_rate=0.2, rate_limit_rate=0.1, malformed_rate=0.1)
        )
        return [
            f.kind + str(f.status) if f else "ok"
            for f in (state.next_fault("videos.list") for _ in range(2000))
        ]

    first = draw(1)
    assert first == draw(1)
    assert first != draw(2)
    share = {kind: first.count(kind) / len(first) for kind in set(first)}
    assert 0.15 < share["error500"] + share["error503"] < 0.25
    assert 0.06 < share["error429"] < 0.14
    assert 0.06 < share["malformed0"] < 0.14
    assert 0.5 < share["ok"] < 0.7


def test_runtime_config_changes_only_runtime_fields() -> None:
    config = SimConfig(latency=0.0)
    changed = config.with_runtime({"latency": 0.25, "error_rate": 0.5})
    assert (changed.latency, changed.error_rate, changed.seed) == (0.25, 0.5, config.seed)
    with pytest.raises(ValueError, match="cannot change"):
        config.with_runtime({"videos": 5})
    with pytest.raises(ValueError, match="fault rates"):
        config.with_runtime({"error_rate": 0.8, "timeout_rate": 0.5})


def test_config_repr_never_shows_the_valid_keys() -> None:
    assert "sekrit" not in repr(SimConfig(valid_keys=frozenset({"sekrit-key"})))


def test_error_bodies_have_googles_shape() -> None:
    body = error_body(403, "quotaExceeded")
    assert body["error"]["code"] == 403
    assert body["error"]["errors"][0]["domain"] == "youtube.quota"
    assert body["error"]["errors"][0]["reason"] == "quotaExceeded"
    assert "quota" in body["error"]["message"]
    invalid = error_body(400, "keyInvalid")["error"]
    assert invalid["message"] == "API key not valid. Please pass a valid API key."
    assert invalid["details"][0]["reason"] == "API_KEY_INVALID"
