"""GraphiQL in Debian's headless Chromium, which can reach no host but the Sonata under test.

The browser resolves no host name at all (--host-resolver-rules), so a page that needed a CDN would
stay on "Loading..."; every request it makes is read back from its performance log as well.
"""

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from tests.e2e.conftest import Server

from sonata.entrypoints.graphql.graphiql import ASSETS_PATH, page_assets

webdriver = pytest.importorskip(
    "selenium.webdriver", reason="selenium is not installed (pip install '.[dev]')"
)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="Chromium is not installed (apt-get install chromium chromium-driver)",
)

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",  # no DNS: no other host
    "--window-size=1400,900",
]
SCHEMA_ERROR = "Error fetching schema"


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(10)
    yield driver
    driver.quit()


def _wait(driver: Any, what: str, found: Any, timeout: float = 10) -> Any:
    return WebDriverWait(driver, timeout).until(found, message=f"waited {timeout} s for {what}")


def _editor_text(driver: Any, css: str) -> str:
    text: str = driver.execute_script(f"return document.querySelector({css!r}).CodeMirror.getValue()")
    return text


def _type_into(driver: Any, css: str, text: str) -> None:
    """Keys typed into a CodeMirror editor, as a person types them (its auto-closed brackets too)."""
    driver.find_element(By.CSS_SELECTOR, css).click()
    driver.switch_to.active_element.send_keys(text)


def _requested_urls(driver: Any) -> list[str]:
    entries = driver.get_log("performance")
    messages = [json.loads(entry["message"])["message"] for entry in entries]
    return [m["params"]["request"]["url"] for m in messages if m["method"] == "Network.requestWillBeSent"]


def _storage(driver: Any) -> str:
    dump: str = driver.execute_script(
        "const all = {};"
        "for (const s of [localStorage, sessionStorage])"
        "  for (let i = 0; i < s.length; i++) all[s.key(i)] = s.getItem(s.key(i));"
        "return JSON.stringify(all) + document.cookie;"
    )
    return dump


def test_graphiql_runs_a_query_offline_and_keeps_no_token(server: Server, browser: Any) -> None:
    assert server.token
    origin = urlsplit(server.url).netloc
    browser.get(f"{server.url}/graphql")
    _wait(
        browser,
        "GraphiQL's query editor",
        lambda d: d.find_elements(By.CSS_SELECTOR, ".graphiql-query-editor .CodeMirror"),
    )

    # Without a token the schema cannot be fetched: the documentation says so.
    browser.find_element(By.CSS_SELECTOR, "[aria-label='Show Documentation Explorer']").click()
    _wait(
        browser,
        "the schema error",
        lambda d: SCHEMA_ERROR in d.find_element(By.CLASS_NAME, "graphiql-plugin").text,
    )
    response_css = ".graphiql-response .CodeMirror"
    assert '"UNAUTHENTICATED"' in _editor_text(browser, response_css)

    # The token typed into the headers editor: the schema arrives without a re-fetch or reload.
    browser.find_element(By.CSS_SELECTOR, "button[data-name='headers']").click()
    headers_css = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
    _type_into(browser, headers_css, f'{{"Authorization": "Bearer {server.token}"}}')
    assert json.loads(_editor_text(browser, headers_css)) == {"Authorization": f"Bearer {server.token}"}
    docs = _wait(
        browser,
        "the schema's documentation",
        lambda d: (
            "Root Types" in d.find_element(By.CLASS_NAME, "graphiql-plugin").text
            and d.find_element(By.CLASS_NAME, "graphiql-plugin")
        ),
    )
    assert SCHEMA_ERROR not in docs.text
    _wait(browser, "the 401 gone from the response pane", lambda d: _editor_text(d, response_css) == "")

    # Autocomplete knows the schema.
    query_css = ".graphiql-query-editor .CodeMirror"
    browser.execute_script(f"document.querySelector({query_css!r}).CodeMirror.setValue('')")
    _type_into(browser, query_css, "{ vendo")
    hints = _wait(browser, "autocomplete", lambda d: d.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li"))
    assert "vendors" in [hint.text.split()[0] for hint in hints if hint.text]

    browser.execute_script(
        f"document.querySelector({query_css!r}).CodeMirror.setValue('{{ vendors {{ id name }} }}')"
    )
    browser.find_element(By.CLASS_NAME, "graphiql-execute-button").click()
    result = _wait(
        browser,
        "the query's result",
        lambda d: "grandstream" in (text := _editor_text(d, response_css)) and text,
    )
    assert json.loads(result)["data"]["vendors"][0].keys() == {"id", "name"}

    # A dialog, whose scroll lock writes a <style> the Content-Security-Policy must allow.
    browser.find_element(By.CSS_SELECTOR, "[aria-label='Open settings dialog']").click()
    _wait(browser, "the settings dialog", lambda d: d.find_elements(By.CSS_SELECTOR, "[role=dialog]"))

    # Every request went to Sonata (the others are data: URLs and the browser's own chrome:// pages).
    fetched = [
        url for url in _requested_urls(browser) if urlsplit(url).scheme in ("http", "https", "ws", "wss")
    ]
    assert {urlsplit(url).netloc for url in fetched} == {origin}, fetched
    assert {f"{server.url}{ASSETS_PATH}/{asset.path}" for asset in page_assets()} <= set(fetched)
    # No error but the schema's fetch without a token: none from the Content-Security-Policy either.
    errors = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == [
        f"{server.url}/graphql - Failed to load resource: the server responded with a status of 401 (Unauthorized)"
    ]

    assert server.token not in _storage(browser) and "Authorization" not in _storage(browser)
    browser.refresh()
    _wait(
        browser,
        "GraphiQL after a reload",
        lambda d: d.find_elements(By.CSS_SELECTOR, ".graphiql-query-editor .CodeMirror"),
    )
    browser.find_element(By.CSS_SELECTOR, "button[data-name='headers']").click()
    assert _editor_text(browser, headers_css) == ""
