"""Audit findings in headless Chromium on the demo data: from the overview's "Open major audit
findings" tile to /audits with the same number, then a click on a clause bar narrows the list
(in the URL, the list's title and the grid's rows)."""

from __future__ import annotations

import csv
import io
import urllib.request

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.test_overview import console_errors

pytestmark = pytest.mark.browser

# Of the clause chart: the index, key and total of the first clause with observations (its
# first trace), so the bar to click has width.
CLAUSE_BAR_JS = """
const g = document.querySelector('#audits-clauses .js-plotly-plot');
if (!g || !g.data || !g.data.length) return null;
const i = g.data[0].x.findIndex((x) => x > 0);
return [i, g.data[0].customdata[i], g.data.reduce((sum, t) => sum + t.x[i], 0)];
"""


def waiting(browser) -> WebDriverWait:
    """A wait that reads again what Dash re-rendered meanwhile."""
    return WebDriverWait(browser, 30, ignored_exceptions=(StaleElementReferenceException,))


def grid_column(browser, column: str) -> list[str]:
    return [c.text for c in browser.find_elements(By.CSS_SELECTOR, f"#audits-records .ag-row [col-id='{column}']")]


def test_from_the_tile_to_its_findings_and_down_to_a_clause(browser, demo_server: str) -> None:
    wait = waiting(browser)
    browser.get(demo_server + "/?period=12m")
    number = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#kpi-card-open_major_findings .kpi-value").text)
    assert number.isdigit() and int(number) > 0
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#kpi-card-open_major_findings a[href^='/audits']")).click()
    wait.until(lambda d: "/audits" in d.current_url and "period=12m" in d.current_url)
    shown = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#audits-headline-open-majors .audits-value").text)
    assert shown == number

    # The number opens its list: the open majors, as many as the tile says.
    browser.find_element(By.CSS_SELECTOR, "#audits-headline-open-majors .audits-value a").click()
    wait.until(lambda d: "severity=major" in d.current_url)
    wait.until(lambda d: d.find_element(By.ID, "audits-records-title").text.endswith(f": {number} findings"))
    wait.until(lambda d: len(grid_column(d, "finding_severity")) == int(number))
    assert set(grid_column(browser, "finding_severity")) == {"major"} and set(grid_column(browser, "status")) == {"open"}

    # A clause bar lists the findings raised in the period under that clause.
    index, clause, total = wait.until(lambda d: d.execute_script(CLAUSE_BAR_JS))
    bar = browser.find_elements(By.CSS_SELECTOR, "#audits-clauses .trace.bars")[0].find_elements(By.CSS_SELECTOR, ".point")[index]
    ActionChains(browser).move_to_element(bar).click().perform()
    wait.until(lambda d: f"clause={clause}" in d.current_url and "status=raised" in d.current_url)
    assert "severity=" not in browser.current_url
    title = wait.until(lambda d: d.find_element(By.ID, "audits-records-title").text)
    assert title == f"Raised in the period · clause {clause}: {total} finding{'' if total == 1 else 's'}"
    wait.until(lambda d: len(grid_column(d, "iso_clause")) == total)
    assert set(grid_column(browser, "iso_clause")) == {clause}
    wait.until(lambda d: clause in d.find_element(By.ID, "audits-clause").text)  # the dropdown shows the clause

    # The export holds exactly the listed findings.
    href = browser.find_element(By.ID, "audits-export-csv").get_attribute("href")
    with urllib.request.urlopen(href, timeout=30) as response:
        rows = list(csv.reader(io.StringIO(response.read().decode("utf-8-sig"))))
    assert len(rows) - 1 == total and {row[4] for row in rows[1:]} == {clause}
    assert console_errors(browser) == []


def test_an_unknown_severity_shows_a_message_and_every_severity(browser, demo_server: str) -> None:
    browser.get(demo_server + "/audits?period=90d&severity=fatal")
    wait = waiting(browser)
    wait.until(lambda d: "Unknown severity 'fatal'; use one of" in d.find_element(By.ID, "audits-messages").text)
    wait.until(lambda d: grid_column(d, "finding_severity"))
    assert len(set(grid_column(browser, "finding_severity"))) > 1
    assert console_errors(browser) == []
