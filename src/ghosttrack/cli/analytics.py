"""``ghosttrack video|top|breakouts|channel|trends|sql|export``: what the samples say, from the
analytics facade. Every derived figure is printed as ghosttrack's, not YouTube's."""

from __future__ import annotations

import io
import json
import math
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from ghosttrack.analytics.records import Breakout, Ranking, VideoReport
    from ghosttrack.analytics.service import Analytics

DERIVED = "derived figures are computed by ghosttrack from its samples, not by YouTube"
BLOCKS = "▁▂▃▄▅▆▇█"

trends_app = typer.Typer(help="The materialised video_trends table.", no_args_is_help=True)


def sparkline(values: Sequence[float], width: int = 60) -> str:
    """Values as a line of block characters, resampled to at most ``width`` (NaN: a space)."""
    if not values:
        return ""
    step = max(1, math.ceil(len(values) / width))
    picked = [values[min(i, len(values) - 1)] for i in range(0, len(values), step)]
    known = [v for v in picked if not math.isnan(v)]
    if not known:
        return " " * len(picked)
    low, high = min(known), max(known)
    span = high - low or 1.0
    return "".join(
        " " if math.isnan(v) else BLOCKS[round((v - low) / span * (len(BLOCKS) - 1))]
        for v in picked
    )


@contextmanager
def analytics() -> Iterator[Analytics]:
    """The facade over this installation's vault and watchlist."""
    from ghosttrack.analytics.service import Analytics
    from ghosttrack.cli.app import reader

    with reader() as rt:
        yield Analytics(rt.vault, rt.db.watchlist, rt.clock, rt.settings)


def _print_json(body: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(body, indent=2) + "\n")


