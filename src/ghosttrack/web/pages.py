"""The dashboard: server-rendered pages (Jinja2) over the same services as the API; a little
vanilla JS draws the charts (vendored uPlot) and follows runs. Everything is served from here:
no CDN, no web font."""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ghosttrack import operations
from ghosttrack.web.api import derived_or_none, video_id_of
from ghosttrack.web.auth import SESSION_COOKIE
from ghosttrack.web.parts import Parts, WebParts

TEMPLATES = Path(__file__).parent / "templates"
#: Watchlist rows the overview lists (the API pages through all of them).
OVERVIEW_ENTRIES = 20
#: Top movers and breakouts the overview lists.
OVERVIEW_RANKED = 10
#: Videos a channel page lists.
CHANNEL_VIDEOS = 200
#: Videos the compare page draws at once.
MAX_COMPARED = 8

templates = Jinja2Templates(directory=TEMPLATES)


def _filesize(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def _rate(value: float | None) -> str:
    """Views per hour: a decimal for slow videos, so that 0.4 does not read as 0."""
    if value is None:
        return "—"
    return f"{value:,.1f}" if abs(value) < 10 else f"{value:,.0f}"


templates.env.filters["filesize"] = _filesize
templates.env.filters["rate"] = _rate
templates.env.filters["duration"] = _duration

router = APIRouter(include_in_schema=False)


class LoginRequired(Exception):
    """A page was asked for without the token on a server that needs it for every request."""


def _render(request: Request, parts: WebParts, name: str, **context: Any) -> HTMLResponse:
    if not parts.guard.allowed(request, change=False):
        raise LoginRequired
    return templates.TemplateResponse(request, name, {"now": parts.clock.now(), **context})


@router.get("/", response_class=HTMLResponse, name="overview")
def overview(request: Request, parts: Parts) -> HTMLResponse:
    report = operations.status_report(parts.db, parts.vault_stats(), parts.clock, jobs=10)
    entries = parts.db.watchlist.scan(after=None, limit=OVERVIEW_ENTRIES)
    movers = derived_or_none(lambda: parts.analytics.top(by="velocity", limit=OVERVIEW_RANKED))
    found = derived_or_none(lambda: parts.analytics.breakouts(limit=OVERVIEW_RANKED))
    return _render(
        request,
        parts,
        "overview.html",
        report=report,
        entries=entries,
        movers=movers,
        breakouts=found,
    )


@router.get("/videos/{video}", response_class=HTMLResponse, name="video_page")
def video_page(request: Request, video: str, parts: Parts) -> HTMLResponse:
    video_id = video_id_of(video)
    rows = parts.db.watchlist.get([video_id])
    if not rows:
        return _missing(request, parts, f"{video_id} is not on the watchlist.")
    meta = parts.db.discovery.get_metadata([video_id])
    changes = [
        {"at": c.start.isoformat(), "end": c.end.isoformat(), "note": c.note}
        for c in parts.analytics.methodology_changes
    ]
    return _render(
        request,
        parts,
        "video.html",
        video_id=video_id,
        entry=rows[0],
        title=meta[0].title if meta else None,
        changes=changes,
        report=derived_or_none(lambda: parts.analytics.video(video_id)),
    )


@router.get("/channels/{channel}", response_class=HTMLResponse, name="channel_page")
def channel_page(request: Request, channel: str, parts: Parts) -> HTMLResponse:
    rows = parts.db.discovery.get_channels([channel])
    if not rows:
        return _missing(request, parts, f"{channel} is not a watched channel.")
    videos = parts.db.watchlist.scan(after=None, limit=CHANNEL_VIDEOS, channel_id=channel)
    stats = parts.vault.read_channel_samples([channel]).to_pylist()
    trend = [
        {"t": s["timestamp"].isoformat(), "subscribers": s["subscribers"], "views": s["views"]}
        for s in stats
    ]
    report = derived_or_none(lambda: parts.analytics.channel(channel))
    return _render(
        request,
        parts,
        "channel.html",
        channel=rows[0],
        videos=videos,
        trend=trend,
        report=report,
    )


@router.get("/compare", response_class=HTMLResponse, name="compare")
def compare(
    request: Request, parts: Parts, v: Annotated[list[str] | None, Query()] = None
) -> HTMLResponse:
    texts = [t for item in v or [] for t in item.replace(",", " ").split()][:MAX_COMPARED]
    ids, problems = operations.parse_video_inputs(texts)
    rows = {e.video_id: e for e in parts.db.watchlist.get(ids)}
    series = []
    for video_id in ids:
        entry = rows.get(video_id)
        if entry is None:
            problems.append(f"{video_id} is not on the watchlist")
        elif entry.published_at is None:
            problems.append(f"{video_id}: publication time not known yet (never visited)")
        else:
            series.append(
                {
                    "label": video_id,
                    "published_at": entry.published_at.isoformat(),
                    "samples": str(request.url_for("video_samples", video=video_id)),
                }
            )
    return _render(request, parts, "compare.html", videos=texts, series=series, problems=problems)


@router.get("/login", response_class=HTMLResponse, name="login_form")
def login_form(request: Request, parts: Parts, next: str = "/") -> HTMLResponse:
    return _login_page(request, parts, next, failed=False)


@router.post("/login", response_class=HTMLResponse, name="login")
async def login(request: Request, parts: Parts) -> Response:
    form = urllib.parse.parse_qs((await request.body()).decode(errors="replace"))
    token = form.get("token", [""])[0]
    target = _local_path(form.get("next", ["/"])[0])
    if not parts.guard.token_matches(token):
        return _login_page(request, parts, target, failed=True, status=401)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE, parts.guard.session_value(), httponly=True, samesite="strict"
    )
    return response


def _login_page(
    request: Request, parts: WebParts, target: str, *, failed: bool, status: int = 200
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "login.html",
        {
            "now": parts.clock.now(),
            "configured": parts.guard.token is not None,
            "next": _local_path(target),
            "failed": failed,
            "hint": parts.login_hint,
        },
        status_code=status,
    )


def _missing(request: Request, parts: WebParts, message: str) -> HTMLResponse:
    if not parts.guard.allowed(request, change=False):
        raise LoginRequired
    return templates.TemplateResponse(
        request,
        "error.html",
        {"now": parts.clock.now(), "heading": "Not found", "message": message},
        status_code=404,
    )


def _local_path(target: str) -> str:
    """Only a path on this server: a login never redirects elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") else "/"
