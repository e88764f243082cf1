"""Headless Chromium (Debian's ``chromium``) driven by Playwright.

No browser is downloaded: Playwright is given the system's executable. Without it the tests
fail (never skip) and say how to install it. Every request a page makes is recorded, so a test
can check that nothing leaves loopback. Screenshots go to ``build/screenshots/``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
#: The flags that keep Chromium quiet on a machine with no network but loopback.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        "the browser tests need Chromium: install Debian's package (`apt-get install chromium`); "
        ".ci/run installs it on CI",
        pytrace=False,
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One browser for the browser tests (they live in one module). Module-scoped, not
    session-scoped: Playwright's sync API keeps an event loop running while it is open, and
    the async tests that follow need theirs."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=FLAGS)
        yield launched
        launched.close()


class Recorder:
    """Every URL the page asked for."""

    def __init__(self) -> None:
        self.urls: list[str] = []


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, Recorder]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    recorder = Recorder()
    context.on("request", lambda request: recorder.urls.append(request.url))
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page, recorder
    context.close()


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
