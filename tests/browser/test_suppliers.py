"""Supplier scorecards in headless Chromium on the demo data (story 2: S017 degrades from
end - 183 days; S060 has two lots of 50 units, one of them bad)."""

from __future__ import annotations

import time
import urllib.request

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.test_overview import console_errors

pytestmark = pytest.mark.browser


def grid_rows(browser) -> dict[str, dict[str, str]]:
    # Read in the page: the grid draws its rows anew as the search narrows it, so held elements go stale.
    rows = browser.execute_script(
        "return [...document.querySelectorAll('#suppliers-grid .ag-center-cols-container .ag-row')].map(r =>"
        " Object.fromEntries([...r.querySelectorAll('[col-id]')].map(c => [c.getAttribute('col-id'), c.innerText.trim()])));"
    )
    return {cells["supplier"].split(" · ")[0]: cells for cells in rows if cells.get("supplier")}


def in_page(browser, element_id: str, prop: str = "innerText") -> object:
    """A property of the element with ``element_id``, read in the page (None when there is none):
    a page drawn anew replaces its elements, so held ones go stale."""
    script = "const e = document.getElementById(arguments[0]); return e ? e[arguments[1]] : null;"
    return browser.execute_script(script, element_id, prop)


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


def test_the_search_box_keeps_the_caret_while_the_search_applies(browser, demo_server: str) -> None:
    """One key at a time with pauses longer than the search's debounce, and an Enter on the way,
    as someone types: each pause applies the search, and the next keys still land in the box
    (they used to go nowhere: the page was drawn anew for the URL's new search)."""
    wait = WebDriverWait(browser, 30)
    browser.get(demo_server + "/suppliers?period=90d")
    wait.until(lambda d: len(grid_rows(d)) > 1)
    box = browser.find_element(By.ID, "suppliers-search")
    box.click()
    for key in ("S", "0", "1", Keys.ENTER, "7"):
        ActionChains(browser).send_keys(key).perform()  # to whatever has the focus, as a keyboard does
        time.sleep(1.2)
    active = browser.switch_to.active_element
    assert active.get_attribute("id") == "suppliers-search"
    assert active.get_attribute("value") == "S017"
    wait.until(lambda d: list(grid_rows(d)) == ["S017"])
    wait.until(lambda d: "q=S017" in d.current_url)
    assert browser.switch_to.active_element.get_attribute("id") == "suppliers-search"

    browser.get(browser.current_url)  # a pasted URL restores the search
    wait.until(lambda d: list(grid_rows(d)) == ["S017"])
    assert browser.find_element(By.ID, "suppliers-search").get_attribute("value") == "S017"

    browser.find_element(By.ID, "suppliers-search").click()
    for key in (Keys.BACKSPACE, Keys.BACKSPACE):
        ActionChains(browser).send_keys(key).perform()
        time.sleep(1.2)
    wait.until(lambda d: "q=S0&" in d.current_url + "&" and len(grid_rows(d)) > 1)
    browser.find_element(By.ID, "filter-plant").click()  # a filter keeps the search the box applied
    wait.until(ec.element_to_be_clickable((By.XPATH, "//*[@role='option'][contains(., 'P01')]"))).click()
    wait.until(lambda d: "plant=P01" in d.current_url)
    assert "q=S0&" in browser.current_url + "&"
    wait.until(lambda d: "plant P01." in (in_page(d, "_pages_content") or ""))  # the page drawn for the plant
    assert in_page(browser, "suppliers-search", "value") == "S0"
    assert console_errors(browser) == []


def test_a_bad_commodity_keeps_its_message_while_the_search_applies(browser, demo_server: str) -> None:
    wait = WebDriverWait(browser, 30)
    browser.get(demo_server + "/suppliers?period=90d&commodity=gold")
    wait.until(lambda d: "Unknown commodity 'gold'" in (in_page(d, "suppliers-messages") or ""))
    wait.until(lambda d: len(grid_rows(d)) > 1)
    browser.find_element(By.ID, "suppliers-search").click()
    for key in "S017":
        ActionChains(browser).send_keys(key).perform()
        time.sleep(1.2)
    wait.until(lambda d: list(grid_rows(d)) == ["S017"] and "q=S017" in d.current_url)
    assert "commodity=gold" in browser.current_url  # the URL stays as written, the message with it
    assert "Unknown commodity 'gold'" in in_page(browser, "suppliers-messages")
    commodity = grid_rows(browser)["S017"]["commodity"]
    browser.find_element(By.ID, "suppliers-commodity").click()  # a commodity chosen goes into the URL
    option = f"//*[@role='option'][normalize-space(.)='{commodity}']"
    wait.until(ec.element_to_be_clickable((By.XPATH, option))).click()
    wait.until(lambda d: f"commodity={commodity}" in d.current_url and "q=S017" in d.current_url)
    wait.until(lambda d: in_page(d, "suppliers-messages") == "")  # the page drawn for the commodity
    wait.until(lambda d: list(grid_rows(d)) == ["S017"])
    assert in_page(browser, "suppliers-search", "value") == "S017"
    assert console_errors(browser) == []
