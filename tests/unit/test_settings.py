"""Settings: environment, ghosttrack.toml, derived values, secrets, and errors that name the fix."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ghosttrack.clock import AcceleratedClock, FixedClock, SystemClock
from ghosttrack.errors import ConfigError
from ghosttrack.quota import SHARED, MethodCost
from ghosttrack.settings import Settings, load_settings
from ghosttrack.tiers import PRESETS

SECRET_A = "AIzaSy-first-secret-key-000000000000"
SECRET_B = "AIzaSy-second-secret-key-11111111111"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No GHOSTTRACK_* variable and no ghosttrack.toml from the machine running the tests."""
    for name in list(os.environ):
        if name.startswith("GHOSTTRACK_"):
            monkeypatch.delenv(name)
    workdir = tmp_path / "work"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    return workdir


def write_toml(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_defaults_live_under_the_home_folder() -> None:
    settings = load_settings()
    assert settings.home == Path("ghosttrack-data")
    assert settings.resolved_database_url == "sqlite:///ghosttrack-data/ghosttrack.db"
    assert settings.resolved_vault_url == str(Path("ghosttrack-data") / "vault")
    assert settings.api_keys == []
    assert settings.tier_table() is PRESETS["ghost"]
    assert settings.quota_policy().limit_of(SHARED) == 10_000


def test_environment_variables_set_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GHOSTTRACK_HOME", "/srv/gt")
    monkeypatch.setenv("GHOSTTRACK_DAILY_QUOTA", "50000")
    monkeypatch.setenv("GHOSTTRACK_LEASE", "90s")
    monkeypatch.setenv("GHOSTTRACK_TIER_PRESET", "priority")
    monkeypatch.setenv("GHOSTTRACK_VAULT_URL", "/data/vault")
    settings = load_settings()
    assert settings.resolved_database_url == "sqlite:////srv/gt/ghosttrack.db"
    assert settings.resolved_vault_url == "/data/vault"
    assert settings.quota_policy().limit_of(SHARED) == 50_000
    assert settings.lease == timedelta(seconds=90)
    assert settings.tier_table() is PRESETS["priority"]


def test_keys_are_comma_separated_and_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GHOSTTRACK_YOUTUBE_API_KEYS", f" {SECRET_A}, ,{SECRET_B},")
    settings = load_settings()
    assert settings.api_keys == [SECRET_A, SECRET_B]
    for shown in (repr(settings), str(settings), settings.model_dump_json(), str(vars(settings))):
        assert SECRET_A not in shown
        assert SECRET_B not in shown


def test_keys_are_not_echoed_in_validation_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GHOSTTRACK_YOUTUBE_API_KEYS", SECRET_A)
    monkeypatch.setenv("GHOSTTRACK_DAILY_QUOTA", "lots")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert SECRET_A not in str(caught.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GHOSTTRACK_DAILY_QUOTA", "-1"),
        ("GHOSTTRACK_DAILY_QUOTA", "lots"),
        ("GHOSTTRACK_BATCH_SIZE", "51"),
        ("GHOSTTRACK_LEASE", "soon"),
        ("GHOSTTRACK_LEASE", "-5"),
        ("GHOSTTRACK_LEASE", "inf"),
        ("GHOSTTRACK_METADATA_RETENTION", "7 days"),
        ("GHOSTTRACK_NOW", "yesterday"),
        ("GHOSTTRACK_CLOCK_SPEED", "0"),
        ("GHOSTTRACK_USE_BATCH_GET_STATS", "maybe"),
        ("GHOSTTRACK_TIER_PRESET", "turbo"),
        ("GHOSTTRACK_DISCOVERY_RESERVE", "1.5"),
        ("GHOSTTRACK_QUOTA_BLOCK", "0"),
        ("GHOSTTRACK_API_CONCURRENCY_MIN", "0"),
        ("GHOSTTRACK_KEY_RETRY", "0s"),
    ],
)
def test_invalid_values_name_their_environment_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        load_settings()


