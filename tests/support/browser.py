"""A real browser for tests: Debian's Chromium, driven through Debian's chromedriver.

Selenium is told where both are, so it never looks for (or downloads) a browser
of its own. Chromium runs headless with a fresh profile and without the
background traffic that this machine's closed network would refuse.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

from bots.dev.accounts import account_password

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
    "--lang=en-US",
    "--hide-scrollbars",
)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


class Browser:
    """One browser (one person at a time: log in, look, click, take screenshots)."""

    def __init__(self, base_url: str, *, javascript: bool = True) -> None:
        missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
        if missing:
            raise RuntimeError(
                "The browser tests need Debian's chromium and chromium-driver: "
                + ", ".join(missing)
                + " missing (apt-get install chromium chromium-driver)."
            )
        self.base_url = base_url
        self.profile = Path(tempfile.mkdtemp(prefix="hubbot-chromium-"))
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in (*FLAGS, f"--user-data-dir={self.profile}"):
            options.add_argument(flag)
        if not javascript:
            options.add_experimental_option(
                "prefs", {"profile.managed_default_content_settings.javascript": 2}
            )
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        self.driver.set_page_load_timeout(120)
        self.user = ""

    def close(self) -> None:
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)

    # -- pages -------------------------------------------------------------
    def url(self, title: str, **query: str) -> str:
        params = {"title": title.replace(" ", "_"), **query}
        return f"{self.base_url}/index.php?" + urlencode(params, quote_via=quote, safe=":/")

    def open(self, title: str, *, forms: bool = True, **query: str) -> None:
        """Open a page; with ``forms``, wait until the hub's forms have set themselves up."""
        self.driver.get(self.url(title, **query))
        if forms:
            self.wait_forms()

    def wait_forms(self, timeout: float = 60) -> None:
        self.wait(
            lambda d: (
                "cph-forms-ready"
                in (d.find_element(By.TAG_NAME, "html").get_attribute("class") or "")
            ),
            timeout,
            "the forms did not start",
        )

    def wait(self, condition: Callable[[Any], Any], timeout: float = 30, what: str = "") -> Any:
        try:
            # a page that is being replaced (a click that navigates) leaves stale elements:
            # ask again on the new page
            return WebDriverWait(
                self.driver,
                timeout,
                poll_frequency=0.1,
                ignored_exceptions=(StaleElementReferenceException, NoSuchElementException),
            ).until(condition)
        except TimeoutException:
            raise AssertionError(
                f"timed out: {what}\nbrowser log:\n" + "\n".join(self.console())
            ) from None

    def find(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def visible(self, css: str, timeout: float = 30) -> WebElement:
        return self.wait(
            lambda d: next(
                (e for e in d.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()), None
            ),
            timeout,
            f"{css} to be shown",
        )

    def text(self, css: str) -> str:
        return self.find(css).text

    def console(self) -> list[str]:
        """The browser's console, each line cut short; without the dev wiki's own noise
        (the Wikibase bundle leaves out the scripts of its editors, SPEC-free)."""
        lines = [f"{e['level']} {e['message'][:300]}" for e in self.driver.get_log("browser")]
        return [
            line for line in lines if "wikibase-bundle" not in line and "deprecated" not in line
        ]

    def script_errors(self) -> list[str]:
        """Errors of the forms' script in the console (the wiki's own Wikibase bundle
        lacks some files, whose errors are not the forms')."""
        return [
            line
            for line in self.console()
            if "SEVERE" in line and ("Hub-forms" in line or "cphForms" in line)
        ]

    # -- people --------------------------------------------------------------
    def login(self, name: str) -> None:
        self.driver.delete_all_cookies()
        self.driver.get(self.url("Special:UserLogin"))
        self.find("#wpName1").send_keys(name)
        self.find("#wpPassword1").send_keys(account_password(name))
        self.find("#wpLoginAttempt").click()
        self.wait(lambda d: "UserLogin" not in d.current_url, 30, f"{name} to log in")
        self.user = name

    # -- forms -----------------------------------------------------------------
    def type(self, css: str, text: str, *, clear: bool = True) -> WebElement:
        field = self.find(css)
        if clear:
            field.clear()
        field.send_keys(text)
        return field

    def choose(self, css: str, value: str) -> None:
        Select(self.find(css)).select_by_value(value)

    def click(self, css: str) -> None:
        element = self.visible(css)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        element.click()

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def screenshot(
        self, name: str, *, element: str = "#content", height: int = 1300, blur: bool = True
    ) -> Path:
        """Save docs/screenshots/NAME.png for the README: one element of the page, whole
        (the window grows to hold it), cut at ``height`` pixels."""
        from PIL import Image

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        if blur:  # no caret, no input method button on a field
            self.js("document.activeElement && document.activeElement.blur();")
        self.js("window.scrollTo(0, 0);")
        target = self.find(element)
        bottom = int(
            self.js("var r = arguments[0].getBoundingClientRect(); return r.bottom;", target)
        )
        self.driver.set_window_size(1280, min(max(bottom + 40, 1000), 4000))
        time.sleep(0.3)
        target.screenshot(str(path))
        self.driver.set_window_size(1280, 1000)
        with Image.open(path) as image:
            if image.height > height:
                image.crop((0, 0, image.width, height)).save(path)
        return path
