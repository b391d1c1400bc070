"""The web page at /nassav/, end to end: a real headless Chromium (Debian's) driven by Playwright,
against the real server on a real port, its sources on the fake web and its downloads real. A failing
test leaves a screenshot of the page in ``$NASSAV_TEST_ARTIFACTS`` (default: the test's temp dir)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from nassav.app import create_app
from tests.fakeweb.catalogue import MISSING_AVID
from tests.helpers import make_resource

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
STEP_TIMEOUT_MS = 20_000
KEY = "ui-k3y-of-the-nas-owner"

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(autouse=True)
def chromium() -> None:
    if not os.path.exists(CHROMIUM):
        reason = "Debian's chromium is not installed (apt-get install chromium; .ci/run does it)"
        if os.environ.get("CI"):
            pytest.fail(reason)  # CI must not pass by skipping what it cannot run
        pytest.skip(reason)


@asynccontextmanager
async def page_at(url: str, artifacts: Path, name: str) -> AsyncIterator[Any]:
    """A fresh browser page on ``url``; a screenshot of it if the test fails inside."""
    from playwright.async_api import async_playwright

    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(STEP_TIMEOUT_MS)
            await page.goto(url)
            try:
                yield page
            except BaseException:
                # Playwright makes the folder.
                await page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
                raise
        finally:
            await browser.close()


async def snap(page: Any, name: str) -> None:
    """With ``$NASSAV_SCREENSHOTS`` set (a folder), the journey leaves a picture of each page there:
    how the README's pictures are made."""
    folder = os.environ.get("NASSAV_SCREENSHOTS")
    if folder:
        await page.screenshot(path=str(Path(folder) / f"{name}.png"))


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    return Path(os.environ.get("NASSAV_TEST_ARTIFACTS", tmp_path / "screenshots"))


async def test_add_browse_download_cancel_and_delete(web_api: Any, fakeweb: Any, artifacts: Path) -> None:
    from playwright.async_api import expect

    async with page_at(str(web_api.make_url("/nassav/")), artifacts, "journey") as page:
        await expect(page.get_by_test_id("nav-library")).to_have_text("片库")  # Chinese by default
        await expect(page.get_by_test_id("api-key")).to_be_hidden()  # this server has no key
        # Add two AVIDs the sites have and one they do not.
        await page.get_by_test_id("nav-add").click()
        await page.get_by_test_id("add-avids").fill(f"SSIS-469, pred-388\n{MISSING_AVID}")
        await page.get_by_test_id("add-source").select_option("any")
        await page.get_by_test_id("add-submit").click()
        results = page.get_by_test_id("add-result")
        await expect(results).to_have_count(3)
        await expect(page.locator('[data-testid=add-result][data-avid="SSIS-469"]')).to_have_attribute(
            "data-outcome", "created"
        )
        await expect(page.locator('[data-testid=add-result][data-avid="PRED-388"]')).to_have_attribute(
            "data-outcome", "created"
        )
        missing = page.locator(f'[data-testid=add-result][data-avid="{MISSING_AVID}"]')
        await expect(missing).to_have_attribute("data-outcome", "not-found")
        await snap(page, "add")

        # Both are in the library, with their covers; a search narrows it down.
        await page.get_by_test_id("nav-library").click()
        await expect(page.get_by_test_id("library-item")).to_have_count(2)
        cover = page.locator('[data-testid=library-item][data-avid="SSIS-469"] img')
        await expect(cover).to_have_js_property("complete", True)
        assert await cover.evaluate("img => img.naturalWidth") > 0
        await snap(page, "library")
        search = page.get_by_test_id("search")
        await search.press_sequentially("PR")
        await page.wait_for_timeout(600)  # a pause longer than the page waits before it asks
        await search.press_sequentially("ED")
        await expect(page.get_by_test_id("library-item")).to_have_count(1)
        await expect(search).to_have_value("PRED")  # the box kept every key and its focus
        await expect(search).to_be_focused()
        await page.get_by_test_id("search").fill("")
        await expect(page.get_by_test_id("library-item")).to_have_count(2)

        # Open one and download it: the bar goes to the end.
        fakeweb["cdn"].segment_delay_s = 0.05
        await page.locator('[data-testid=library-item][data-avid="SSIS-469"]').click()
        await expect(page.get_by_test_id("detail")).to_have_attribute("data-avid", "SSIS-469")
        await snap(page, "detail")
        await page.get_by_test_id("detail").get_by_test_id("download").click()
        task = page.locator('[data-testid=task][data-avid="SSIS-469"]')
        await expect(task).to_have_attribute("data-status", "completed", timeout=60_000)
        await expect(task.get_by_test_id("progress")).to_have_attribute("aria-valuenow", "100")

        # Another one, cancelled on the way; it stays listed, and can be tried again.
        fakeweb["cdn"].segment_delay_s = 0.5
        await page.goto(str(web_api.make_url("/nassav/#/detail/PRED-388")))
        await page.get_by_test_id("download").click()
        other = page.locator('[data-testid=task][data-avid="PRED-388"]')
        await expect(other).to_have_attribute("data-status", "running")
        await other.get_by_test_id("cancel").click()
        await expect(other).to_have_attribute("data-status", "cancelled")
        await expect(other.get_by_test_id("retry")).to_be_visible()
        await expect(task).to_have_attribute("data-status", "completed")  # the history stays
        await snap(page, "queue")

        # The downloaded one plays in its page; deleting it asks first.
        await page.get_by_test_id("nav-library").click()
        await page.locator('[data-testid=library-item][data-avid="SSIS-469"]').click()
        await expect(page.locator("[data-testid=detail] video")).to_have_count(1)
        await page.get_by_test_id("delete-resource").click()
        await page.get_by_test_id("confirm").click()
        await expect(page.get_by_test_id("library-item")).to_have_count(1)
        await expect(page.get_by_test_id("library-item")).to_have_attribute("data-avid", "PRED-388")


