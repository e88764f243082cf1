"""The REST API, ``/api/v1``: thin handlers over the services the CLI calls.

Reads are plain functions (FastAPI runs them in its thread pool: the stores block); handlers
that start background work are async (they run on the event loop the runs live on).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated, Any, Literal, get_args

import pyarrow as pa
import pyarrow.parquet as pq
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from ghosttrack import operations
from ghosttrack.analytics.records import Json
from ghosttrack.analytics.service import RANKINGS
from ghosttrack.duration import parse_duration
from ghosttrack.errors import InputError
from ghosttrack.hunter.channels import add_channels, remove_channels
from ghosttrack.hunter.searches import add_search, remove_searches
from ghosttrack.ids import parse_video_id
from ghosttrack.watchlist.records import JobKind, JobStatus, VideoStatus, WatchedChannel
from ghosttrack.web import cursor
from ghosttrack.web.models import (
    CHANNEL_SAMPLE_FIELDS,
    MAX_PAGE,
    AddOut,
    ChangedOut,
    ChannelOut,
    ChannelReportOut,
    ChannelsAddOut,
    ChannelSampleOut,
    ChannelsIn,
    JobOut,
    MetadataOut,
    Page,
    Problem,
    RunOut,
    RunRequest,
    SampleOut,
    SearchAddOut,
    SearchIn,
    SearchOut,
    StatsOut,
    VideosIn,
    WatchEntryOut,
)
from ghosttrack.web.parts import Parts, WebParts
from ghosttrack.web.problems import Conflict, FieldError, NotFound, in_field
from ghosttrack.web.runs import RunRefused


def read_access(request: Request, parts: Parts) -> None:
    parts.guard.check(request, change=False)


def change_access(request: Request, parts: Parts) -> None:
    parts.guard.check(request, change=True)


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem} for code in (400, 401, 403, 404, 409, 422, 503)
}
router = APIRouter(prefix="/api/v1", dependencies=[Depends(read_access)], responses=ERRORS)
Change = [Depends(change_access)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Items per page.")]
Cursor = Annotated[str | None, Query(description="From the previous page's 'next' link.")]
#: A row id: what a 64-bit SQL integer holds (a bigger one would not reach the database).
RowId = Annotated[int, Path(ge=1, le=cursor.MAX_INT)]


def _next_link(request: Request, key: Any, page_size: int, limit: int) -> str | None:
    if page_size < limit:
        return None
    url = request.url.include_query_params(cursor=cursor.encode(key))
    return f"{url.path}?{url.query}"


# --- stats, runs, jobs ---------------------------------------------------------------------------


@router.get("/stats", response_model=StatsOut, tags=["status"])
def stats(parts: Parts) -> StatsOut:
    """Videos tracked today, quota per key and bucket, the watchlist, backlog, on-schedule share,
    the vault and the recent jobs."""
    report = operations.status_report(parts.db, parts.vault_stats(), parts.clock, jobs=10)
    return StatsOut.of(report)


@router.post(
    "/runs",
    response_model=RunOut,
    status_code=202,
    dependencies=Change,
    tags=["runs"],
    responses={200: {"model": RunOut, "description": "A run of this kind was going: its job."}},
)
async def start_run(body: RunRequest, parts: Parts, response: Response) -> RunOut:
    """Start a run in the background (tracking, discovery, janitor, compaction); 202 with its
    job. A run of a kind already going here is not started twice: 200 with that job."""
    if body.limit is not None and body.kind != "tracking":
        raise FieldError("limit", "only a tracking run takes a limit")
    started = parts.runs.start(body.kind, limit=body.limit)
    if not started.started:
        response.status_code = 200
    return RunOut(job=JobOut.of(started.job), started=started.started)


@router.get("/jobs", response_model=Page[JobOut], tags=["runs"])
def list_jobs(
    request: Request,
    parts: Parts,
    limit: Limit = 50,
    cursor_: Annotated[Cursor, Query(alias="cursor")] = None,
    kind: JobKind | None = None,
    status: JobStatus | None = None,
) -> Page[JobOut]:
    """Jobs, newest first."""
    before = cursor.decode(cursor_, int)
    jobs = parts.db.jobs.list_jobs(before_id=before, limit=limit, kind=kind, status=status)
    items = [JobOut.of(j) for j in jobs]
    key = jobs[-1].id if jobs else None
    return Page[JobOut](items=items, next=_next_link(request, key, len(jobs), limit))


@router.get("/jobs/{job_id}", response_model=JobOut, tags=["runs"])
def get_job(job_id: RowId, parts: Parts) -> JobOut:
    """One job; a running tracking job shows its progress."""
    job = parts.db.jobs.get_job(job_id)
    if job is None:
        raise NotFound("job_id", f"there is no job {job_id}")
    return JobOut.of(job)


# --- the watchlist ---------------------------------------------------------------------------


@router.get("/watchlist", response_model=Page[WatchEntryOut], tags=["watchlist"])
def list_watchlist(
    request: Request,
    parts: Parts,
    limit: Limit = 100,
    cursor_: Annotated[Cursor, Query(alias="cursor")] = None,
) -> Page[WatchEntryOut]:
    """The watchlist in video id order."""
    after = cursor.decode(cursor_, str)
    rows = parts.db.watchlist.scan(after=after, limit=limit)
    key = rows[-1].video_id if rows else None
    items = [WatchEntryOut.of(r) for r in rows]
    return Page[WatchEntryOut](items=items, next=_next_link(request, key, len(rows), limit))


@router.post(
    "/watchlist", response_model=AddOut, status_code=201, dependencies=Change, tags=["watchlist"]
)
def add_to_watchlist(body: VideosIn, parts: Parts) -> AddOut:
    """Add videos (ids or URLs; the CLI's validation): any invalid entry and nothing is added,
    unless ``skip_invalid``. Never calls the YouTube API."""
    with in_field("videos"):
        report = operations.add_videos(
            parts.db.watchlist,
            parts.settings.tier_table(),
            parts.clock,
            body.videos,
            skip_invalid=body.skip_invalid,
        )
    return AddOut(
        added=report.added, already_present=report.already_present, rejected=report.rejected
    )


@router.delete(
    "/watchlist/{video}", response_model=ChangedOut, dependencies=Change, tags=["watchlist"]
)
def remove_from_watchlist(video: str, parts: Parts) -> ChangedOut:
    """Stop tracking a video (a tombstone: its history stays, discovery will not re-add it)."""
    video_id = video_id_of(video)
    if not parts.db.watchlist.get([video_id]):
        raise NotFound("video", f"{video_id} is not on the watchlist")
    changed = operations.change_status(
        parts.db.watchlist, parts.clock, [video_id], VideoStatus.REMOVED
    )
    return ChangedOut(changed=changed)


# --- channels and searches -------------------------------------------------------------------


@router.get("/channels", response_model=Page[ChannelOut], tags=["discovery"])
def list_channels(
    request: Request,
    parts: Parts,
    limit: Limit = 100,
    cursor_: Annotated[Cursor, Query(alias="cursor")] = None,
) -> Page[ChannelOut]:
    """Watched channels, in the order they were added."""
    after = cursor.decode(cursor_, str)
    rows = [c for c in parts.db.discovery.list_channels() if after is None or c.channel_id > after]
    rows = sorted(rows, key=lambda c: c.channel_id)[:limit]
    key = rows[-1].channel_id if rows else None
    items = [ChannelOut.of(c) for c in rows]
    return Page[ChannelOut](items=items, next=_next_link(request, key, len(rows), limit))


@router.post(
    "/channels",
    response_model=ChannelsAddOut,
    status_code=201,
    dependencies=Change,
    tags=["discovery"],
)
async def watch_channels(body: ChannelsIn, parts: Parts) -> ChannelsAddOut:
    """Watch channels (ids, @handles, URLs; resolved with the API): any entry that names no
    channel, and nothing is added."""
    if parts.youtube is None:
        raise RunRefused("adding channels resolves them with the API: set an API key first")
    with in_field("channels"):
        done = await add_channels(
            parts.db.discovery,
            parts.youtube,
            parts.vault,
            parts.clock,
            parts.settings,
            body.channels,
        )
    return ChannelsAddOut(
        added=[ChannelOut.of(c) for c in done.added],
        already_present=len(done.already_present),
        rejected=[],
    )


@router.delete(
    "/channels/{channel}", response_model=ChangedOut, dependencies=Change, tags=["discovery"]
)
def unwatch_channel(channel: str, parts: Parts) -> ChangedOut:
    """Stop watching a channel; its videos stay on the watchlist."""
    with in_field("channel"):
        removed = remove_channels(parts.db.discovery, [channel])
    if not removed:
        raise NotFound("channel", f"{channel} is not a watched channel")
    return ChangedOut(changed=removed)


@router.get("/channels/{channel}", response_model=ChannelReportOut, tags=["discovery"])
def get_channel(
    request: Request,
    channel: str,
    parts: Parts,
    limit: Limit = 100,
    cursor_: Annotated[Cursor, Query(alias="cursor")] = None,
) -> ChannelReportOut:
    """A watched channel, a page of its videos on the watchlist, and its statistics."""
    row = _channel(parts, channel)
    after = cursor.decode(cursor_, str)
    videos = parts.db.watchlist.scan(after=after, limit=limit, channel_id=row.channel_id)
    key = videos[-1].video_id if videos else None
    stats = parts.vault.read_channel_samples([row.channel_id]).to_pylist()
    return ChannelReportOut(
        channel=ChannelOut.of(row),
        videos=Page[WatchEntryOut](
            items=[WatchEntryOut.of(v) for v in videos],
            next=_next_link(request, key, len(videos), limit),
        ),
        statistics=[ChannelSampleOut(**{k: s[k] for k in CHANNEL_SAMPLE_FIELDS}) for s in stats],
        analytics=derived_or_none(lambda: parts.analytics.channel(row.channel_id)),
    )


def _channel(parts: WebParts, channel: str) -> WatchedChannel:
    rows = parts.db.discovery.get_channels([channel])
    if not rows:
        raise NotFound("channel", f"{channel} is not a watched channel (use its UC… id)")
    return rows[0]


@router.get("/searches", response_model=list[SearchOut], tags=["discovery"])
def list_searches(parts: Parts) -> list[SearchOut]:
    """Saved searches (a handful: the search bucket allows 100 calls a day per key)."""
    return [SearchOut.of(s) for s in parts.db.discovery.list_searches()]


@router.post(
    "/searches",
    response_model=SearchAddOut,
    status_code=201,
    dependencies=Change,
    tags=["discovery"],
)
def save_search(body: SearchIn, parts: Parts) -> SearchAddOut:
    """Save a search; it runs at once, then every ``every``."""
    every = None
    if body.every is not None:
        try:
            every = parse_duration(body.every)
        except ValueError as exc:
            raise FieldError("every", str(exc)) from None
    with in_field("query"):
        search, added = add_search(
            parts.db.discovery, parts.clock, parts.settings, body.query, every
        )
    return SearchAddOut(search=SearchOut.of(search), added=added)


@router.delete(
    "/searches/{search_id}", response_model=ChangedOut, dependencies=Change, tags=["discovery"]
)
def remove_search(search_id: RowId, parts: Parts) -> ChangedOut:
    """Remove a saved search (the videos it found stay on the watchlist)."""
    if search_id not in {s.id for s in parts.db.discovery.list_searches()}:
        raise NotFound("search_id", f"there is no saved search {search_id}")
    return ChangedOut(changed=remove_searches(parts.db.discovery, [str(search_id)]))


# --- videos ----------------------------------------------------------------------------------


def video_id_of(text: str) -> str:
    try:
        return parse_video_id(text)
    except ValueError as exc:
        raise FieldError("video", str(exc)) from None


def derived_or_none(compute: Callable[[], Any]) -> Json | None:
    """An analytics record's JSON; None when analytics know nothing of it yet (no sample)."""
    try:
        body: Json = compute().to_json()
    except InputError:
        return None
    return body


def from_trends(compute: Callable[[], Any]) -> Json:
    """An analytics answer that needs ``video_trends``: 409 until it has been computed."""
    try:
        body: Json = compute().to_json()
    except InputError as exc:
        raise Conflict(str(exc)) from None
    return body


@router.get("/videos/{video}", tags=["videos"])
def get_video(video: str, parts: Parts) -> dict[str, Any]:
    """A video's watchlist row, its metadata while the janitor keeps it, and ghosttrack's
    analytics of it (milestones, velocity, score against its age cohort, forecast)."""
    video_id = video_id_of(video)
    rows = parts.db.watchlist.get([video_id])
    if not rows:
        raise NotFound("video", f"{video_id} is not on the watchlist")
    meta = parts.db.discovery.get_metadata([video_id])
    return {
        "video_id": video_id,
        "watchlist": WatchEntryOut.of(rows[0]),
        "metadata": MetadataOut(
            title=meta[0].title,
            channel_id=meta[0].channel_id,
            published_at=meta[0].published_at,
            duration_seconds=meta[0].duration_seconds,
            tags=list(meta[0].tags),
            fetched_at=meta[0].fetched_at,
        )
        if meta
        else None,
        "analytics": derived_or_none(lambda: parts.analytics.video(video_id)),
    }


Ranked = Literal["velocity", "velocity_24h", "score", "lifetime_average"]
assert set(RANKINGS) == set(get_args(Ranked))  # the facade's rankings, no other


@router.get("/top-movers", tags=["analytics"])
def top_movers(
    request: Request,
    parts: Parts,
    by: Ranked = "velocity",
    channel: str | None = None,
    tier: str | None = None,
    limit: Limit = 50,
    cursor_: Annotated[Cursor, Query(alias="cursor")] = None,
) -> dict[str, Any]:
    """The videos with the highest ``by`` (ghosttrack's figures, as of the last refresh of
    video_trends), a page at a time."""
    offset = cursor.decode(cursor_, int) or 0
    body = from_trends(
        lambda: parts.analytics.top(by=by, channel=channel, tier=tier, limit=offset + limit)
    )
    body["videos"] = body["videos"][offset:]
    body["next"] = _next_link(request, offset + limit, len(body["videos"]), limit)
    return body


@router.get("/breakouts", tags=["analytics"])
def breakouts(
    parts: Parts,
    since: Annotated[datetime | None, Query(description="Intervals ending at or after.")] = None,
    until: Annotated[datetime | None, Query(description="Intervals ending before.")] = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    """Videos that gained views far faster than their baselines (ghosttrack's judgement):
    the last week's as of the last refresh, or every one in ``[since, until)``."""
    _aware(since=since, until=until)
    if since is not None and until is not None and until <= since:
        raise FieldError("until", "until must be after since")
    return from_trends(lambda: parts.analytics.breakouts(since=since, until=until, limit=limit))


Start = Annotated[datetime | None, Query(description="Samples at or after (ISO-8601).")]
End = Annotated[datetime | None, Query(description="Samples before (ISO-8601).")]


def _samples(parts: Parts, video: str, start: datetime | None, end: datetime | None) -> pa.Table:
    video_id = video_id_of(video)
    _aware(start=start, end=end)
    if start is not None and end is not None and end <= start:
        raise FieldError("end", "end must be after start")
    if not parts.db.watchlist.get([video_id]):
        raise NotFound("video", f"{video_id} is not on the watchlist")
    table = parts.vault.read_samples([video_id], since=start, until=end)
    return table.select(["timestamp", "views", "likes", "comments", "source"])


@router.get("/videos/{video}/samples", response_model=list[SampleOut], tags=["videos"])
def video_samples(
    video: str, parts: Parts, start: Start = None, end: End = None
) -> list[dict[str, Any]]:
    """Every sample of a video in ``[start, end)``, oldest first."""
    rows: list[dict[str, Any]] = _samples(parts, video, start, end).to_pylist()
    return rows


@router.get(
    "/videos/{video}/samples.csv",
    tags=["videos"],
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
def video_samples_csv(
    video: str, parts: Parts, start: Start = None, end: End = None
) -> StreamingResponse:
    """The samples as CSV, streamed."""
    table = _samples(parts, video, start, end)
    return StreamingResponse(_csv_rows(table), media_type="text/csv")


@router.get(
    "/videos/{video}/samples.parquet",
    tags=["videos"],
    response_class=StreamingResponse,
    responses={200: {"content": {"application/vnd.apache.parquet": {}}}},
)
def video_samples_parquet(
    video: str, parts: Parts, start: Start = None, end: End = None
) -> StreamingResponse:
    """The samples as a Parquet file, streamed."""
    buffer = io.BytesIO()
    pq.write_table(_samples(parts, video, start, end), buffer)
    return StreamingResponse(
        _chunks(buffer.getvalue()), media_type="application/vnd.apache.parquet"
    )


def _aware(**moments: datetime | None) -> None:
    for name, moment in moments.items():
        if moment is not None and moment.utcoffset() is None:
            raise FieldError(name, "give a time zone, e.g. 2026-06-01T00:00:00Z")


def _csv_rows(table: pa.Table, batch: int = 5000) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.column_names)
    for record_batch in table.to_batches(max_chunksize=batch):
        for row in record_batch.to_pylist():
            value = row["timestamp"]
            writer.writerow([value.isoformat(), *(row[c] for c in table.column_names[1:])])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def _chunks(data: bytes, size: int = 1 << 16) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]
