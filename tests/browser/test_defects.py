"""The quality drill path in headless Chromium, on the demo data's planted step change
(story 1: D08 on line P02-L03 jumps 2.5x at end - 120 days).

From the overview's DPMO tile to the defects page, down plant → line → defect code by clicking
bars, the step flagged on the u chart, the records in the grid, their CSV export, and the URL
that reopens exactly that level.
"""

from __future__ import annotations

import csv
import io
import urllib.request

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.test_overview import console_errors

pytestmark = pytest.mark.browser


def settled(browser) -> bool:
    return browser.execute_script(
        "return !document.querySelector('[data-dash-is-loading=\"true\"]') && "
        "[...document.querySelectorAll('#defects-content .dash-graph')].every("
        "g => g.style.display === 'none' || g.querySelector('.main-svg'))"
    )


def click_bar(browser, graph: str, key: str) -> None:
    """Click the bar of ``key`` (its customdata) in the Plotly bar chart ``graph``."""
    wait = WebDriverWait(browser, 30)
    script = f"var g = document.querySelector('#{graph} .js-plotly-plot'); return g && g.data ? g.data[0].customdata : null"
    keys = wait.until(lambda d: d.execute_script(script))
    index = [k[0] if isinstance(k, list) else k for k in keys].index(key)
    bar = browser.find_elements(By.CSS_SELECTOR, f"#{graph} .trace.bars .point")[index]
    ActionChains(browser).move_to_element(bar).click().perform()


def crumbs(browser) -> str:
    # Read in the page: the breadcrumb is re-rendered on every drill step, so a held element goes stale.
    return browser.execute_script("const c = document.getElementById('defects-crumbs'); return c ? c.innerText : ''")


def test_from_the_dpmo_tile_down_to_the_records_of_the_step_change(browser, demo_server: str) -> None:
    wait = WebDriverWait(browser, 30)
    browser.get(demo_server + "/?period=12m")
    link = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#kpi-card-dpmo a[href^='/defects']"))
    link.click()
    wait.until(lambda d: "/defects" in d.current_url and "period=12m" in d.current_url)
    wait.until(lambda d: crumbs(d) == "All plants" and settled(d))

    click_bar(browser, "defects-breakdown", "P02")
    wait.until(lambda d: "plant=P02" in d.current_url and "P02 · Greenville" in crumbs(d) and settled(d))
    click_bar(browser, "defects-breakdown", "P02-L03")
    wait.until(lambda d: "line=P02-L03" in d.current_url and "P02-L03" in crumbs(d) and settled(d))
    click_bar(browser, "defects-pareto", "D08")
    wait.until(lambda d: "code=D08" in d.current_url and "D08 · Bore diameter" in crumbs(d) and settled(d))
    # What is being done about it: story 1's CAPA, overdue, one click from its own page.
    capas = browser.find_element(By.ID, "defects-capas")
    assert capas.text.startswith("CAPAs on line P02-L03 and code D08: CAPA ") and "Overdue Bore diameter" in capas.text
    assert capas.find_element(By.TAG_NAME, "a").get_attribute("href").split("?")[0].rsplit("/", 2)[1] == "capa"

    # The step change is flagged on the weekly (Laney u′) chart from the week of the change on
    # 2026-07-26, and nowhere before it.
    signals = browser.find_element(By.ID, "defects-signals").text
    assert "Western Electric" in signals
    flagged = browser.execute_script(
        "var g = document.querySelector('#defects-control .js-plotly-plot');"
        "return g.data.filter(t => t.name && t.name === 'Flagged by a run rule').flatMap(t => t.x)"
    )
    assert min(flagged) >= "2026-07-20", flagged  # the week of the change starts on Monday 20 July
    assert len(flagged) >= 5
    assert "First: Western Electric 1: 1 point more than 3σ above the centre line on Week of 27 Jul 2026" in signals

    # The records behind the numbers, all D08 on P02-L03, paged from the server.
    title = wait.until(lambda d: d.find_element(By.ID, "defects-records-title").text)
    total = int(title.split(": ")[1].split(" ")[0].replace(",", ""))
    assert total > 100
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#defects-records .ag-row [col-id='defect_code']"))
    codes = {c.text for c in browser.find_elements(By.CSS_SELECTOR, "#defects-records .ag-row [col-id='defect_code']")}
    lines = {c.text for c in browser.find_elements(By.CSS_SELECTOR, "#defects-records .ag-row [col-id='line_id']")}
    assert codes == {"D08"} and lines == {"P02-L03"}

    # The export holds exactly those records.
    href = browser.find_element(By.ID, "defects-export-csv").get_attribute("href")
    with urllib.request.urlopen(href, timeout=30) as response:
        rows = list(csv.reader(io.StringIO(response.read().decode("utf-8-sig"))))
    assert len(rows) - 1 == total
    assert {row[5] for row in rows[1:]} == {"D08"}

    # The URL alone reopens exactly this level.
    shared = browser.current_url
    browser.get("about:blank")
    browser.get(shared)
    wait.until(lambda d: "D08 · Bore diameter" in crumbs(d) and settled(d))
    assert browser.find_element(By.ID, "defects-records-title").text == title
    assert browser.current_url == shared

    # A breadcrumb step goes back up, and the browser's back and forward buttons walk the path too.
    browser.find_element(By.PARTIAL_LINK_TEXT, "P02-L03").click()
    wait.until(lambda d: crumbs(d).endswith("P02-L03 · Greenville Machining 3") and settled(d))
    assert "code=D08" not in browser.current_url and browser.execute_script("return history.length") > 1
    browser.back()
    wait.until(lambda d: "D08 · Bore diameter" in crumbs(d) and settled(d))
    assert browser.find_element(By.ID, "defects-records-title").text == title
    browser.forward()
    wait.until(lambda d: "code=D08" not in d.current_url and "D08" not in crumbs(d) and settled(d))
    assert console_errors(browser) == []


