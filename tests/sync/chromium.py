"""The real Chromium the workbench's browser tests drive (Debian's chromium and
chromium-driver through Selenium), started one way for every test module."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def start(profile: Path, *, window: str, downloads: Path | None = None,
          flags: Iterable[str] = ()) -> Any:
    """A headless Chromium with a fresh profile that reaches for nothing on the network;
    ``downloads``: where files the page downloads land, without asking."""
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.fail("chromium and chromium-driver are not installed: run "
                    "packaging/dev/setup.sh", pytrace=False)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 *flags, f"--window-size={window}", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    if downloads is not None:
        options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                                  "download.prompt_for_download": False})
    # The driver's path is given, so Selenium Manager has nothing to look up or download.
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    if downloads is not None:
        driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow",
                                                            "downloadPath": str(downloads)})
    return driver


def by(css: str) -> tuple[str, str]:
    from selenium.webdriver.common.by import By

    return By.CSS_SELECTOR, css


def wait_until(condition: Callable[[], Any], timeout: float) -> Any:
    """The condition's first true value, checked every 50 ms, or AssertionError at ``timeout``.

    An element that the page replaced between being found and being read (htmx swapping a
    fragment, a navigation) counts as "not yet", not as a failure: the next check finds the
    new one."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except (StaleElementReferenceException, NoSuchElementException):
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("the page never got there")
        time.sleep(0.05)
