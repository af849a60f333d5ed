"""Every HTML page in a real browser: axe-core, overflow at 360 px, the keyboard.

Runs Debian's Chromium through its ChromeDriver (nothing is downloaded). ``make test``
installs both and axe-core; run outside ``make``, the module is skipped when they
are missing. A failing page leaves screenshots in ``test-results/``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, copy_project, run

AXE = Path(os.environ.get("POLYBRIEF_AXE", ROOT / ".stamps/axe/node_modules/axe-core/axe.min.js"))
CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
WIDTHS = (360, 1280)
SCREENSHOTS = ROOT / "test-results"
# Every WCAG 2.0–2.2 A and AA rule axe has, and its best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

missing = [name for name, found in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER),
                                    (str(AXE), AXE.is_file())) if not found]
if missing and "POLYBRIEF_AXE" not in os.environ:
    pytest.skip(f"browser tests need {', '.join(missing)} (run 'make test')",
                allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    assert not missing, f"make test should have installed {', '.join(missing)}"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--force-device-scale-factor=1", "--lang=en"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def sites(tmp_path_factory, scripts, blocks, layouts) -> dict[str, Path]:
    """The sample, the twelve-script, blocks, layouts and small fixtures, built once."""
    base = tmp_path_factory.mktemp("browser")
    built = {"scripts": scripts / "dist", "blocks": blocks / "dist",
             "layouts": layouts / "dist"}
    for name, source in (("sample", ROOT), ("mini", ROOT / "tests/fixtures/mini")):
        project = copy_project(source, base / name)
        assert run(project, "build", "-q") == 0
        built[name] = project / "dist"
    return built


def pages(sites: dict[str, Path]) -> list[Path]:
    return sorted(p for dist in sites.values() for p in dist.rglob("*.html"))


def _viewport(driver, width: int) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})


def _open(driver, page: Path, width: int) -> None:
    _viewport(driver, width)
    driver.get(page.as_uri())
    driver.execute_script("return document.fonts.ready")


def _screenshot(driver, page: Path, width: int, what: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", f"{page.parent.name}-{page.stem}-{width}-{what}")
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def _axe(driver) -> list[dict]:
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]},"
        " resultTypes: ['violations']}).then(r => done(r.violations), e => done(String(e)));",
        AXE_TAGS)
    assert isinstance(result, list), result
    return result


def _summary(violations: list[dict]) -> str:
    return "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + ", ".join(n["target"][0] if isinstance(n["target"][0], str) else json.dumps(n["target"])
                    for n in v["nodes"][:3])
        for v in violations)


def test_every_page_passes_axe_at_both_widths(browser, sites):
    failures = []
    checked = 0
    for page in pages(sites):
        for width in WIDTHS:
            _open(browser, page, width)
            violations = _axe(browser)
            checked += 1
            if violations:
                shot = _screenshot(browser, page, width, "axe")
                failures.append(f"{page.relative_to(page.parents[2])} at {width} px: "
                                f"{_summary(violations)} [{shot.name}]")
    assert checked >= 2 * 20
    assert not failures, "\n".join(failures)


def test_axe_finds_what_a_broken_page_does_wrong(browser, tmp_path):
    """The harness itself: a page with known faults must fail."""
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><head><title>x</title></head><body>'
                    '<img src="a.png"><a href="#x"></a>'
                    '<p style="color:#aaa;background:#fff">low contrast</p></body></html>')
    _open(browser, page, 360)
    found = {v["id"] for v in _axe(browser)}
    assert {"html-has-lang", "image-alt", "link-name", "color-contrast"} <= found


def test_no_page_scrolls_sideways_at_360_px(browser, sites):
    failures = []
    for page in pages(sites):
        _open(browser, page, 360)
        overflow = browser.execute_script("""
            const width = document.documentElement.clientWidth;
            const wide = [...document.querySelectorAll('body *')].filter(e => {
              const box = e.getBoundingClientRect();
              return box.width > 0 && (box.right > width + 1 || box.left < -1);
            }).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
            return [document.documentElement.scrollWidth, width, wide.slice(0, 5)];""")
        scroll_width, width, wide = overflow
        if scroll_width > width or wide:
            shot = _screenshot(browser, page, 360, "overflow")
            failures.append(f"{page}: {scroll_width} px wide in {width} px: {wide} [{shot.name}]")
    assert not failures, "\n".join(failures)


def test_table_and_chart_regions_never_scroll_up_and_down(browser, sites):
    """A table region scrolls sideways when it must, never vertically (a stray scroll
    bar on a card), at 360 px and on the desktop."""
    failures = []
    for page in pages(sites):
        for width in (360, 1280):
            _open(browser, page, width)
            tall = browser.execute_script("""
                return [...document.querySelectorAll('.table-wrap, .chart-scroll')]
                  .filter(e => e.scrollHeight > e.clientHeight + 1)
                  .map(e => `${e.id || e.className} ${e.scrollHeight}/${e.clientHeight}`);""")
            if tall:
                failures.append(f"{page} at {width} px: {tall}")
    assert not failures, "\n".join(failures)


def _tab_through(driver, limit: int = 400) -> list[dict]:
    """Press Tab from the top of the page until focus comes back round; what it reached."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver.execute_script("document.activeElement && document.activeElement.blur();"
                          "window.scrollTo(0, 0);")
    reached = []
    for _ in range(limit):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        focused = driver.execute_script("""
            const e = document.activeElement;
            if (!e || e === document.body) return null;
            const box = e.getBoundingClientRect();
            return {tag: e.tagName.toLowerCase(), href: e.getAttribute('href'),
                    rel: e.getAttribute('rel'), hreflang: e.getAttribute('hreflang'),
                    visible: box.width > 0 && box.height > 0,
                    outline: getComputedStyle(e).outlineStyle};""")
        if focused is None or (reached and focused == reached[0]):
            break
        reached.append(focused)
    return reached


