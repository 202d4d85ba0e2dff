"""The sandbox's web page in a real headless browser (Debian's chromium + chromium-driver, Selenium).

Screenshots go to $HEARTH_SANDBOX_SCREENSHOTS when set, else to the test's temporary folder.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.app import Sandbox

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="needs chromium and chromedriver on PATH (Debian: apt-get install chromium chromium-driver)",
)


def drive(url: str, shots: Path) -> None:
    selenium = pytest.importorskip("selenium", reason="needs selenium (pip install '.[dev]')")
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait

    assert selenium is not None
    options = Options()
    options.binary_location = CHROMIUM or ""
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,900"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER or ""))
    # The page redraws its message list when something changes: a found element can go stale.
    wait = WebDriverWait(browser, 15, ignored_exceptions=(StaleElementReferenceException,))

    def testid(name: str, extra: str = "") -> Any:
        return wait.until(lambda b: b.find_element(By.CSS_SELECTOR, f'[data-testid="{name}"]{extra}'))

    def click(name: str, extra: str = "") -> None:
        def clicked(b: Any) -> bool:
            b.find_element(By.CSS_SELECTOR, f'[data-testid="{name}"]{extra}').click()
            return True

        wait.until(clicked)

    def channel_names() -> list[str]:
        return [c.get_attribute("data-name") for c in browser.find_elements(By.CSS_SELECTOR, '[data-testid="channel"]')]

    def messages_by(author: str) -> list[Any]:
        return browser.find_elements(By.CSS_SELECTOR, f'[data-testid="message"][data-author="{author}"]')

    def click_button(label: str, within: str = "") -> None:
        def clicked(b: Any) -> bool:
            for button in b.find_elements(By.CSS_SELECTOR, f'{within} [data-testid="component-button"]'):
                if button.text == label and button.is_enabled():
                    button.click()
                    return True
            return False

        wait.until(clicked)

    try:
        browser.get(url)
        wait.until(lambda b: "general" in channel_names())
        assert "viewing as Alice — participant" in browser.find_element(By.ID, "persona-label").text
        assert "staff-alerts" not in channel_names()
        assert "tuesday-evening-group" in channel_names()

        # A slash command with a modal: /checkin as Alice in #check-ins.
        click("channel", '[data-name="check-ins"]')
        composer = testid("composer")
        composer.send_keys("/check")
        wait.until(lambda b: b.find_element(By.CSS_SELECTOR, '[data-testid="command-option"][data-name="checkin"]'))
        composer.send_keys(Keys.ENTER)  # picks the highlighted command
        click("send")
        testid("modal-field", '[data-label="Mood (1–10)"]').send_keys("7")
        testid("modal-field", '[data-label="Sleep hours (0–24, optional)"]').send_keys("8")
        browser.save_screenshot(str(shots / "1-checkin-modal.png"))
        click("modal-submit")
        wait.until(lambda b: any("Thanks for checking in" in m.text for m in messages_by("Hearth")))
        reply = '[data-testid="message"][data-author="Hearth"][data-ephemeral="true"]'
        assert "Only you can see this" in testid("message", '[data-author="Hearth"][data-ephemeral="true"]').text
        browser.save_screenshot(str(shots / "2-checkin-reply.png"))

        # A button on that private reply.
        click_button("Share with my group", reply)
        click("channel", '[data-name="tuesday-evening-group"]')
        wait.until(lambda b: any("mood" in m.text.lower() for m in messages_by("Hearth")))
        browser.save_screenshot(str(shots / "2b-shared.png"))
        click("channel", '[data-name="check-ins"]')
        wait.until(lambda b: any("Thanks for checking in" in m.text for m in messages_by("Hearth")))

        # A plain message, then the staff side: Sam sees #staff-alerts.
        composer = testid("composer")
        composer.send_keys("I can't do this anymore. I want to end it all tonight.")
        click("send")
        wait.until(lambda b: any("end it all" in m.text for m in messages_by("Alice")))
        Select(testid("persona-switcher")).select_by_visible_text("Sam")
        wait.until(lambda b: "viewing as Sam — staff, on call" in b.find_element(By.ID, "persona-label").text)
        wait.until(lambda b: "staff-alerts" in channel_names())
        click("channel", '[data-name="staff-alerts"]')
        click_button("Acknowledge")
        wait.until(lambda b: any("Acknowledged by" in m.text for m in messages_by("Hearth")))
        browser.save_screenshot(str(shots / "3-staff-alert-acknowledged.png"))

        # The clock control.
        before = testid("clock-now").text
        click("clock-advance", '[data-step="morning"]')
        wait.until(lambda b: b.find_element(By.CSS_SELECTOR, '[data-testid="clock-now"]').text != before)
        assert "09:00" in testid("clock-now").text
        browser.save_screenshot(str(shots / "4-after-clock.png"))

        # The guided tour's "Go" button for /group pulse: Fran, the group channel, the options form.
        steps = browser.find_elements(By.CSS_SELECTOR, '[data-testid="tour-step"]')
        assert 6 <= len(steps) <= 8
        pulse_step = next(step for step in steps if "Group pulse" in step.text)
        pulse_step.find_element(By.TAG_NAME, "button").click()
        wait.until(lambda b: "viewing as Fran — facilitator" in b.find_element(By.ID, "persona-label").text)
        group = testid("command-option-field", '[data-label="group"]')
        group.send_keys("Tuesday evening group")
        click("send")
        wait.until(lambda b: any("Tuesday evening group" in m.text and m.get_attribute("data-ephemeral") == "true"
                                 for m in messages_by("Hearth")))
        browser.save_screenshot(str(shots / "5-group-pulse.png"))

        severe = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
        assert severe == []
    finally:
        browser.quit()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("HEARTH_SANDBOX_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def test_web_page_in_headless_chromium(
    tmp_path: Path, shots: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox = Sandbox(tmp_path)
    await sandbox.start()
    try:
        await asyncio.to_thread(drive, sandbox.url, shots)
    finally:
        await sandbox.stop()
    assert sandbox.emu.problems() == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert (shots / "3-staff-alert-acknowledged.png").is_file()