async def test_page_files_need_no_key_and_the_page_asks_for_it(
    serve_app: Any, make_settings: Any, fakeweb: Any, artifacts: Path
) -> None:
    from playwright.async_api import expect

    client = await serve_app(create_app(make_settings(**fakeweb.config(), server={"api_key": KEY})))
    answer = await client.get("/nassav/")
    assert answer.status == 200
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
    assert (await client.get("/nassav/api/source/list")).status == 401
    async with page_at(str(client.make_url("/nassav/")), artifacts, "api-key") as page:
        await expect(page.get_by_test_id("api-key")).to_be_visible()
        await page.get_by_test_id("api-key").fill(KEY)
        await page.get_by_test_id("api-key-save").click()
        await page.locator("#language").select_option("en")  # English, chosen once, kept
        await page.reload()
        await expect(page.get_by_test_id("nav-sources")).to_have_text("Sources")
        await expect(page.get_by_test_id("api-key")).to_be_hidden()  # the key was kept too
        await page.get_by_test_id("nav-sources").click()
        await expect(page.get_by_test_id("source-row")).to_have_count(len(await client_sources(client)))
        row = page.locator('[data-testid=source-row][data-source="Jable"]')
        await expect(row).to_have_attribute("data-cookie-set", "false")
        await row.get_by_test_id("cookie-value").fill("cf_clearance=abc")
        await row.get_by_test_id("cookie-save").click()
        await expect(row).to_have_attribute("data-cookie-set", "true")
        await snap(page, "sources")
        assert "cf_clearance=abc" not in await page.content()  # the page never shows a cookie
        await row.get_by_test_id("cookie-clear").click()
        await expect(row).to_have_attribute("data-cookie-set", "false")


async def client_sources(client: Any) -> list[str]:
    answer = await client.get("/nassav/api/source/list", headers={"X-Api-Key": KEY})
    return list((await answer.json())["data"])


HOSTILE = '<img src=x onerror="document.body.dataset.owned=1">'


async def test_what_a_site_sent_is_shown_as_text(api: Any, library_root: Path, artifacts: Path) -> None:
    from playwright.async_api import expect

    make_resource(library_root, "SSIS-469", title=f"标题 {HOSTILE}", actors=[HOSTILE], genres=["<b>粗体</b>"])
    async with page_at(str(api.make_url("/nassav/")), artifacts, "hostile") as page:
        item = page.locator('[data-testid=library-item][data-avid="SSIS-469"]')
        await expect(item).to_contain_text(HOSTILE)
        await item.click()
        await expect(page.get_by_test_id("detail")).to_contain_text(HOSTILE)
        await expect(page.get_by_test_id("detail")).to_contain_text("<b>粗体</b>")
        assert await page.locator("img[src=x]").count() == 0
        assert await page.evaluate("document.body.dataset.owned") is None
        await page.set_viewport_size({"width": 390, "height": 844})  # a phone: every link whole, on screen
        for name in ("nav-library", "nav-add", "nav-queue", "nav-sources"):
            box = await page.get_by_test_id(name).bounding_box()
            assert box is not None
            assert box["height"] < 40, name  # one line, not a word broken letter by letter
            assert box["x"] + box["width"] <= 390, name


async def test_page_files_are_only_the_shipped_ones(api: Any) -> None:
    for name in ("../app.py", "..%2F..%2Fapp.py", "a" * 300 + ".js", "nope.js"):
        answer = await api.get(f"/nassav/ui/{name}")
        assert answer.status == 404, name
    script = await api.get("/nassav/ui/app.js")
    assert script.status == 200
    assert script.headers["Content-Type"].startswith("text/javascript")
