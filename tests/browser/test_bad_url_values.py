"""A rejected value in a page's URL keeps its message in headless Chromium on the demo data.

A dropdown drawn without the rejected value (it has no option for it) reports its empty value
when it mounts; if the page took that for a choice, it would rewrite the URL without the value,
and the sentence saying what was wrong would vanish before anyone read it."""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.test_overview import console_errors

pytestmark = pytest.mark.browser

ALERTS_JS = "return [...document.querySelectorAll('.alert')].map(a => a.innerText).join(' | ')"


@pytest.mark.parametrize(
    ("path", "kept", "message"),
    [
        ("/voc?period=90d&channel=bogus", "channel=bogus", "Unknown channel 'bogus'"),
        ("/voc?period=90d&code=D99", "code=D99", "Unknown defect code 'D99'"),
        ("/process-control?period=90d&chart=bogus", "chart=bogus", "Unknown chart type 'bogus'"),
        ("/process-control?period=90d&line=P99-L01", "line=P99-L01", "Unknown line 'P99-L01'"),
        ("/okr?quarter=2031-Q9", "quarter=2031-Q9", "No objectives for quarter '2031-Q9'"),
        ("/okr?team=Nobody", "team=Nobody", "Unknown team 'Nobody'"),
        ("/defects?period=90d&grain=hour", "grain=hour", "Unknown grain 'hour'"),
    ],
)
def test_a_rejected_url_value_keeps_its_message(browser, demo_server: str, path: str, kept: str, message: str) -> None:
    browser.get(demo_server + path)
    WebDriverWait(browser, 30).until(lambda d: message in d.execute_script(ALERTS_JS))
    time.sleep(1)  # time for a stray callback to rewrite the URL, as the mounting dropdowns did
    assert kept in browser.current_url
    assert message in browser.execute_script(ALERTS_JS)
    assert console_errors(browser) == []


def test_the_line_dropdown_shows_the_line_in_the_url(browser, demo_server: str) -> None:
    """The process-control line dropdown gets its options after it mounts; it must then show the URL's line."""
    browser.get(demo_server + "/process-control?period=90d&line=P02-L03")
    line = "return (document.querySelector('#spc-line') || {}).innerText || ''"
    WebDriverWait(browser, 30).until(lambda d: "P02-L03" in d.execute_script(line))
    assert "line=P02-L03" in browser.current_url
