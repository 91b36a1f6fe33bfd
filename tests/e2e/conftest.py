"""Fixtures and helpers for the browser tests: Chromium, pages at two widths, axe, screenshots.

Playwright's sync API keeps an asyncio event loop running in the test thread, so Django would
refuse ORM calls made from the test itself. Nothing else uses the test thread's connection while
a test waits on the browser, so we tell Django that this is safe.
"""

import io
import os
import re

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    ViewportSize,
    expect,
    sync_playwright,
)
from pytest_django.live_server_helper import LiveServer

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
ARTIFACT_SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
DOCS_SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
# The few kept in the repository for the README; the rest stay in test-artifacts.
DOCS_SCREENSHOT_NAMES = {
    "home-1280",
    "profile-360",
    "therapist-today-alerts-1280",
    "practice-day-1280",
    "checkin-returning-360",
}

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Desktop and a small phone: the widths every page is checked at.
VIEWPORTS: dict[int, ViewportSize] = {
    1280: {"width": 1280, "height": 900},
    360: {"width": 360, "height": 780},
}

DEMO_PASSWORD = "alliance-demo"
FRONT_DESK_EMAIL = "frontdesk@sabal.test"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder `e2e`, and run them after the rest.

    The session's browser keeps an event loop running in the worker's main thread from its first
    use to the end of the session; a later test in the same worker that calls asyncio.run() or
    async_to_sync() would trip over it. Running the browser tests last keeps them out of the way.
    (tryfirst: the mark is there before `-m` selection reads it.)
    """
    ours = [item for item in items if item.path.is_relative_to(HERE)]
    for item in ours:
        item.add_marker(pytest.mark.e2e)
    if ours:
        others = [item for item in items if not item.path.is_relative_to(HERE)]
        items[:] = others + ours


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def site(live_server: LiveServer, transactional_db: None, request: pytest.FixtureRequest) -> str:
    """The live server's address, with the demo practice loaded into the (fresh) database.

    The twelve months of check-in history take seconds to load; only tests marked
    `with_history` get them.
    """
    history = request.node.get_closest_marker("with_history") is not None
    call_command("load_demo", without_history=not history, stdout=io.StringIO())
    return str(live_server.url)


class PageFactory(Protocol):
    def __call__(self, width: int = 1280, *, java_script_enabled: bool = True) -> Page: ...


@pytest.fixture
def new_page(browser: Browser, site: str) -> Iterator[PageFactory]:
    """`new_page(width)`: a page in its own browser context (fresh cookies) at 1280 or 360 px.

    Relative addresses (`page.goto("/therapists/")`) go to the live server.
    `java_script_enabled=False`: a browser with scripts turned off.
    """
    contexts: list[BrowserContext] = []

    def make(width: int = 1280, *, java_script_enabled: bool = True) -> Page:
        context = browser.new_context(
            base_url=site, viewport=VIEWPORTS[width], java_script_enabled=java_script_enabled
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def axe_violations(page: Page) -> list[str]:
    """Run axe-core on the page as it is now; one readable line per violated rule."""
    results: Any = Axe().run(page)
    if results.violations_count == 0:
        return []
    lines = []
    for violation in results.response["violations"]:
        nodes = violation["nodes"]
        targets = [" ".join(map(str, node["target"])) for node in nodes[:3]]
        more = f" (+{len(nodes) - 3} more)" if len(nodes) > 3 else ""
        lines.append(
            f"{page.url}: {violation['id']} [{violation['impact']}] {violation['help']}"
            f" -> {', '.join(targets)}{more}"
        )
    return lines


def assert_accessible(page: Page) -> None:
    """Fail with the list of axe violations on the page, if there are any."""
    violations = axe_violations(page)
    assert not violations, f"{len(violations)} axe violation(s):\n" + "\n".join(violations)


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG to test-artifacts/screenshots/<name>.png.

    With UPDATE_DOCS_SCREENSHOTS=1 the README's few are also copied to docs/screenshots/.
    """
    ARTIFACT_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACT_SCREENSHOTS / f"{name}.png"
    png = page.screenshot(path=path, full_page=True)
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1" and name in DOCS_SCREENSHOT_NAMES:
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (DOCS_SCREENSHOTS / f"{name}.png").write_bytes(png)
    return path


def sign_in(page: Page, email: str = FRONT_DESK_EMAIL, password: str = DEMO_PASSWORD) -> None:
    """Sign in as a demo staff member and wait for the staff home page."""
    page.goto("/staff/sign-in/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


def above(page: Page, first: str, second: str) -> bool:
    """Does the element `first` come before `second`, both in the page and on the screen?"""
    first_box = page.locator(first).first.bounding_box()
    second_box = page.locator(second).first.bounding_box()
    assert first_box is not None
    assert second_box is not None
    in_order = page.evaluate(
        "([a, b]) => Boolean(document.querySelector(a).compareDocumentPosition("
        "document.querySelector(b)) & Node.DOCUMENT_POSITION_FOLLOWING)",
        [first, second],
    )
    return bool(in_order) and first_box["y"] + first_box["height"] <= second_box["y"]
