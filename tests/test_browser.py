"""The pages as a person sees them: a real headless Chromium against a real server on 127.0.0.1.

Screenshots are saved in test-artifacts/. Needs Debian's chromium (CI installs it); where
it is missing outside CI the test is skipped with the reason, in CI it fails.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from provenance import build_database
from provenance.publish import datasette_args, write_metadata

from .conftest import HERE, ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "test-artifacts"
FIRST_COMBAT = "soviet-air-force-first-combat-1950-11-01"

if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

playwright = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(seeds: Path, folder: Path):
    db = folder / "provenance.db"
    build_database(seeds, db)
    metadata = write_metadata(folder / "metadata.json", "provenance")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "datasette", *datasette_args(db, metadata, "127.0.0.1", port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("the server did not start") from None
            time.sleep(0.1)
    return process, base


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    corpus = _serve(ROOT / "seeds", tmp_path_factory.mktemp("corpus"))
    hostile = _serve(HERE / "hostile", tmp_path_factory.mktemp("hostile"))
    yield corpus[1], hostile[1]
    for process, _ in (corpus, hostile):
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


def _page(browser, dialogs: list):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return page


def _shot(page, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def test_pages_of_the_bundled_corpus(servers, browser):
    base, _ = servers
    dialogs: list[str] = []
    page = _page(browser, dialogs)

    page.goto(base + "/")
    assert page.locator("h1").inner_text() == "Claims, evidence, and where it comes from"
    _shot(page, "home")

    page.goto(f"{base}/claim/{FIRST_COMBAT}")
    assert "first entered combat" in page.locator("h1").inner_text()
    assert page.locator(".side.supports blockquote").count() >= 2
    diagram = page.locator("svg.chain")
    assert diagram.is_visible()
    assert diagram.locator("g.node").count() >= 4
    assert diagram.bounding_box()["width"] > 300
    _shot(page, "claim-first-combat")
    _shot(page, "claim-first-combat-screen", full_page=False)  # the one in the README

    page.goto(base + "/source/zhang-2020")
    marks = page.locator("mark.passage")
    assert marks.count() > 10
    first = marks.first
    first.scroll_into_view_if_needed()
    assert first.is_visible()
    _shot(page, "source-zhang-2020")

    page.goto(base + "/contradictions")
    assert page.locator("section.contradiction").count() >= 3
    _shot(page, "contradictions")
    assert dialogs == []


def _passage_in_view(page, anchor: str) -> bool:
    """Whether the passage with this anchor is on screen (the anchor is its mark, or an
    empty span just before it when several passages start together)."""
    return page.evaluate(
        """anchor => {
            let target = document.getElementById(anchor);
            if (target && target.tagName === "SPAN") { while (target && target.tagName !== "MARK") target = target.nextElementSibling; }
            if (!target) return false;
            const box = target.getBoundingClientRect();
            return box.height > 0 && box.bottom > 0 && box.top < window.innerHeight;
        }""",
        anchor,
    )


def test_links_on_the_claim_page_reach_the_highlighted_passage(servers, browser):
    base, _ = servers
    page = _page(browser, [])
    page.goto(f"{base}/claim/{FIRST_COMBAT}")
    for i in range(page.locator(".side.supports blockquote .attribution a").count()):
        page.goto(f"{base}/claim/{FIRST_COMBAT}")
        link = page.locator(".side.supports blockquote .attribution a").nth(i)
        href = link.get_attribute("href")
        link.click()
        page.wait_for_load_state()
        assert _passage_in_view(page, href.split("#", 1)[1]), href


def test_an_old_link_to_a_passage_on_a_later_page_lands_on_it(servers, browser, bundled_db):
    import sqlite3

    base, _ = servers
    conn = sqlite3.connect(bundled_db)
    passage = conn.execute(
        "select id from evidence where source_id = 'zhang-2020' and anchor_start is not null order by anchor_start, id limit 1 offset 200"
    ).fetchone()[0]
    conn.close()
    page = _page(browser, [])
    page.goto(f"{base}/source/zhang-2020#ev-{passage}")  # no ?ev=: the page's script asks for the page holding it
    page.wait_for_url(f"**ev={passage}**")
    page.wait_for_load_state()
    assert _passage_in_view(page, f"ev-{passage}")


CONSOLE_PAGES = [
    "/",
    f"/claim/{FIRST_COMBAT}",
    f"/claim/{FIRST_COMBAT}.json",
    "/source/zhang-2020",
    "/source/zhang-2020?full=1",
    "/source/zhang-2020?page=3",
    "/contradictions",
    "/search?q=Yalu",
    "/entity/andong",
    "/no-such-page",
    "/claim/no-such-claim",
    "/provenance",
    "/provenance/claims",
    f"/provenance/claims/{FIRST_COMBAT}",
    "/provenance?sql=select+id,+statement+from+claims+limit+5",
    "/provenance/claims?_sort=nope",
]


def test_no_content_security_policy_errors_on_any_page(servers, browser):
    """Every page's own scripts run under its policy, Datasette's inline ones included:
    the console has no complaint and no script failed."""
    base, _ = servers
    page = _page(browser, [])
    messages, errors = [], []
    page.on("console", lambda m: messages.append((page.url, m.type, m.text)))
    page.on("pageerror", lambda e: errors.append((page.url, str(e))))
    for path in CONSOLE_PAGES:
        response = page.goto(base + path)
        assert "content-security-policy" in response.headers, path
        page.wait_for_load_state("load")
    # Datasette's inline script (on every page) closes an open menu on a click elsewhere
    page.goto(f"{base}/claim/{FIRST_COMBAT}")
    page.evaluate(
        "() => { const d = document.createElement('details'); d.id = 'menu'; d.open = true; d.innerHTML = '<summary>m</summary>'; document.body.prepend(d); }"
    )
    page.locator("h1").click()
    assert page.locator("details#menu").evaluate("d => d.open") is False
    complaints = [m for m in messages if "Content Security Policy" in m[2] or "Refused to" in m[2]]
    assert complaints == [] and errors == []


def test_direction_overrides_are_shown_escaped(servers, browser):
    _, base = servers
    page = _page(browser, [])
    for path in ("/source/bidi", "/claim/bidi-claim", "/entity/bidi-sender"):
        page.goto(base + path)
        text = page.evaluate("() => document.title + ' ' + document.body.innerText")
        assert "⟨U+202E⟩" in text and "\u202e" not in text and "\u2066" not in text, path
    page.goto(base + "/source/bidi")
    assert "report⟨U+202E⟩txt.exe" in page.locator("h1").inner_text()
    link = page.locator("a[rel~=nofollow]")
    assert link.get_attribute("href") == "https://example.org/report%E2%80%AEtxt.exe"
    _shot(page, "bidi-source")


HOSTILE_PAGES = [
    "/",
    "/claim/evil-claim",
    "/claim/evil-claim-2",
    "/source/evil",
    "/source/cited-work",
    "/entity/villain",
    "/contradictions",
    "/search?q=alert",
    "/provenance/sources/evil",
    "/provenance/claims/evil-claim",
]


def test_hostile_text_stays_inert_in_a_real_browser(servers, browser):
    _, base = servers
    dialogs: list[str] = []
    page = _page(browser, dialogs)
    for path in HOSTILE_PAGES:
        page.goto(base + path)
        page.wait_for_load_state("load")
        # hover and click over everything that came from the data, as a curious reader would
        for element in page.locator("mark, blockquote, dd, h1, li").all()[:40]:
            try:
                element.hover(timeout=500)
            except playwright.Error:
                continue  # hidden or detached: nothing to hover
        executed = page.evaluate("() => document.querySelectorAll('script:not([src])').length")
        injected = page.evaluate(
            "() => [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length"
        )
        assert injected == 0, path
        assert executed <= 2, path  # Datasette's own inline scripts only
        if path == "/source/evil":
            _shot(page, "hostile-source")
    assert dialogs == [], f"payloads executed: {dialogs}"
