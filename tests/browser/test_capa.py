"""The CAPA page in headless Chromium on the demo data: from the overview's CAPA tile to the page
(the same number), narrowed to a plant by a bar click, the overdue CAPAs listed from their card,
and from the overdue CAPA of story 1 (D08 on P02-L03) to its defects."""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.test_overview import console_errors

pytestmark = pytest.mark.browser

SETTLED_JS = (
    "return !document.querySelector('[data-dash-is-loading=\"true\"]') && "
    "[...document.querySelectorAll('#capa-content .dash-graph')].every(g => g.querySelector('.main-svg'))"
)


def card_values(browser) -> dict[str, str]:
    # Read in the page: the cards and the grid are drawn anew with each page, so held elements go stale.
    return browser.execute_script(
        "return Object.fromEntries([...document.querySelectorAll('#capa-cards .card-body')]"
        ".map(c => [c.querySelector('.text-muted').innerText, c.querySelector('.h4').innerText]));"
    )


def records_title(browser) -> str:
    # Read in the page: the title is drawn anew with each page, so a held element goes stale.
    return browser.execute_script("const t = document.getElementById('capa-records-title'); return t ? t.innerText : ''")


def grid_cells(browser, column: str) -> list[str]:
    return browser.execute_script(
        "return [...document.querySelectorAll(`#capa-records .ag-row [col-id='${arguments[0]}']`)].map(c => c.innerText);",
        column,
    )


def click_open_bar(browser, key: str) -> None:
    """Click the "not yet due" part of ``key``'s bar in the breakdown."""
    script = "var g = document.querySelector('#capa-breakdown .js-plotly-plot'); return g && g.data ? g.data[1].customdata : null"
    keys = WebDriverWait(browser, 30).until(lambda d: d.execute_script(script))
    trace = browser.find_elements(By.CSS_SELECTOR, "#capa-breakdown .trace.bars")[1]
    ActionChains(browser).move_to_element(trace.find_elements(By.CSS_SELECTOR, ".point")[keys.index(key)]).click().perform()


def test_from_the_capa_tile_to_the_overdue_capa_and_its_defects(browser, demo_server: str) -> None:
    wait = WebDriverWait(browser, 30)
    browser.get(demo_server + "/?period=12m")
    tile = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#kpi-card-capa_on_time .kpi-value")).text
    browser.find_element(By.CSS_SELECTOR, "#kpi-card-capa_on_time a[href^='/capa']").click()
    wait.until(lambda d: "/capa" in d.current_url and "period=12m" in d.current_url and d.execute_script(SETTLED_JS))
    assert card_values(browser)["Closed on time"] == tile  # the page explains the tile's number
    assert browser.find_element(By.ID, "capa-records-title").text.startswith("CAPAs active in the period: ")

    click_open_bar(browser, "P02")
    wait.until(lambda d: "plant=P02" in d.current_url and d.execute_script(SETTLED_JS))
    wait.until(lambda d: grid_cells(d, "plant_id") and set(grid_cells(d, "plant_id")) == {"P02"})
    overdue = card_values(browser)["Overdue on 23 Nov 2026"]
    assert int(overdue) >= 1

    link = next(
        card.find_element(By.LINK_TEXT, "List them →")
        for card in browser.find_elements(By.CSS_SELECTOR, "#capa-cards .card-body")
        if card.text.startswith("Overdue")
    )
    link.click()
    title = f"CAPAs overdue on the last day: {overdue}"
    wait.until(lambda d: "status=overdue" in d.current_url and d.execute_script(SETTLED_JS) and records_title(d) == title)
    wait.until(lambda d: len(grid_cells(d, "status")) == int(overdue))
    assert set(grid_cells(browser, "status")) == {"Overdue"}
    assert "Bore diameter out of tolerance on P02-L03" in " ".join(grid_cells(browser, "title"))

    defects = browser.find_element(By.CSS_SELECTOR, "#capa-records [col-id='defects'] a[href*='code=D08']")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", defects)
    wait.until(lambda d: "/defects" in d.current_url and "line=P02-L03" in d.current_url and "code=D08" in d.current_url)
    crumbs = wait.until(lambda d: d.find_element(By.ID, "defects-crumbs").text)
    assert "P02-L03" in crumbs and "D08" in crumbs
    assert console_errors(browser) == []