def test_discovery_keeps_its_share_of_every_shared_bucket(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GHOSTTRACK_DAILY_QUOTA", "1000000")  # an extended bucket
    monkeypatch.setenv("GHOSTTRACK_DISCOVERY_RESERVE", "0.02")
    policy = load_settings().quota_policy()
    assert policy.limit_of("shared") == 1_000_000
    assert policy.kept_from_tracking("shared") == 20_000
    assert policy.kept_from_tracking("batch_stats") == 0


def test_a_toml_file_named_by_ghosttrack_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = write_toml(
        tmp_path / "elsewhere.toml",
        'home = "/var/lib/gt"\n'
        "daily_quota = 20000\n"
        'lease = "15m"\n'
        "[quota_costs]\n"
        '"videos.list" = ["shared", 2]\n',
    )
    monkeypatch.setenv("GHOSTTRACK_CONFIG", str(config))
    settings = load_settings()
    assert settings.home == Path("/var/lib/gt")
    assert settings.daily_quota == 20_000
    assert settings.lease == timedelta(minutes=15)
    assert settings.quota_policy().cost_of("videos.list") == MethodCost(SHARED, 2)


def test_the_toml_in_the_working_folder_and_env_wins_over_it(
    monkeypatch: pytest.MonkeyPatch, clean_environment: Path
) -> None:
    write_toml(clean_environment / "ghosttrack.toml", "daily_quota = 20000\nsearch_quota = 7\n")
    assert load_settings().search_quota == 7
    monkeypatch.setenv("GHOSTTRACK_DAILY_QUOTA", "30000")
    settings = load_settings()
    assert settings.daily_quota == 30_000
    assert settings.search_quota == 7
    assert load_settings(daily_quota=1).daily_quota == 1  # keyword arguments win over both


def test_a_custom_tier_table_from_toml(
    monkeypatch: pytest.MonkeyPatch, clean_environment: Path
) -> None:
    write_toml(
        clean_environment / "ghosttrack.toml",
        "[[tiers]]\n"
        'name = "FRESH"\nmax_age = "6h"\ninterval = "15m"\n'
        "[[tiers]]\n"
        'name = "SETTLED"\ninterval = "1d"\n',
    )
    table = load_settings().tier_table()
    assert table.names() == ["FRESH", "SETTLED"]
    published = datetime(2026, 1, 1, tzinfo=UTC)
    schedule = table.schedule(published, published + timedelta(minutes=20))
    assert (schedule.tier, schedule.next_track_at) == ("FRESH", published + timedelta(minutes=30))
    assert table.schedule(published, published + timedelta(hours=7)).tier == "SETTLED"


def test_an_invalid_custom_tier_table_is_a_config_error(clean_environment: Path) -> None:
    write_toml(
        clean_environment / "ghosttrack.toml",
        '[[tiers]]\nname = "A"\nmax_age = "1d"\ninterval = "1h"\n'
        '[[tiers]]\nname = "B"\nmax_age = "1h"\ninterval = "1d"\n'
        '[[tiers]]\nname = "C"\ninterval = "7d"\n',
    )
    with pytest.raises(ConfigError, match="max_age must grow"):
        load_settings()


def test_unknown_settings_in_toml_are_refused(clean_environment: Path) -> None:
    write_toml(clean_environment / "ghosttrack.toml", "dialy_quota = 5\n")
    with pytest.raises(ConfigError, match="dialy_quota"):
        load_settings()


def test_a_quota_cost_on_an_unknown_bucket_is_refused(clean_environment: Path) -> None:
    write_toml(
        clean_environment / "ghosttrack.toml", '[quota_costs]\n"videos.list" = ["gold", 1]\n'
    )
    with pytest.raises(ConfigError, match="unknown bucket 'gold'"):
        load_settings()


def test_the_default_clock_is_the_system_clock() -> None:
    assert isinstance(load_settings().clock(), SystemClock)


def test_now_pins_the_clock_in_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GHOSTTRACK_NOW", "2026-01-15T12:00:00+02:00")
    clock = load_settings().clock()
    assert isinstance(clock, FixedClock)
    assert clock.now() == datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
    assert clock.now().tzinfo == UTC


def test_a_naive_now_is_taken_as_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GHOSTTRACK_NOW", "2026-01-15T10:00:00")
    assert load_settings().clock().now() == datetime(2026, 1, 15, 10, 0, tzinfo=UTC)


def test_an_accelerated_clock_needs_a_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GHOSTTRACK_CLOCK_SPEED", "3600")
    with pytest.raises(ConfigError, match="GHOSTTRACK_CLOCK_START"):
        load_settings().clock()
    monkeypatch.setenv("GHOSTTRACK_CLOCK_START", "2026-01-01T00:00:00Z")
    monkeypatch.setenv("GHOSTTRACK_CLOCK_ANCHOR", "2026-06-01T00:00:00Z")
    clock = load_settings().clock()
    assert isinstance(clock, AcceleratedClock)
    assert clock.speed == 3600
    assert clock.start == datetime(2026, 1, 1, tzinfo=UTC)
    assert clock.anchor == datetime(2026, 6, 1, tzinfo=UTC)


def test_two_processes_with_the_same_settings_share_one_timeline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GHOSTTRACK_CLOCK_SPEED", "60")
    monkeypatch.setenv("GHOSTTRACK_CLOCK_START", "2026-01-01T00:00:00Z")
    monkeypatch.setenv("GHOSTTRACK_CLOCK_ANCHOR", "2026-06-01T00:00:00Z")
    first, second = load_settings().clock(), load_settings().clock()
    assert abs(first.now() - second.now()) < timedelta(seconds=60)


def test_settings_can_be_built_directly() -> None:
    settings = Settings(daily_quota=3, youtube_api_keys=SECRET_A)  # type: ignore[arg-type]
    assert settings.api_keys == [SECRET_A]
    assert settings.quota_policy().limit_of(SHARED) == 3
