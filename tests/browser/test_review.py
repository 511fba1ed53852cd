"""The leadership review in headless Chromium on the demo data: tiles and a narrative with links,
freezing an edition, the diff after a reload, the PDF pack, and presentation mode."""

from __future__ import annotations

import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.test_overview import console_errors, wait_for_tiles

pytestmark = pytest.mark.browser
PERIOD = "Last 90 days (26 Aug 2026 – 23 Nov 2026) · all plants"


def pdf_pages(path: Path) -> list[str]:
    """The text of every page of a PDF, whitespace collapsed (pdftotext, one call per page)."""
    if not shutil.which("pdfinfo"):
        pytest.skip("pdfinfo/pdftotext (poppler-utils) are not installed")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    texts = []
    for page in range(1, pages + 1):
        command = ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(path), "-"]
        texts.append(" ".join(subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()))
    return texts


def sentences(browser) -> dict[str, str]:
    items = browser.find_elements(By.CSS_SELECTOR, "#review-narrative li")
    return {item.text: (item.find_elements(By.TAG_NAME, "a") or [None])[0] for item in items}


def test_review_freeze_diff_and_pdf_pack(browser, demo_server: str, tmp_path: Path) -> None:
    wait = WebDriverWait(browser, 60)
    browser.get(demo_server + "/review?period=90d")
    cards = wait_for_tiles(browser)
    values = {c.get_attribute("id"): c.find_element(By.CSS_SELECTOR, ".kpi-value").text for c in cards}
    assert all(any(ch.isdigit() for ch in v) for v in values.values()), values
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#review-narrative li")) >= 5)
    found = sentences(browser)
    s017 = next(text for text in found if "Supplier S017" in text)
    assert "fell from grade B to C" in s017
    assert found[s017].get_attribute("href").endswith("/suppliers/S017?period=90d")
    d12 = next(text for text in found if text.startswith("▼ Complaints about D12"))
    assert found[d12].get_attribute("href").endswith("/voc?period=90d&code=D12")
    assert "No edition is frozen yet" in browser.find_element(By.ID, "review-diff").text
    assert browser.find_element(By.ID, "review-subtitle").text == PERIOD

    browser.find_element(By.ID, "review-freeze").click()
    wait.until(lambda d: "Frozen as edition 1" in d.find_element(By.ID, "review-freeze-message").text)
    assert "by anonymous" in browser.find_element(By.ID, "review-freeze-message").text

    browser.refresh()
    wait_for_tiles(browser)
    wait.until(lambda d: "Since edition 1" in d.find_element(By.ID, "review-diff").text)
    assert "nothing changed" in browser.find_element(By.ID, "review-diff").text

    browser.get(demo_server + "/review?period=90d&edition=1")
    wait_for_tiles(browser)
    banner = browser.find_element(By.ID, "review-edition-banner").text
    assert banner.startswith("Edition 1 · frozen") and "by anonymous" in banner
    frozen = {
        c.get_attribute("id"): c.find_element(By.CSS_SELECTOR, ".kpi-value").text
        for c in browser.find_elements(By.CSS_SELECTOR, ".kpi-card")
    }
    assert frozen == values
    as_of = browser.find_element(By.ID, "review-as-of").text.removeprefix("Data as of ")

    browser.find_element(By.ID, "review-export").click()
    link = WebDriverWait(browser, 120).until(lambda d: d.find_elements(By.ID, "review-pack-link"))[0]
    pdf = tmp_path / "pack.pdf"
    with urllib.request.urlopen(link.get_attribute("href"), timeout=30) as response:
        assert response.headers["Content-Type"] == "application/pdf"
        pdf.write_bytes(response.read())
    pages = pdf_pages(pdf)
    assert len(pages) >= 8  # tiles, narrative, defects (two charts and tables), process control, suppliers, …
    for number, text in enumerate(pages, start=1):
        assert "Edition 1" in text, number
        assert f"Period: {PERIOD}" in text, number
        assert f"Data as of {as_of}" in text, number
        assert f"Page {number} of {len(pages)}" in text, number
    whole = " ".join(pages)
    for value in values.values():
        assert " ".join(value.split()) in whole, value
    assert "End of the meeting pack: 11 of 11 charts drawn." in whole
    for title in ("What changed", "Defects", "Process control", "Suppliers", "Customers", "CAPA", "OKRs"):
        assert title in whole, title
    assert console_errors(browser) == []


def test_presentation_mode_moves_between_sections_with_keys(browser, demo_server: str) -> None:
    wait = WebDriverWait(browser, 60)
    browser.get(demo_server + "/review?period=90d&present=1")
    wait_for_tiles(browser)

    def shown() -> list[str]:
        return [s.get_attribute("id") for s in browser.find_elements(By.CSS_SELECTOR, ".review-section") if s.is_displayed()]

    wait.until(lambda d: shown() == ["review-section-summary"])
    total = len(browser.find_elements(By.CSS_SELECTOR, ".review-section"))
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.ARROW_RIGHT)
    wait.until(lambda d: shown() == ["review-section-narrative"])
    assert browser.find_element(By.ID, "review-present-counter").text == f"2 / {total}"
    body.send_keys(Keys.SPACE)
    wait.until(lambda d: shown() == ["review-section-defects"])
    body.send_keys(Keys.PAGE_UP)
    wait.until(lambda d: shown() == ["review-section-narrative"])
    assert not browser.find_element(By.ID, "review-freeze").is_displayed()  # the toolbar is hidden
    body.send_keys(Keys.ESCAPE)
    wait.until(lambda d: "present" not in d.current_url and d.current_url.endswith("/review?period=90d"))
    wait_for_tiles(browser)
    assert len(shown()) == total  # every section on one page again
    assert console_errors(browser) == []
