import os
from pathlib import Path

import pytest
from django.db import connections

from tests.widgets.fixtures import isolated_widget_cache  # noqa: F401

EXAMPLE_PROJECT = Path(__file__).resolve().parents[2] / "example_project"
OUTPUT_DIR = Path(__file__).resolve().parents[2] / "test-output"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
needs_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing: apt-get install chromium"
)


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started once the test database exists.

    Started earlier, it sees SQLite's in-memory settings and shares one connection among
    all its request threads, which crashes the interpreter when they overlap.
    """
    return live_server


@pytest.fixture
def example_pages(settings, stream_names):
    """The example dashboard on the test settings, refreshing every second."""
    settings.ROOT_URLCONF = "tests.browser.urls"
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [str(EXAMPLE_PROJECT / "example" / "templates")]}
    ]
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "LIVE_REFRESH_SECONDS": 1}
    return stream_names


@pytest.fixture(scope="module")
def chromium():
    """Debian's headless Chromium through Playwright, shared by the tests of a module."""
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the tests
    # are still plain synchronous code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def open_page(chromium, live_server, client):
    """``open_page(user, **context_options)``: a page of a new context, logged in as ``user``.

    Console messages are collected on ``page.console_messages``.
    """
    contexts = []

    def open_page(user, **options):
        client.force_login(user)
        context = chromium.new_context(**{"viewport": {"width": 1200, "height": 900}, **options})
        contexts.append(context)
        session = client.cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        page.console_messages = []
        page.on("console", lambda message: page.console_messages.append(message.text))
        return page

    yield open_page
    for context in contexts:
        context.close()
    # The ORM calls made while Playwright runs get their own connections; close them so
    # the test database can be dropped.
    connections.close_all()