@pytest.mark.parametrize("width", WIDTHS)
def test_keyboard_reaches_every_link_of_a_brief(browser, sites, width):
    """The language switcher, the PDF and every in-page reference, in document order."""
    for lang in ("ja", "en", "ru"):
        page = sites["sample"] / lang / "china-central-asia.html"
        _open(browser, page, width)
        # Every link, and every table in a region that may scroll sideways, in order.
        links = browser.execute_script(
            "return [...document.querySelectorAll('a[href], .table-wrap[tabindex]')]"
            ".map(e => e.getAttribute('href'))")
        reached = _tab_through(browser)
        hrefs = [item["href"] for item in reached]
        assert hrefs == links, f"{lang} at {width} px: Tab order {hrefs} != links {links}"
        assert all(item["visible"] for item in reached), lang
        assert all(item["outline"] != "none" for item in reached), f"{lang}: focus not shown"
        assert any(h and h.endswith(".pdf") for h in hrefs), lang
        assert sum(1 for item in reached if item["hreflang"]) >= 4, lang   # the switcher
        assert any(h and h.startswith("#") for h in hrefs), lang          # the contents
        assert [item["tag"] for item in reached if item["href"] is None] == ["div"], lang


def test_in_page_references_scroll_to_their_target(browser, sites):
    from selenium.webdriver.common.by import By

    for lang in ("ja", "ru"):
        page = sites["sample"] / lang / "china-central-asia.html"
        _open(browser, page, 360)
        references = browser.find_elements(By.CSS_SELECTOR, "a[href^='#']")
        assert len(references) >= 4
        _follow(browser, references)


def _follow(browser, references) -> None:
    from selenium.webdriver.common.keys import Keys

    for reference in references:
        target = reference.get_attribute("href").split("#", 1)[1]
        browser.execute_script("window.scrollTo(0, 0)")
        reference.send_keys(Keys.ENTER)
        assert browser.execute_script("return location.hash") == f"#{target}"
        top, bottom, height, at_end = browser.execute_script(
            "const box = document.getElementById(arguments[0]).getBoundingClientRect();"
            "const page = document.scrollingElement;"
            "return [box.top, box.bottom, innerHeight,"
            " page.scrollTop + innerHeight >= page.scrollHeight - 1]", target)
        # At the top of the window; a target near the end of the page, such as the
        # last source, as far up as the page scrolls.
        assert abs(top) < 120 or (at_end and 0 <= top and bottom <= height), (target, top)


