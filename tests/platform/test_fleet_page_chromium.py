"""Issue 7 acceptance: the fleet page shows a terminal whose printer ran out of paper within
one heartbeat period, live, in a real headless Chromium.

The demo platform runs on a free loopback port; the kiosk side is composed as the app does
(tests/fleet_rig.py: device manager with the simulated printer, heartbeats through the
encrypted outbox and its sender). A district staff member signs in on the page; then the
simulated printer runs out of paper and the page, without being reloaded, shows that
terminal with 缺纸. Chromium and its driver are Debian's `chromium` and `chromium-driver`,
driven with Selenium (`scripts/setup.sh --test` installs all three).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from demo_platform import DEMO_TERMINAL_ID
from demo_platform.fleet import DEMO_STAFF_TOKEN
from tests.fleet_rig import HeartbeatRig, wait_for

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
webdriver = pytest.importorskip(
    "selenium.webdriver", reason="selenium is not installed: run scripts/setup.sh --test")
if not (CHROMIUM and DRIVER):
    pytest.skip("Chromium or chromedriver missing: scripts/setup.sh --test installs Debian's "
                "chromium and chromium-driver", allow_module_level=True)

from selenium.webdriver.common.by import By  # noqa: E402

HEARTBEAT_S = 10  # the shortest period the configuration allows


@pytest.fixture
def browser(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,900", "--lang=zh-CN", "--no-first-run",
                f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(arg)
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager download
    service = webdriver.ChromeService(executable_path=DRIVER)
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(20)
    yield driver
    driver.quit()


# The page redraws its rows every few seconds: read what a test needs in one script run
# (atomic in the page's event loop), never through element handles that go stale.
_SNAPSHOT = """
const row = document.querySelector('tr[data-terminal="' + arguments[0] + '"]');
const first = document.querySelector('#terminals tr');
if (!row) { return null; }
const text = (sel) => { const e = row.querySelector(sel); return e ? e.innerText : ''; };
return {printer: text('li[data-device="printer"]'), state: row.getAttribute('data-state'),
        state_text: text('td.state'), problems: text('ul.problems'),
        first: first ? first.getAttribute('data-terminal') : ''};
"""


def _snapshot(driver) -> dict:
    return driver.execute_script(_SNAPSHOT, DEMO_TERMINAL_ID) or {}


def _printer_text(driver) -> str:
    return _snapshot(driver).get("printer", "")


def test_the_fleet_page_shows_a_printer_out_of_paper_within_one_heartbeat_period(tmp_path,
                                                                                 browser):
    rig = HeartbeatRig(tmp_path, heartbeat_interval_s=HEARTBEAT_S)
    try:
        browser.get(rig.handle.base_url + "/fleet")
        browser.find_element(By.ID, "token").send_keys(DEMO_STAFF_TOKEN)
        browser.find_element(By.ID, "login").click()
        wait_for(lambda: "打印机：正常" in _printer_text(browser)
                 and _snapshot(browser).get("state") == "ok", 15.0,
                 "the page showing the terminal with its printer online, catalogue current")
        browser.execute_script("window.__notReloaded = true;")

        rig.printer.run_out_of_paper()
        took = wait_for(lambda: "缺纸" in _printer_text(browser), HEARTBEAT_S,
                        "the page showing 缺纸 within one heartbeat period")

        assert browser.execute_script("return window.__notReloaded === true;"), \
            "the page was updated in place, not reloaded"
        shown = _snapshot(browser)
        assert shown["state"] == "error"
        assert "故障" in shown["state_text"]  # not colour alone
        assert "打印机缺纸" in shown["problems"]
        assert shown["first"] == DEMO_TERMINAL_ID
        shots = os.environ.get("FLEET_SCREENSHOT_DIR")
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            browser.save_screenshot(str(Path(shots) / "fleet-paper-out.png"))
        print(f"缺纸 on the page {took:.1f} s after the paper ran out "
              f"(heartbeat period {HEARTBEAT_S} s)")
    finally:
        rig.close()