def test_a_rejected_url_value_keeps_its_message(browser, demo_server: str) -> None:
    """The dropdowns report their values when they mount; that must not rewrite the URL."""
    wait = WebDriverWait(browser, 30)
    browser.get(demo_server + "/capa?period=12m&source=vendor")
    wait.until(lambda d: d.execute_script(SETTLED_JS) and d.find_elements(By.ID, "capa-cards"))
    time.sleep(1)  # time for a stray callback to rewrite the URL, as it did before the drawn values were kept
    assert "source=vendor" in browser.current_url
    assert "Unknown source 'vendor'" in browser.find_element(By.CSS_SELECTOR, "#capa-content .alert").text
    assert console_errors(browser) == []


def test_from_the_list_to_one_capa_and_whether_it_worked(browser, demo_server: str) -> None:
    """Story 5: the CAPA on solder bridges (D04) at P01 closed in January, recorded effective; its
    page shows the D04 rate fell, agrees with the record, and leads to those defects."""
    wait = WebDriverWait(browser, 30)
    browser.get(demo_server + "/capa?period=12m&plant=P01&status=closed")
    wait.until(lambda d: d.execute_script(SETTLED_JS) and grid_cells(d, "title"))
    link_js = (
        "const row = [...document.querySelectorAll('#capa-records .ag-row')]"
        ".find(r => (r.querySelector(\"[col-id='title']\") || {}).innerText?.includes('solder bridges'));"
        " return row ? row.querySelector(\"[col-id='capa_id'] a\") : null;"
    )
    link = wait.until(lambda d: d.execute_script(link_js))
    number = link.text
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", link)
    chart = "#capa-one-effect-chart .js-plotly-plot"
    wait.until(
        lambda d: f"/capa/{number}" in d.current_url and d.execute_script(f"return !!document.querySelector('{chart} .main-svg')")
    )
    assert browser.find_element(By.ID, "capa-one-title").text == f"CAPA {number}"
    assert browser.find_element(By.ID, "capa-one-status").text == "Closed on time"
    assert "solder bridges" in browser.find_element(By.ID, "capa-one-problem").text
    assert browser.find_element(By.ID, "capa-one-effect").text.startswith("Defects per 1,000 units of code D04 at plant P01 fell")
    assert browser.find_element(By.ID, "capa-one-check").text == "Recorded as effective; the defect data agrees."
    assert browser.execute_script(f"return document.querySelector('{chart}').data[0].y.length") > 20
    assert console_errors(browser) == []

    browser.find_element(By.ID, "capa-one-defects").click()
    wait.until(lambda d: "/defects" in d.current_url and "code=D04" in d.current_url and "plant=P01" in d.current_url)
    crumbs = wait.until(lambda d: d.find_element(By.ID, "defects-crumbs").text)
    assert "D04" in crumbs
    browser.back()
    wait.until(lambda d: f"/capa/{number}" in d.current_url and d.find_elements(By.ID, "capa-one-title"))
    assert console_errors(browser) == []


def test_did_they_work_lists_story_5_as_fell_and_opens_it(browser, demo_server: str) -> None:
    """The period's CAPAs against their data: at P01 over 12 months, story 5's CAPA (D04 at the
    plant) is judged "Fell", the headline counts it, and its number opens its page."""
    wait = WebDriverWait(browser, 30)
    browser.get(demo_server + "/capa?period=12m&plant=P01")
    rows_js = (
        "return [...document.querySelectorAll('#capa-effects-grid .ag-row')].map(r => Object.fromEntries("
        "[...r.querySelectorAll('[col-id]')].map(c => [c.getAttribute('col-id'), c.innerText])));"
    )
    rows = wait.until(lambda d: d.execute_script(SETTLED_JS) and d.execute_script(rows_js))
    story5 = [r for r in rows if r.get("addresses") == "D04 at plant P01"]
    assert [r["verdict"] for r in story5] == ["Fell"] and story5[0]["recorded"] == "Effective"
    fell = sum(r["verdict"] == "Fell" for r in rows)
    judged = sum(r["verdict"] in ("Fell", "No clear change", "Rose") for r in rows)
    assert browser.find_element(By.ID, "capa-effects-value").text == f"{fell} of {judged}"
    assert "could be judged on defects per 1,000 units" in browser.find_element(By.ID, "capa-effects-sentence").text

    link = browser.execute_script(
        "return [...document.querySelectorAll('#capa-effects-grid .ag-row')]"
        ".find(r => r.querySelector(\"[col-id='addresses']\").innerText === 'D04 at plant P01')"
        ".querySelector(\"[col-id='capa_id'] a\")"
    )
    number = link.text
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", link)
    wait.until(lambda d: f"/capa/{number}" in d.current_url and d.find_elements(By.ID, "capa-one-effect"))
    assert browser.find_element(By.ID, "capa-one-effect").text.startswith("Defects per 1,000 units of code D04 at plant P01 fell")
    assert console_errors(browser) == []
