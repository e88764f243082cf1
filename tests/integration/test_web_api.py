"""The REST API over real HTTP (uvicorn on loopback), on a real runtime, tracking against the
simulator over loopback."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx
import pyarrow.parquet as pq
import pytest

from ghosttrack.errors import ConfigError
from ghosttrack.web.server import bind, check_exposure
from tests.fixtures.web import SIM_KEY, TOKEN, MakeWeb


def test_a_tracking_run_answers_202_shows_progress_and_ends_in_success(
    make_web: MakeWeb,
) -> None:
    web = make_web()
    before = web.client.get("/api/v1/stats").json()
    assert before["due_now"] == len(web.video_ids)
    assert before["tracked_today"] == 0

    started = web.client.post("/api/v1/runs", json={"kind": "tracking"})
    assert started.status_code == 202, started.text
    job = started.json()["job"]
    assert started.json()["started"] is True
    again = web.client.post("/api/v1/runs", json={"kind": "tracking"})
    if again.status_code == 200:  # the first is still going: it is not started twice
        assert again.json() == {"job": again.json()["job"], "started": False}
        assert again.json()["job"]["id"] == job["id"]

    done = web.wait_for_job(job["id"])
    assert done["status"] == "succeeded", done
    assert done["counts"]["tracked"] == len(web.video_ids)
    assert done["kind"] == "track"

    after = web.client.get("/api/v1/stats").json()
    assert after["tracked_today"] == len(web.video_ids)
    assert after["due_now"] == 0
    assert after["vault"]["samples"] == len(web.video_ids)
    assert after["on_schedule_share"] == 1.0
    assert {q["bucket"] for q in after["quota"]} >= {"shared"}
    assert after["recent_jobs"][0]["id"] == job["id"]


def test_a_limited_run_records_its_progress_in_the_job(make_web: MakeWeb) -> None:
    web = make_web(claim_size=10)
    job = web.client.post("/api/v1/runs", json={"kind": "tracking", "limit": 30}).json()["job"]
    done = web.wait_for_job(job["id"])
    assert done["counts"]["tracked"] == 30
    assert web.client.get("/api/v1/stats").json()["due_now"] == len(web.video_ids) - 30


def test_changes_need_the_token_and_bad_input_changes_nothing(make_web: MakeWeb) -> None:
    web = make_web()
    total = web.client.get("/api/v1/stats").json()["watchlist_total"]

    anonymous = web.anonymous.post("/api/v1/watchlist", json={"videos": ["dQw4w9WgXcQ"]})
    assert anonymous.status_code == 401
    assert anonymous.json()["field"] == "Authorization"
    wrong = web.anonymous.post(
        "/api/v1/runs",
        json={"kind": "tracking"},
        headers={"Authorization": "Bearer not-the-token-at-all"},
    )
    assert wrong.status_code == 401

    bad = web.client.post("/api/v1/watchlist", json={"videos": ["dQw4w9WgXcQ", "not a video"]})
    assert bad.status_code == 400
    assert bad.json()["field"] == "videos"
    assert any("not a video" in p for p in bad.json()["problems"])
    assert web.client.get("/api/v1/stats").json()["watchlist_total"] == total

    limit = web.client.post("/api/v1/runs", json={"kind": "tracking", "limit": 0})
    assert limit.status_code == 422
    assert limit.json()["field"] == "limit"
    kind = web.client.post("/api/v1/runs", json={"kind": "everything"})
    assert kind.status_code == 422
    assert kind.json()["field"] == "kind"
    assert web.client.get("/api/v1/jobs").json()["items"] == []

    added = web.client.post(
        "/api/v1/watchlist", json={"videos": ["dQw4w9WgXcQ", "https://youtu.be/9bZkp7q19f0"]}
    )
    assert added.status_code == 201
    assert added.json() == {"added": 2, "already_present": 0, "rejected": []}
    assert web.client.get("/api/v1/stats").json()["watchlist_total"] == total + 2

    removed = web.client.delete("/api/v1/watchlist/dQw4w9WgXcQ")
    assert removed.json() == {"changed": 1}
    assert web.client.get("/api/v1/videos/dQw4w9WgXcQ").json()["watchlist"]["status"] == ("removed")
    assert web.client.delete("/api/v1/watchlist/AAAAAAAAAAA").status_code == 404


def test_lists_page_with_an_opaque_cursor_and_a_next_link(make_web: MakeWeb) -> None:
    web = make_web()
    for _ in range(3):
        job = web.client.post("/api/v1/runs", json={"kind": "janitor"}).json()["job"]
        web.wait_for_job(job["id"])

    size = len(web.video_ids) // 2 + 1  # two pages: one full, one not
    seen: list[str] = []
    link: str | None = f"/api/v1/watchlist?limit={size}"
    pages = 0
    while link:
        page = web.client.get(link).json()
        seen += [row["video_id"] for row in page["items"]]
        link = page["next"]
        pages += 1
    assert seen == sorted(web.video_ids)
    assert pages == 2

    jobs = web.client.get("/api/v1/jobs?limit=2").json()
    assert [j["kind"] for j in jobs["items"]] == ["janitor", "janitor"]
    rest = web.client.get(jobs["next"]).json()
    assert len(rest["items"]) == 1
    assert rest["items"][0]["id"] < jobs["items"][1]["id"]

    bad = web.client.get("/api/v1/jobs?cursor=bm90LWEtY3Vyc29y")
    assert bad.status_code == 400
    assert bad.json()["field"] == "cursor"
    assert web.client.get("/api/v1/jobs/999").status_code == 404


def test_samples_come_as_json_csv_and_parquet(make_web: MakeWeb) -> None:
    web = make_web()
    for _ in range(2):
        job = web.client.post("/api/v1/runs", json={"kind": "tracking"}).json()["job"]
        assert web.wait_for_job(job["id"])["status"] == "succeeded"
        web.clock.advance(timedelta(days=1, hours=1))
    video = web.video_ids[0]

    rows = web.client.get(f"/api/v1/videos/{video}/samples").json()
    assert len(rows) == 2
    assert rows[0]["timestamp"] < rows[1]["timestamp"]
    assert rows[0]["views"] <= rows[1]["views"]

    text = web.client.get(f"/api/v1/videos/{video}/samples.csv").text
    table = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["views"]) for r in table] == [r["views"] for r in rows]

    data = web.client.get(f"/api/v1/videos/{video}/samples.parquet").content
    assert pq.read_table(io.BytesIO(data)).column("views").to_pylist() == [r["views"] for r in rows]

    later = web.client.get(
        f"/api/v1/videos/{video}/samples", params={"start": rows[1]["timestamp"]}
    ).json()
    assert later == rows[1:]
    naive = web.client.get(f"/api/v1/videos/{video}/samples", params={"start": "2026-06-01T00:00"})
    assert naive.status_code == 400
    assert naive.json()["field"] == "start"


def test_metrics_are_prometheus_text_and_no_answer_holds_the_key(make_web: MakeWeb) -> None:
    web = make_web()
    job = web.client.post("/api/v1/runs", json={"kind": "tracking"}).json()["job"]
    web.wait_for_job(job["id"])

    metrics = web.client.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    lines = metrics.text.splitlines()
    assert f'ghosttrack_watchlist_status{{status="active"}} {len(web.video_ids)}.0' in lines
    assert "ghosttrack_backlog_videos 0.0" in lines
    assert f'ghosttrack_samples_written_total{{source="api"}} {len(web.video_ids)}.0' in lines
    assert any(line.startswith('ghosttrack_api_calls_total{method="videos.') for line in lines)
    assert any(line.startswith("ghosttrack_quota_units_used{") for line in lines)
    assert any(
        line.startswith('ghosttrack_job_last_duration_seconds{kind="track"}') for line in lines
    )

    answers = [
        metrics.text,
        web.client.get("/api/v1/stats").text,
        web.client.get("/api/v1/jobs").text,
        web.client.get("/").text,
        web.client.get("/openapi.json").text,
        web.client.get(f"/videos/{web.video_ids[0]}").text,
    ]
    for text in answers:
        assert SIM_KEY not in text
        assert TOKEN not in text


def test_beyond_loopback_every_request_needs_the_token(make_web: MakeWeb) -> None:
    web = make_web(host="0.0.0.0", watch=False)
    assert web.anonymous.get("/api/v1/stats").status_code == 401
    assert web.anonymous.get("/metrics").status_code == 401
    page = web.anonymous.get("/")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/"
    assert web.client.get("/api/v1/stats").status_code == 200

    refused = web.anonymous.post("/login", data={"token": "guess-guess-guess", "next": "/"})
    assert refused.status_code == 401
    assert "ghosttrack_session" not in refused.cookies
    with httpx.Client(base_url=web.url) as browser:
        login = browser.post("/login", data={"token": TOKEN, "next": "/"})
        assert login.status_code == 303
        assert TOKEN not in login.cookies["ghosttrack_session"]
        page = browser.get("/")
        assert page.status_code == 200
        assert "Run tracking now" in page.text
        cross_site = browser.post(
            "/api/v1/runs", json={"kind": "janitor"}, headers={"Origin": "http://evil.example"}
        )
        assert cross_site.status_code == 401
        same_site = browser.post(
            "/api/v1/runs", json={"kind": "janitor"}, headers={"Origin": web.url}
        )
        assert same_site.status_code == 202

    with pytest.raises(ConfigError, match="GHOSTTRACK_API_TOKEN"):
        check_exposure(web.settings.model_copy(update={"api_token": None}), "0.0.0.0")
    check_exposure(web.settings.model_copy(update={"api_token": None}), "127.0.0.1")


def test_a_port_in_use_is_a_clear_error() -> None:
    taken = bind("127.0.0.1", 0)
    try:
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError, match=f"port {port} on 127.0.0.1 is already in use"):
            bind("127.0.0.1", port)
    finally:
        taken.close()


def test_ids_and_cursors_beyond_64_bits_are_rejected_not_crashed_on(make_web: MakeWeb) -> None:
    # Found by the schema run: a job id past SQLite's integers was a 500.
    web = make_web(watch=False)
    huge = web.client.get("/api/v1/jobs/1916259918447862087680")
    assert huge.status_code == 422
    assert huge.json()["field"] == "job_id"
    from ghosttrack.web import cursor

    page = web.client.get("/api/v1/jobs", params={"cursor": cursor.encode(2**70)})
    assert page.status_code == 400
    assert page.json()["field"] == "cursor"


def test_analytics_answer_through_the_api_labelled_as_ghosttracks(make_web: MakeWeb) -> None:
    from ghosttrack.analytics.service import Analytics

    web = make_web()
    for _ in range(2):
        job = web.client.post("/api/v1/runs", json={"kind": "tracking"}).json()["job"]
        assert web.wait_for_job(job["id"])["status"] == "succeeded"
        web.clock.advance(timedelta(days=1, hours=1))
    not_yet = web.client.get("/api/v1/top-movers")
    assert not_yet.status_code == 409
    assert "trends refresh" in not_yet.json()["error"]

    rt = web.runtime
    Analytics(rt.vault, rt.db.watchlist, rt.clock, rt.settings).refresh_trends()
    first = web.client.get("/api/v1/top-movers", params={"limit": 5}).json()
    assert first["computed_by"] == "ghosttrack"
    velocities = [v["velocity"] for v in first["videos"]]
    assert len(velocities) == 5
    assert velocities == sorted(velocities, reverse=True)
    second = web.client.get(first["next"]).json()
    assert {v["video_id"] for v in second["videos"]}.isdisjoint(
        v["video_id"] for v in first["videos"]
    )
    assert second["videos"][0]["velocity"] <= velocities[-1]

    video = web.client.get(f"/api/v1/videos/{first['videos'][0]['video_id']}").json()
    derived = video["analytics"]["derived"]
    assert derived["computed_by"] == "ghosttrack"
    assert derived["velocity"]["views_per_hour"] == pytest.approx(velocities[0])
    assert video["analytics"]["sampled"]["samples"] == 2

    found = web.client.get("/api/v1/breakouts")
    assert found.status_code == 200
    assert isinstance(found.json()["breakouts"], list)
    bad = web.client.get(
        "/api/v1/breakouts",
        params={"since": "2026-06-03T00:00:00Z", "until": "2026-06-02T00:00:00Z"},
    )
    assert bad.status_code == 400
    assert bad.json()["field"] == "until"
