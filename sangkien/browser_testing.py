"""Pytest fixtures for browser journeys: Playwright's sync API driving Debian's Chromium
against pytest-django's `live_server`. Loaded for every run by `-p sangkien.browser_testing`
(pyproject.toml); a test that uses `page` is marked `browser` automatically, and fails when
the page reported a Content-Security-Policy violation (an inline script left somewhere).

Where Chromium or Playwright is missing the browser tests fail with the reason when `CI` is
set (so a CI run can never pass without them) and are skipped with the reason otherwise.
`scripts/ensure-chromium.sh` installs Debian's chromium where it may.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1280, "height": 800}
ARTIFACTS = Path(__file__).resolve().parent.parent / "var" / "test-artifacts"


def chromium_path() -> str | None:
    """SANGKIEN_CHROMIUM, else Debian's chromium on the PATH."""
    configured = os.environ.get("SANGKIEN_CHROMIUM")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _unavailable(reason: str) -> None:
    reason += " Run scripts/ensure-chromium.sh (apt-get install chromium) to run them."
    if _on_ci():
        pytest.fail(f"Browser tests cannot run on CI: {reason}", pytrace=False)
    pytest.skip(f"Browser tests skipped: {reason}")


def pytest_collection_modifyitems(config: Any, items: list[pytest.Item]) -> None:
    for item in items:
        if {"page", "chromium"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_REPORT] = report
    return report


_REPORT = pytest.StashKey[Any]()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium per test module."""
    executable = chromium_path()
    if executable is None:
        _unavailable("chromium is not installed.")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (make install).")
    # Playwright's sync API keeps an event loop running in this thread; Django refuses
    # database calls from a thread with a running loop unless told it is safe, which it is
    # here: the loop only drives the browser. Only while the browser runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright().start()
    try:
        browser = manager.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def viewport(request: pytest.FixtureRequest) -> dict[str, int]:
    """Every journey runs on a desktop screen and on a 360 px phone."""
    return request.param


@pytest.fixture
def page(
    request: pytest.FixtureRequest, chromium: Any, live_server: Any, viewport: dict[str, int]
) -> Iterator[Any]:
    """A fresh browser tab (own cookies) on the live server, in Vietnamese; relative URLs work.
    On failure a screenshot is left under var/test-artifacts/."""
    phone = viewport["width"] < 600
    context = chromium.new_context(
        base_url=live_server.url,
        viewport=viewport,
        locale="vi-VN",
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=2 if phone else 1,
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    violations = csp_violations(tab)
    try:
        yield tab
    finally:
        report = request.node.stash.get(_REPORT, None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
            tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        context.close()
    if violations:
        # An inline script, handler or style the Content-Security-Policy refused: the page
        # is broken in production.
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations), pytrace=False)


def csp_violations(page: Any) -> list[str]:
    """The Content-Security-Policy violations Chromium reports on `page` from now on (it
    logs each one to the console as an error), collected as they happen."""
    found: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            found.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return found


def submit_login(page: Any, identifier: str, password: str) -> None:
    """Fill and send the login page's form, relying only on its field names."""
    page.goto("/accounts/login/")
    form = page.locator("form").filter(has=page.locator("[name=identifier]"))
    form.locator("[name=identifier]").fill(identifier)
    form.locator("[name=password]").fill(password)
    form.locator("[type=submit]").click()


def log_in(page: Any, identifier: str, password: str) -> None:
    """Log in through the login page and wait until it has let the user in."""
    submit_login(page, identifier, password)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the screen (0 when nothing scrolls sideways)."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def open_menu(page: Any) -> None:
    """On a phone the navigation sits behind the header's menu button: open it (a no-op on
    a desktop, where the menu is always shown)."""
    button = page.locator("[data-menu-button]")
    if button.is_visible() and not page.locator("#menu-open").is_checked():
        button.click()
