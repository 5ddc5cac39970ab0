"""A real headless Chromium searches `vngov serve` without diacritics and sees the highlights.

Needs Debian's chromium and chromium-driver (`.ci/run` installs them); skips without them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.search_fixtures import build_archive, served

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
TITLE = "Đồng Tháp đẩy mạnh chuyển đổi số"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip(
            f"needs {CHROMIUM} and {CHROMEDRIVER}: apt-get install chromium chromium-driver"
        )
    profile = tmp_path_factory.mktemp("chromium-profile")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    # An explicit driver path: Selenium Manager would otherwise try to download one.
    service = webdriver.ChromeService(executable_path=str(CHROMEDRIVER))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    db = build_archive(tmp_path_factory.mktemp("browser") / "browser.db")
    with served(db) as base:
        yield base


def _wait_for(browser, css):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    return WebDriverWait(browser, 20).until(
        expected_conditions.presence_of_all_elements_located((By.CSS_SELECTOR, css))
    )


def test_search_page_without_diacritics_finds_and_highlights(browser, site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(f"{site}/archive/search")
    box = browser.find_element(By.NAME, "q")
    box.send_keys("dong thap", Keys.ENTER)
    cells = _wait_for(browser, "td.col-title")
    titles = [cell.text for cell in cells]
    assert TITLE in titles
    cell = cells[titles.index(TITLE)]
    marks = cell.find_elements(By.TAG_NAME, "mark")
    assert [mark.text for mark in marks] == ["Đồng", "Tháp"]
    # a real highlight: the browser paints <mark> with a background
    assert marks[0].value_of_css_property("background-color") not in ("rgba(0, 0, 0, 0)", "")
    assert "dong thap" in browser.current_url.replace("+", " ")


def test_table_search_box_without_diacritics(browser, site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.wait import WebDriverWait

    browser.get(f"{site}/archive/articles")
    box = browser.find_element(By.ID, "_search")
    box.send_keys("dong thap chuyen doi so", Keys.ENTER)
    # the unfiltered table has the same cells: wait for the search's page, not the old one
    WebDriverWait(browser, 20).until(lambda b: "_search=" in b.current_url)
    cells = _wait_for(browser, "td.col-title")
    assert [cell.text for cell in cells] == [TITLE]
