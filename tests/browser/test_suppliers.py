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


# Header names cut off, or one word broken over two lines.
CLIPPED_HEADERS_JS = """
return Array.from(document.querySelectorAll('#suppliers-grid .ag-header-cell-text')).filter((e) => {
    const lineHeight = parseFloat(getComputedStyle(e).lineHeight) || 20;
    const oneWord = !e.textContent.trim().includes(' ');
    return e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1
        || (oneWord && e.getBoundingClientRect().height > 1.5 * lineHeight);
}).map((e) => e.textContent);
"""

# The sparkline's newest week is inside its cell (a year of weeks is wider than the column).
NEWEST_WEEK_SHOWN_JS = """
const cell = document.querySelector('#suppliers-grid .ag-row [col-id="trend"]');
const text = document.createRange();
text.selectNodeContents(cell);
return cell.textContent.length > 20 && text.getBoundingClientRect().right <= cell.getBoundingClientRect().right;
"""


def test_scorecard_ranks_fairly_and_opens_the_degrading_supplier(browser, demo_server: str) -> None:
    wait = WebDriverWait(browser, 30)
    browser.get(demo_server + "/suppliers?period=90d")
    wait.until(lambda d: "Too little data to judge: S060." in d.find_element(By.ID, "suppliers-summary").text)
    assert "with enough data: S017" in browser.find_element(By.ID, "suppliers-summary").text
    wait.until(lambda d: grid_rows(d))
    assert browser.execute_script(CLIPPED_HEADERS_JS) == []  # every column's name reads in full
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
    assert browser.execute_script(NEWEST_WEEK_SHOWN_JS)
    browser.find_element(By.CSS_SELECTOR, "#suppliers-grid .ag-row [col-id='supplier']").click()
    wait.until(lambda d: "/suppliers/S017" in d.current_url and "period=12m" in d.current_url)
    wait.until(lambda d: d.find_elements(By.ID, "supplier-signals"))
    assert browser.find_element(By.ID, "supplier-signals").text.startswith("First: Western Electric")
    assert "Grade" in browser.find_element(By.ID, "supplier-grade").text
    audit_dates = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#supplier-audits .ag-row [col-id='date']")]
    assert audit_dates and audit_dates == sorted(audit_dates, reverse=True)  # the latest audit on top
    href = browser.find_element(By.ID, "supplier-pdf").get_attribute("href")
    with urllib.request.urlopen(href, timeout=30) as response:
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.read().startswith(b"%PDF")
    assert console_errors(browser) == []
