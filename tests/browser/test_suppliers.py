"""Supplier scorecards in headless Chromium on the demo data (story 2: S017 degrades from
end - 183 days; S060 has two lots of 50 units, one of them bad)."""

from __future__ import annotations

import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.test_overview import console_errors

pytestmark = pytest.mark.browser


def grid_rows(browser) -> dict[str, dict[str, str]]:
    rows = {}
    for row in browser.find_elements(By.CSS_SELECTOR, "#suppliers-grid .ag-center-cols-container .ag-row"):
        cells = {c.get_attribute("col-id"): c.text for c in row.find_elements(By.CSS_SELECTOR, "[col-id]")}
        if cells.get("supplier"):
            rows[cells["supplier"].split(" · ")[0]] = cells
    return rows


def test_scorecard_ranks_fairly_and_opens_the_degrading_supplier(browser, demo_server: str) -> None:
    wait = WebDriverWait(browser, 30)
    browser.get(demo_server + "/suppliers?period=90d")
    wait.until(lambda d: "Too little data to judge: S060." in d.find_element(By.ID, "suppliers-summary").text)
    assert "with enough data: S017" in browser.find_element(By.ID, "suppliers-summary").text
    browser.get(demo_server + "/suppliers?period=90d&q=S017")
    wait.until(lambda d: "S017" in grid_rows(d))
    s017 = grid_rows(browser)["S017"]
    assert s017["grade"] == "C (B → C)"
    browser.get(demo_server + "/suppliers?period=90d&q=S060")
    wait.until(lambda d: "S060" in grid_rows(d))
    s060 = grid_rows(browser)["S060"]
    assert s060["rank"] != "60" and "too little data" in s060["ppm"]

    browser.get(demo_server + "/suppliers?period=12m&q=S017")
    wait.until(lambda d: "S017" in grid_rows(d))
    browser.find_element(By.CSS_SELECTOR, "#suppliers-grid .ag-row [col-id='supplier']").click()
    wait.until(lambda d: "/suppliers/S017" in d.current_url and "period=12m" in d.current_url)
    wait.until(lambda d: d.find_elements(By.ID, "supplier-signals"))
    assert browser.find_element(By.ID, "supplier-signals").text.startswith("First: Western Electric")
    assert "Grade" in browser.find_element(By.ID, "supplier-grade").text
    href = browser.find_element(By.ID, "supplier-pdf").get_attribute("href")
    with urllib.request.urlopen(href, timeout=30) as response:
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.read().startswith(b"%PDF")
    assert console_errors(browser) == []