def _n(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def video(
    video_id: Annotated[str, typer.Argument(help="A video id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """One video: its series, milestones, velocity, age-adjusted score and 30-day forecast."""
    with analytics() as a:
        report = a.video(video_id)
    if as_json:
        _print_json(report.to_json())
        return
    _print_video(report, [float(v) for v in report.series.column("views").to_pylist()])


def _print_video(report: VideoReport, views: list[float]) -> None:
    from rich.table import Table

    from ghosttrack.cli.app import console

    console.print(
        f"[bold]video {report.video_id}[/]  channel {report.channel_id or '—'}  "
        f"published {_when(report.published_at)}  tier {report.tier or '—'}  "
        f"status {report.status or '—'}"
    )
    console.print(
        f"samples {report.samples} from {_when(report.first_sample_at)} to "
        f"{_when(report.last_sample_at)}: views {_n(report.views)}, likes {_n(report.likes)}, "
        f"comments {_n(report.comments)}"
    )
    console.print(f"  {sparkline(views)}  (views, one mark per sample or group of samples)")
    console.print(f"[dim]{DERIVED}:[/]")
    console.print(f"  age {_n(report.age_hours, 1)} h")
    table = Table("milestone", "views", "likes", "comments", "score", title_justify="left")
    for m in report.milestones:
        table.add_row(m.label, _n(m.views), _n(m.likes), _n(m.comments), _n(m.score, 2))
    console.print(table)
    v = report.velocity
    console.print(
        f"  velocity {_n(v.views_per_hour, 1)} views/h over the last {_n(v.over_hours, 1)} h; "
        f"{_n(v.last_24h, 1)} views/h over the last 24 h; "
        f"lifetime average {_n(v.lifetime_average, 1)} views/h"
    )
    s = report.score
    if s.value is None:
        console.print(
            f"  score: none ({s.peers} recent uploads of the channel had a value at this age; "
            f"{s.min_peers} needed)"
        )
    else:
        console.print(
            f"  score {s.value:.2f} × the median of {s.peers} recent uploads of the channel at "
            f"the same age ({_n(s.median_views)} views)"
        )
    f = report.forecast
    if f.views_30d is None:
        console.print(f"  30-day forecast: none (model trained on {f.trained_on} videos)")
    else:
        console.print(
            f"  30-day forecast (an estimate): {_n(f.views_30d)} views, 10–90 % "
            f"{_n(f.low)}–{_n(f.high)}, from its views at {_n(f.from_age_hours, 0)} h; median "
            f"error on held-out videos {_n((f.median_error or 0) * 100)} % "
            f"({f.trained_on} videos)"
        )
    if report.negative_steps:
        console.print(f"  the view count went down {report.negative_steps} times between samples")
    if report.breakout is not None:
        console.print(f"  [bold]breakout[/] {_describe_breakout(report.breakout)}")
    for change in report.methodology_changes:
        console.print(
            f"  YouTube changed how views count ({change.note}, {_when(change.start)} – "
            f"{_when(change.end)}): jumps then are not breakouts"
        )


def _describe_breakout(b: Breakout) -> str:
    ratios = []
    if b.channel_ratio is not None:
        ratios.append(f"{b.channel_ratio:,.1f}× the channel's recent uploads at those ages")
    if b.own_ratio is not None:
        ratios.append(f"{b.own_ratio:,.1f}× its own pace before")
    return (
        f"+{b.gain:,.0f} views from {_when(b.start)} to {_when(b.end)} "
        f"({b.views_per_hour:,.1f}/h): {'; '.join(ratios) or 'no baseline'}"
    )


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "—"


def _age_range(text: str | None) -> tuple[timedelta | None, timedelta | None]:
    """``1d..7d``, ``..24h``, ``30d..``: an age range (either end open)."""
    from ghosttrack.duration import parse_duration
    from ghosttrack.errors import InputError

    if not text:
        return None, None
    low, sep, high = text.partition("..")
    if not sep:
        raise InputError(f"--age {text!r}: give a range like 1d..7d, ..24h or 30d..")
    try:
        return (parse_duration(low) if low else None, parse_duration(high) if high else None)
    except ValueError as exc:
        raise InputError(f"--age {text!r}: {exc}") from None


def top(
    by: Annotated[str, typer.Option(help="velocity, velocity_24h, score or lifetime_average.")] = (
        "velocity"
    ),
    channel: Annotated[str | None, typer.Option(help="Only this channel's videos.")] = None,
    age: Annotated[
        str | None, typer.Option(help="Only videos of this age: 1d..7d, ..24h, 30d..")
    ] = None,
    tier: Annotated[str | None, typer.Option(help="Only videos in this tier.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many videos.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """The top movers of video_trends by velocity or age-adjusted score."""
    from ghosttrack.cli.app import fail
    from ghosttrack.errors import GhosttrackError

    try:
        min_age, max_age = _age_range(age)
    except GhosttrackError as exc:
        fail(exc)
    with analytics() as a:
        ranking = a.top(
            by=by, channel=channel, min_age=min_age, max_age=max_age, tier=tier, limit=limit
        )
    if as_json:
        _print_json(ranking.to_json())
        return
    _print_ranking(ranking)


def _print_ranking(ranking: Ranking) -> None:
    from rich.table import Table

    from ghosttrack.cli.app import console

    table = Table(
        "video", "channel", "age h", "views", "views/h", "24 h views/h", "score", "tier",
        title=f"top by {ranking.by} (video_trends as of {_when(ranking.refreshed_at)})",
        title_justify="left",
    )  # fmt: skip
    for row in ranking.rows.to_pylist():
        table.add_row(
            row["video_id"],
            row["channel_id"] or "—",
            _n(row["age_hours"], 1),
            _n(row["views"]),
            _n(row["velocity"], 1),
            _n(row["velocity_24h"], 1),
            _n(row["score"], 2),
            row["tier"] or "—",
        )
    console.print(table)
    console.print(f"[dim]{DERIVED}[/]")


def breakouts(
    since: Annotated[
        datetime | None, typer.Option(help="Judge every interval that ended since (ISO-8601).")
    ] = None,
    until: Annotated[datetime | None, typer.Option(help="…and before (ISO-8601).")] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many breakouts.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Videos gaining views far faster than their channel's recent uploads did at the same age
    and than their own pace before (latest intervals; --since/--until: any period)."""
    from ghosttrack.clock import ensure_utc

    with analytics() as a:
        found = a.breakouts(
            since=ensure_utc(since) if since else None,
            until=ensure_utc(until) if until else None,
            limit=limit,
        )
    if as_json:
        _print_json(found.to_json())
        return
    from ghosttrack.cli.app import console

    console.print(
        f"[bold]breakouts[/] ended {_when(found.since)} – {_when(found.until)}: {len(found.items)}"
    )
    for b in found.items:
        console.print(f"  {b.video_id} (channel {b.channel_id or '—'}) {_describe_breakout(b)}")
    console.print(f"[dim]{DERIVED}[/]")


def channel(
    channel_id: Annotated[str, typer.Argument(help="A channel id (UC…).")],
    days: Annotated[int, typer.Option(min=1, help="Days of daily statistics.")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """A channel's daily statistics and its videos' typical lifecycle."""
    with analytics() as a:
        report = a.channel(channel_id, days=days)
    if as_json:
        _print_json(report.to_json())
        return
    from rich.table import Table

    from ghosttrack.cli.app import console

    console.print(f"[bold]channel {report.channel_id}[/] as of {_when(report.as_of)}")
    daily = Table("day", "subscribers", "change", "views", "change", "videos", title_justify="left")
    for row in report.days.to_pylist():
        daily.add_row(
            str(row["day"]),
            _n(row["subscribers"]),
            _n(row["subscribers_change"]),
            _n(row["views"]),
            _n(row["views_change"]),
            _n(row["videos"]),
        )
    console.print(daily)
    console.print(f"[dim]{DERIVED}:[/]")
    console.print(f"  {report.videos_tracked} videos in video_trends")
    console.print(
        "  typical views: "
        + ", ".join(f"{t.label} {_n(t.median_views)} ({t.videos})" for t in report.typical)
    )
    shares = [p.median_share if p.median_share is not None else math.nan for p in report.lifecycle]
    console.print(f"  lifecycle to 30 days: {sparkline(shares)}")
    for point in report.lifecycle:
        if point.age_hours in (1, 24, 72, 168, 336) and point.median_share is not None:
            console.print(
                f"    by {point.age_hours:g} h: {point.median_share:.0%} of 30-day views "
                f"(median of {point.videos})"
            )


@trends_app.command("refresh")
def trends_refresh(
    full: Annotated[bool, typer.Option(help="Recompute every video, not only changed ones.")] = (
        False
    ),
) -> None:
    """Refresh video_trends now (`ghosttrack run` does it every GHOSTTRACK_TRENDS_EVERY)."""
    from ghosttrack.cli.app import console, runtime
    from ghosttrack.maintenance.trends import run_trends_refresh

    with runtime() as rt:
        result = run_trends_refresh(rt.db, rt.vault, rt.clock, rt.settings, full=full)
    kind = "all videos" if result.full else "videos with new samples"
    console.print(
        f"video_trends: {result.videos} videos recomputed ({kind}), {result.total} in all, "
        f"in {result.seconds:.1f} s"
    )


def sql(
    query: Annotated[str, typer.Argument(help="One or more SELECT queries (the last is shown).")],
    as_csv: Annotated[bool, typer.Option("--csv", help="All rows as CSV, streamed.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="All rows as JSON, streamed.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="Rows shown as a table.")] = 50,
) -> None:
    """Read-only SQL over the views metrics, channel_metrics, watchlist and video_trends
    (video_trends' figures are ghosttrack's). Statements that would write are refused."""
    with analytics() as a:
        batches = a.sql_batches(query)
        if as_csv:
            _write_csv(batches)
        elif as_json:
            _write_json(batches)
        else:
            _print_rows(batches, limit)


def _write_csv(batches: Iterator[Any]) -> None:
    import pyarrow.csv as pcsv

    header = True
    for batch in batches:
        sink = io.BytesIO()
        pcsv.write_csv(batch, sink, pcsv.WriteOptions(include_header=header))
        sys.stdout.write(sink.getvalue().decode())
        header = False


def _write_json(batches: Iterator[Any]) -> None:
    from ghosttrack.analytics.records import table_json

    first = True
    sys.stdout.write("[")
    for batch in batches:
        for row in table_json(batch):
            sys.stdout.write(("\n" if first else ",\n") + json.dumps(row))
            first = False
    sys.stdout.write("\n]\n")


def _print_rows(batches: Iterator[Any], limit: int) -> None:
    from rich.table import Table

    from ghosttrack.analytics.records import table_json
    from ghosttrack.cli.app import console

    shown, total, table = 0, 0, None
    for batch in batches:
        if table is None:
            table = Table(*batch.schema.names)
        total += batch.num_rows
        for row in table_json(batch.slice(0, max(0, limit - shown))):
            table.add_row(*("" if v is None else str(v) for v in row.values()))
            shown += 1
    if table is not None:
        console.print(table)
    more = f", {shown} shown (--csv or --json for all)" if total > shown else ""
    console.print(f"[dim]{total} rows{more}[/]")


def export(
    target: Annotated[Path, typer.Argument(help="The file to write: .csv or .parquet.")],
    video: Annotated[str | None, typer.Option(help="Only this video's samples.")] = None,
    channel: Annotated[str | None, typer.Option(help="Only this channel's videos.")] = None,
    since: Annotated[datetime | None, typer.Option(help="Samples from (ISO-8601).")] = None,
    until: Annotated[datetime | None, typer.Option(help="…and before (ISO-8601).")] = None,
    file_format: Annotated[
        str | None, typer.Option("--format", help="csv or parquet (default: from the name).")
    ] = None,
) -> None:
    """Samples of a video, a channel or a period to a CSV or Parquet file, streamed."""
    from ghosttrack.cli.app import console
    from ghosttrack.clock import ensure_utc

    with analytics() as a:
        done = a.export(
            target,
            video_id=video,
            channel_id=channel,
            since=ensure_utc(since) if since else None,
            until=ensure_utc(until) if until else None,
            file_format=file_format,
        )
    console.print(f"wrote {done.rows} samples to {done.path} ({done.format})")
