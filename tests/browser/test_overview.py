"""The overview in headless Chromium: tiles with numbers, graphs drawn, filters in the URL, clean console."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.browser
MARCH = "/?period=custom&start=2026-03-01&end=2026-03-31"


def wait_for_tiles(browser, count: int = 9) -> list:
    wait = WebDriverWait(browser, 20)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".kpi-card .kpi-value")) == count)
    wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "._dash-loading, [data-dash-is-loading='true']"))
    return browser.find_elements(By.CSS_SELECTOR, ".kpi-card")


def tile_value(browser, kpi_id: str) -> str:
    """A tile's value, read in the page: the page arrives anew, tiles included, with each new URL,
    so a held element can go stale between finding it and reading it."""
    script = "const v = document.querySelector(`#kpi-card-${arguments[0]} .kpi-value`); return v ? v.innerText : ''"
    return browser.execute_script(script, kpi_id)


def console_errors(browser) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def test_overview_shows_numbers_graphs_and_a_clean_console(browser, live_server: str) -> None:
    browser.get(live_server + MARCH)
    cards = wait_for_tiles(browser)
    values = {card.get_attribute("id"): card.find_element(By.CSS_SELECTOR, ".kpi-value").text for card in cards}
    assert values["kpi-card-first_pass_yield"] == "98.0 %"
    assert values["kpi-card-nps"] == "+40"
    assert all(any(ch.isdigit() for ch in value) for value in values.values()), values
    statuses = [card.find_element(By.CSS_SELECTOR, ".kpi-status").text for card in cards]
    assert all(any(word in s for word in ("On target", "Watch", "Act")) for s in statuses)  # words, not colour only
    graphs = browser.find_elements(By.CSS_SELECTOR, ".kpi-sparkline")
    WebDriverWait(browser, 10).until(lambda d: all(g.find_elements(By.CSS_SELECTOR, ".main-svg") for g in graphs))
    assert "Data as of" in cards[0].text
    assert console_errors(browser) == []


def test_choosing_a_plant_updates_the_url_and_the_numbers(browser, live_server: str) -> None:
    browser.get(live_server + MARCH)
    wait_for_tiles(browser)
    browser.find_element(By.ID, "filter-plant").click()
    option = WebDriverWait(browser, 10).until(ec.element_to_be_clickable((By.XPATH, "//*[@role='option'][contains(., 'P02')]")))
    option.click()
    WebDriverWait(browser, 20).until(lambda d: "plant=P02" in d.current_url)
    WebDriverWait(browser, 20).until(lambda d: tile_value(d, "first_pass_yield") == "99.0 %")
    browser.refresh()  # the URL alone restores the view
    wait_for_tiles(browser)
    assert tile_value(browser, "first_pass_yield") == "99.0 %"
    assert console_errors(browser) == []


def test_bad_url_parameters_show_a_message(browser, live_server: str) -> None:
    browser.get(live_server + "/?plant=NOPE&period=custom&start=2026-03-01&end=2026-03-31")
    WebDriverWait(browser, 20).until(ec.text_to_be_present_in_element((By.ID, "filter-messages"), "Unknown plant 'NOPE'"))
    wait_for_tiles(browser)
    assert console_errors(browser) == []


def test_tile_links_to_its_drill_down_with_the_filters(browser, live_server: str) -> None:
    browser.get(live_server + MARCH)
    wait_for_tiles(browser)
    browser.find_element(By.CSS_SELECTOR, "#kpi-card-supplier_ppm .card-footer a").click()
    WebDriverWait(browser, 20).until(ec.text_to_be_present_in_element((By.ID, "suppliers-summary"), "1 supplier, pooled"))
    assert "/suppliers?period=custom" in browser.current_url
    assert "01 Mar 2026 – 31 Mar 2026" in browser.find_element(By.TAG_NAME, "body").text  # the tile's period came along
    assert console_errors(browser) == []


def test_info_button_shows_the_definition(browser, live_server: str) -> None:
    browser.get(live_server + MARCH)
    wait_for_tiles(browser)
    browser.find_element(By.ID, "kpi-info-first_pass_yield").click()
    popover = WebDriverWait(browser, 10).until(ec.visibility_of_element_located((By.CSS_SELECTOR, ".popover")))
    assert "First-pass yield, defined for tests." in popover.text
    assert "Owner: Quality" in popover.text
    assert console_errors(browser) == []


def test_process_control_row_click_focuses_the_characteristic(browser, live_server: str) -> None:
    browser.get(live_server + "/process-control" + MARCH.removeprefix("/"))
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#spc-location .main-svg"))
    # Found only now: the grid may draw its rows again while the page settles, leaving an older cell stale.
    cell = WebDriverWait(browser, 20).until(
        ec.element_to_be_clickable((By.XPATH, "//div[@role='gridcell'][contains(., 'P01-L01-C1')]"))
    )
    cell.click()
    WebDriverWait(browser, 20).until(lambda d: "characteristic=P01-L01-C1" in d.current_url)
    WebDriverWait(browser, 20).until(ec.text_to_be_present_in_element((By.ID, "spc-focus-title"), "P01-L01-C1"))
    assert "Signals:" in browser.find_element(By.TAG_NAME, "body").text
    assert console_errors(browser) == []


def test_adhoc_upload_charts_a_file_and_refuses_a_huge_one(browser, live_server: str, tmp_path) -> None:
    from pathlib import Path

    rings = Path(__file__).resolve().parents[3] / "shared" / "reference-data" / "montgomery" / "pistonrings.csv"
    browser.get(live_server + "/process-control/analyse")
    upload = WebDriverWait(browser, 20).until(lambda d: d.find_element(By.CSS_SELECTOR, "#adhoc-upload input[type=file]"))
    upload.send_keys(str(rings))
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#adhoc-location .main-svg"))
    assert "200 values" in browser.find_element(By.ID, "adhoc-result").text
    huge = tmp_path / "huge.csv"
    huge.write_bytes(b"v\n" + b"1.0\n" * (2 * 1024 * 1024))  # 8 MB
    browser.find_element(By.CSS_SELECTOR, "#adhoc-upload input[type=file]").send_keys(str(huge))
    WebDriverWait(browser, 20).until(ec.text_to_be_present_in_element((By.ID, "adhoc-result"), "the limit is 5 MB"))
    assert console_errors(browser) == []
