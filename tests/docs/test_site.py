"""The built site in a real browser: every page loads clean, search finds pages, screenshots.

The site is built with ``mkdocs build --strict``, served on 127.0.0.1, and driven with headless
Chromium (Debian's ``chromium`` and ``chromium-driver``; ``make check`` installs them where they
are missing). Each page must load without a console error or a missing asset; three searches
must find their pages; the copy button of a Python session must give the code
``pasted.copied_blocks`` reads; and screenshots of the home page and a feature page at desktop
(1280×900) and phone (390×844) widths are saved to ``test-artefacts/screenshots``.

Without Chromium the test is skipped on a developer's machine and fails on CI (the ``CI``
environment variable set, as ``.ci/run`` runs), where the check command installs it.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.docs.pasted import clipboard_text, copied_blocks

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "test-artefacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
# (term, a page its results must list)
SEARCHES = [
    ("largest remainder", "concepts/money/"),
    ("frequently bought together", "recommend/frequently-bought-together/"),
    ("free shipping", "pricing/benefits/free_shipping/"),
]
# mkdocs.yml reads the published address from SHOPKIT_SITE_URL; the build here names its default.
SITE_URL = "http://127.0.0.1:8000/"
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}

webdriver = pytest.importorskip("selenium.webdriver")
if not (Path(CHROMIUM).exists() and Path(DRIVER).exists()):
    if os.environ.get("CI"):
        raise RuntimeError("CI needs chromium and chromium-driver: `make check` installs them")
    pytest.skip("needs Debian's chromium and chromium-driver", allow_module_level=True)

from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The site built from this tree, served on a free port of 127.0.0.1."""
    folder = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(folder)],
        cwd=ROOT,
        check=True,
        env={
            **{key: value for key, value in os.environ.items() if key != "SHOPKIT_REPO_URL"},
            "NO_MKDOCS_2_WARNING": "1",
            "SHOPKIT_SITE_URL": SITE_URL,
        },
    )
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", folder
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium with the flags a closed network needs, its console log kept."""
    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1280,900",
    ):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _pages(folder: Path) -> list[str]:
    return sorted(
        str(page.parent.relative_to(folder)) + "/" if page.parent != folder else ""
        for page in folder.rglob("index.html")
        if "assets" not in page.parts
    )


def _settle(driver: Any) -> None:
    """Wait until the page, its fonts and the theme's scripts are done laying it out."""
    WebDriverWait(driver, 15).until(
        lambda driver: driver.execute_script(
            "return document.readyState === 'complete' && document.fonts.status === 'loaded'"
            " && document.querySelector('.md-header') !== null"
        )
    )
    driver.execute_script("return new Promise(done => requestAnimationFrame(() => done()))")


def _problems(driver: Any) -> list[str]:
    """Console errors since the last call, and images that did not load."""
    errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    broken = driver.execute_script(
        "return Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
        ".map(i => i.src)"
    )
    return errors + [f"image did not load: {src}" for src in broken]


def test_the_sitemap_lists_every_page_at_the_site_address(site: tuple[str, Path]) -> None:
    _, folder = site
    sitemap = (folder / "sitemap.xml").read_text(encoding="utf-8")
    listed = sorted(re.findall(r"<loc>(.*?)</loc>", sitemap))
    assert listed == sorted(SITE_URL + page for page in _pages(folder))


def test_every_page_loads_without_a_console_error_or_missing_asset(
    site: tuple[str, Path], browser: Any
) -> None:
    url, folder = site
    pages = _pages(folder)
    assert len(pages) >= 60  # every nav page, the reference included
    found: dict[str, list[str]] = {}
    for page in pages:
        browser.get(url + page)
        WebDriverWait(browser, 10).until(
            lambda driver: driver.execute_script("return document.readyState") == "complete"
        )
        if problems := _problems(browser):
            found[page] = problems
    assert found == {}


@pytest.mark.parametrize(("term", "page"), SEARCHES)
def test_search_finds_the_page(site: tuple[str, Path], browser: Any, term: str, page: str) -> None:
    url, _ = site
    browser.get(url)
    box = WebDriverWait(browser, 10).until(
        expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, "input.md-search__input"))
    )
    box.click()
    box.send_keys(term)
    WebDriverWait(browser, 20).until(
        lambda driver: driver.find_elements(By.CSS_SELECTOR, ".md-search-result__item")
    )
    links = [
        link.get_attribute("href")
        for link in browser.find_elements(By.CSS_SELECTOR, ".md-search-result__item a")
    ]
    assert any((url + page) in (link or "") for link in links), links
    assert _problems(browser) == []


def test_the_copy_button_gives_the_code_without_prompts_or_output(
    site: tuple[str, Path], browser: Any
) -> None:
    url, _ = site
    page = "pricing/benefits/percentage/"
    browser.get(url + page)
    browser.execute_script(
        "window.__copied = [];"
        "document.addEventListener('copy', e => window.__copied.push("
        "  e.target && e.target.value !== undefined ? e.target.value"
        "  : document.getSelection().toString()), true);"
    )
    blocks = copied_blocks(ROOT / "docs" / "pricing" / "benefits" / "percentage.md")
    sessions = [block for language, block in blocks if language == "pycon"]
    assert sessions, "the page has Python sessions"
    buttons = browser.execute_script(  # the buttons of the blocks highlighted as sessions
        "return Array.from(document.querySelectorAll("
        "'button.md-clipboard, button[data-md-type=copy]')).filter(b =>"
        " document.querySelector(b.getAttribute('data-clipboard-target')).querySelector('.gp'))"
    )
    assert len(buttons) == len(sessions)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", buttons[0])
    ActionChains(browser).move_to_element(buttons[0]).click().perform()  # a reader's click
    WebDriverWait(browser, 5).until(
        lambda driver: driver.execute_script("return window.__copied.length")
    )
    copied = browser.execute_script("return window.__copied")
    expected = clipboard_text(sessions[0])
    assert copied == [expected]
    assert ">>>" not in copied[0]


@pytest.mark.parametrize("size", sorted(SIZES))
def test_screenshots_of_the_home_page_and_a_feature_page(
    site: tuple[str, Path], browser: Any, size: str
) -> None:
    url, _ = site
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    width, height = SIZES[size]
    browser.set_window_size(width, height)
    try:
        for name, page in (("home", ""), ("recipe", "recipes/black-friday/")):
            browser.get(url + page)
            _settle(browser)
            path = ARTEFACTS / f"{name}-{size}.png"
            assert browser.save_screenshot(str(path))
            assert path.stat().st_size > 10_000  # a rendered page, not a blank one
            # nothing wider than the window: no sideways scrolling on a phone
            overflow = browser.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, (page, size, overflow)
    finally:
        browser.set_window_size(*SIZES["desktop"])