def test_an_unknown_line_in_the_url_shows_a_message_and_the_plant(browser, demo_server: str) -> None:
    browser.get(demo_server + "/defects?period=90d&plant=P02&line=P02-L99")
    wait = WebDriverWait(browser, 30)
    wait.until(lambda d: "Unknown line 'P02-L99'" in d.find_element(By.ID, "defects-messages").text)
    wait.until(lambda d: crumbs(d) == "All plants\nP02 · Greenville" or crumbs(d).endswith("P02 · Greenville"))
    assert console_errors(browser) == []


def test_the_pareto_switches_to_6m_categories_and_cost(browser, demo_server: str) -> None:
    from selenium.webdriver.support import expected_conditions as ec

    browser.get(demo_server + "/defects?period=90d")
    wait = WebDriverWait(browser, 30)
    wait.until(lambda d: "codes" in d.find_element(By.ID, "defects-pareto-text").text and settled(d))
    # Found when it can be clicked: once, under load in a full run, it was not there right after the text.
    wait.until(ec.element_to_be_clickable((By.ID, "defects-pareto-by"))).click()
    wait.until(ec.element_to_be_clickable((By.XPATH, "//*[@role='option'][contains(., '6M category')]"))).click()
    wait.until(lambda d: "pareto=category_6m" in d.current_url)
    wait.until(lambda d: "categories" in d.find_element(By.ID, "defects-pareto-text").text and settled(d))
    wait.until(ec.element_to_be_clickable((By.ID, "defects-pareto-value"))).click()
    wait.until(ec.element_to_be_clickable((By.XPATH, "//*[@role='option'][contains(., 'Cost')]"))).click()
    wait.until(lambda d: "value=cost_eur" in d.current_url)
    wait.until(lambda d: "of the cost of poor quality" in d.find_element(By.ID, "defects-pareto-text").text)
    assert console_errors(browser) == []
