"""The dashboard as a person sees it, in headless Chromium: pages over a real app on loopback,
with data from simulated tracking runs."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from ghosttrack.analytics.service import Analytics
from tests.browser.conftest import Recorder, screenshot
from tests.fixtures.web import TOKEN, LiveWeb, MakeWeb


def track(web: LiveWeb) -> None:
    """One tracking run through the API, to its end."""
    job = web.client.post("/api/v1/runs", json={"kind": "tracking"}).json()["job"]
    assert web.wait_for_job(job["id"])["status"] == "succeeded"


def only_loopback(recorder: Recorder) -> None:
    assert recorder.urls, "the page made no request at all?"
    hosts = {urlsplit(url).hostname for url in recorder.urls if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, f"requests left loopback: {sorted(recorder.urls)}"


def test_overview_run_button_video_and_compare_pages(
    make_web: MakeWeb, page: tuple[Page, Recorder]
) -> None:
    web = make_web()
    browser, recorder = page
    track(web)

    browser.goto(web.url + "/")
    expect(browser.locator("#tracked-today")).to_have_text(str(len(web.video_ids)))
    expect(browser.locator("#jobs tbody tr").first).to_contain_text("succeeded")
    expect(browser.locator(".gauge").first).to_contain_text("key-")
    screenshot(browser, "overview")

    # The Run button: the first click asks for the token, then the run is followed to its end.
    browser.click("#run-button")
    browser.wait_for_url("**/login?next=/")
    screenshot(browser, "login")
    web.clock.advance(timedelta(days=1, hours=1))  # every video due again
    browser.fill("#token", TOKEN)
    browser.click("button[type=submit]")
    browser.wait_for_url(web.url + "/")
    browser.click("#run-button")
    expect(browser.locator("#run-status")).to_contain_text("succeeded", timeout=30_000)
    expect(browser.locator("#run-progress")).to_have_class("progress done")
    screenshot(browser, "run-finished")
    # The page then reloads with the run's figures: the day's tracking is the button's run.
    expect(browser.locator("#tracked-today")).to_have_text(str(len(web.video_ids)))
    expect(browser.locator("#jobs tbody tr").first).to_contain_text("succeeded")
    screenshot(browser, "overview-after-run")
    jobs = web.client.get("/api/v1/jobs?kind=track").json()["items"]
    assert len(jobs) == 2
    assert jobs[0]["status"] == "succeeded"

    rt = web.runtime
    Analytics(rt.vault, rt.db.watchlist, rt.clock, rt.settings).refresh_trends()
    browser.goto(web.url + "/")
    expect(browser.locator("#movers tbody tr")).to_have_count(10)
    screenshot(browser, "overview-with-trends")

    video = web.video_ids[0]
    browser.goto(f"{web.url}/videos/{video}")
    expect(browser.locator("#derived")).to_contain_text("ghosttrack's figures")
    expect(browser.locator("#milestones tbody tr").first).to_be_visible()
    chart = browser.locator("#chart")
    expect(chart).to_have_attribute("data-drawn", "2")
    expect(chart.locator("canvas")).to_have_count(1)
    expect(browser.locator("#chart-note")).to_contain_text("2 samples")
    browser.check("#log-scale")
    screenshot(browser, "video")

    ids = " ".join(web.video_ids[:3])
    browser.goto(f"{web.url}/compare?v={ids}")
    expect(browser.locator("#compare-chart canvas")).to_have_count(1)
    screenshot(browser, "compare")

    entry = web.client.get(f"/api/v1/videos/{video}").json()["watchlist"]
    added = web.client.post("/api/v1/channels", json={"channels": [entry["channel_id"]]})
    assert added.status_code == 201, added.text
    browser.goto(f"{web.url}/channels/{entry['channel_id']}")
    expect(browser.locator("#channel-chart")).to_have_attribute("data-drawn", "1")
    expect(browser.locator("#channel-top")).to_contain_text(video)  # ghosttrack's figures
    expect(browser.get_by_role("link", name=video)).to_have_count(2)  # and the watchlist
    screenshot(browser, "channel")

    browser.goto(web.url + "/api/docs")
    expect(browser.locator(".swagger-ui .title").first).to_contain_text("ghosttrack")
    screenshot(browser, "api-docs")
    only_loopback(recorder)