def test_links_between_pages_lead_to_files_that_exist(sites):
    """The language switcher's pages and the PDF link of every page."""
    pdf_links = 0
    for page in pages(sites):
        for href in re.findall(r'href="([^"#:]+)"', page.read_text(encoding="utf-8")):
            assert (page.parent / href).resolve().is_file(), (page, href)
            pdf_links += href.endswith(".pdf")
    assert pdf_links >= 20


def test_the_pdf_link_is_reached_and_followed_with_the_keyboard(browser, sites):
    from selenium.webdriver.common.keys import Keys

    page = sites["sample"] / "ja" / "china-central-asia.html"
    _open(browser, page, 360)
    reached = _tab_through(browser)
    index = next(i for i, item in enumerate(reached) if (item["href"] or "").endswith(".pdf"))
    _open(browser, page, 360)
    _tab_through(browser, limit=index + 1)
    href = browser.execute_script("return document.activeElement.href")
    assert href.endswith("china-central-asia.ja.pdf")
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    assert browser.current_url.endswith(".pdf")   # Chromium opens it (or downloads it)


def _phrase_lines(browser, selector: str) -> list[list[str]]:
    """The phrases of an element, line by line as the browser set them."""
    return browser.execute_script("""
        const lines = new Map();
        for (const span of document.querySelector(arguments[0]).querySelectorAll('.phrase')) {
          const rects = span.getClientRects();
          if (rects.length !== 1) return null;   // a phrase broken across lines
          const top = Math.round(rects[0].top);
          if (!lines.has(top)) lines.set(top, []);
          lines.get(top).push(span.textContent);
        }
        return [...lines.entries()].sort((a, b) => a[0] - b[0]).map(e => e[1]);""", selector)


def test_japanese_title_fills_its_first_line_at_360_px(browser, sites):
    _open(browser, sites["sample"] / "ja" / "china-central-asia.html", 360)
    lines = _phrase_lines(browser, "h1")
    assert lines, "a phrase of the title is broken inside"
    assert len("".join(lines[0])) >= 8, lines   # not 「中国・」 alone


@pytest.mark.parametrize("width", WIDTHS)
def test_japanese_row_headers_break_only_between_phrases(browser, sites, width):
    _open(browser, sites["sample"] / "ja" / "china-central-asia.html", width)
    count = browser.execute_script("return document.querySelectorAll('tbody th').length")
    assert count >= 3
    for index in range(1, count + 1):
        lines = _phrase_lines(browser, f"tbody tr:nth-child({index}) th")
        assert lines is not None, f"row header {index} is broken inside a phrase"


def test_table_captions_and_index_cells_are_readable_at_360_px(browser, sites):
    _open(browser, sites["sample"] / "ja" / "china-central-asia.html", 360)
    caption, table = browser.execute_script(
        "const c = document.querySelector('caption').getBoundingClientRect();"
        "const t = document.querySelector('.table-wrap').getBoundingClientRect();"
        "return [c.width, t.width];")
    assert caption >= 0.9 * table, (caption, table)
    _open(browser, sites["sample"] / "index.html", 360)
    labels = browser.execute_script("""
        return [...document.querySelectorAll('td.num')].map(td =>
          [getComputedStyle(td, '::before').content, td.textContent.trim()]);""")
    assert labels
    for label, value in labels:
        assert label not in ("none", "normal", '""'), (label, value)


def test_japanese_and_chinese_space_latin_and_digits_from_han(browser, sites):
    """text-autospace: the browser adds space between 2025 and 年, not inside 2025."""
    for lang in ("ja", "zh-Hans"):
        _open(browser, sites["sample"] / lang / "china-central-asia.html", 1280)
        widths = browser.execute_script("""
            const p = document.createElement('p');
            document.querySelector('main').appendChild(p);
            const measure = (text, autospace) => {
              p.textContent = text; p.style.display = 'inline';
              p.style.textAutospace = autospace;
              return p.getBoundingClientRect().width; };
            return [measure('2025年', 'normal'), measure('2025年', 'no-autospace'),
                    measure('年年', 'normal'), measure('年年', 'no-autospace'),
                    getComputedStyle(document.querySelector('main p')).textAutospace];""")
        spaced, plain, han, han_plain, computed = widths
        assert computed == "normal", lang
        assert spaced - plain > 1, (lang, spaced, plain)   # 1/8 em at 16 px is 2 px
        assert han == han_plain, lang
