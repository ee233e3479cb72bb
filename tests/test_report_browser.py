"""The HTML report in a real browser: Debian's Chromium, headless, driven by Playwright.

Each shipped scenario's report is opened from a file, with the network cut off: the tree and
every unit's and role's table must be there, the search box and the outline must work, the
page must run without errors and fetch nothing, and a screenshot of each is saved (to the
folder in ``OKRPLAN_SCREENSHOTS``, else a temporary one; ``--update-golden`` refreshes
``docs/report.png``; close-ups of a role's card, the optimizer and the forecast only with
``OKRPLAN_SCREENSHOTS``). A report for a unit named ``<script>alert(1)</script>`` must show that
text and run nothing.

Playwright drives the system's Chromium; it never downloads a browser of its own. It takes
Debian's ``chromium-headless-shell`` where installed (scripts/test.sh installs it): the same
Blink as ``/usr/bin/chromium`` without the full browser's window machinery, which loads a
report with about a third of the CPU; else ``/usr/bin/chromium`` (``apt install chromium``).
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import HOSTILE_UNIT, minimal_target

from okrplan import api, queries
from okrplan.export.report import anchor_of
from okrplan.export.sheets import build_book
from okrplan.graph import Kind
from okrplan.plan import Plan
from okrplan.present import group_title
from okrplan.queries import as_json

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
CHROMIUMS = (Path("/usr/lib/chromium/chromium-headless-shell"), Path("/usr/bin/chromium"))
CHROMIUM = next((path for path in CHROMIUMS if path.exists()), CHROMIUMS[-1])
DOCS_SHOT = ROOT / "docs" / "report.png"
VIEWPORT = {"width": 1400, "height": 900}
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Chromium is not installed (apt install chromium-headless-shell, or chromium; "
        "scripts/test.sh does)",
    ),
    pytest.mark.skipif(
        api.image_problem() is not None,
        reason="Graphviz `dot` is not installed: the report has no tree to test",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium's fresh context (an in-memory profile: nothing to write to disk or
    to tidy away at the end), its network limited to file:// pages."""
    sync_api = pytest.importorskip("playwright.sync_api")
    started = time.perf_counter()
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=BROWSER_ARGS
        )
        context = chromium.new_context(viewport=VIEWPORT, locale="zh-CN", offline=True)
        print(f"\nChromium started in {time.perf_counter() - started:.1f}s")
        yield context
        context.close()
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("OKRPLAN_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


class Page:
    """A page of the browser that records what it requested, its errors and its dialogs."""

    def __init__(self, context: Any) -> None:
        self.page = context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on(
            "console",
            lambda m: (
                self.errors.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path: Path) -> Any:
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_load_state("load")
        return self.page

    def check_clean(self, path: Path) -> None:
        """Nothing fetched but the page itself, no script error, no dialog."""
        assert self.requests == [path.resolve().as_uri()], self.requests
        assert not self.errors, self.errors
        assert not self.dialogs, self.dialogs


def write_report(plan: Plan, folder: Path) -> tuple[Path, dict[str, str]]:
    """report.html of ``plan`` in ``folder``, and each card's search text by owner: from the
    context the page was rendered from (watched as report_html makes it, not made again)."""
    from unittest import mock

    from okrplan.export import report

    made: list[dict[str, Any]] = []
    real = report.report_context

    def watched(*args: Any, **kwargs: Any) -> dict[str, Any]:
        made.append(real(*args, **kwargs))
        return made[-1]

    with mock.patch.object(report, "report_context", watched):
        html = api.report_html(plan)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "report.html"
    path.write_text(html, encoding="utf-8")
    (context,) = made
    texts: dict[str, str] = {}
    for card in context.get("cards", []):
        texts.setdefault(card.owner, card.search)  # an owner's first card
    return path, texts


def close_up(element: Any, path: Path) -> None:
    """A screenshot of one part of the page, for a person to look at: taken when
    ``OKRPLAN_SCREENSHOTS`` names a folder; otherwise the part need only be on the page, shown
    (as a screenshot would wait for), which spares Chromium three drawings per report."""
    if os.environ.get("OKRPLAN_SCREENSHOTS"):
        element.screenshot(path=str(path))
    else:
        assert element.is_visible(), path.name


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def view_box(page: Any) -> list[float]:
    return [float(v) for v in page.get_attribute("#tree-svg", "viewBox").split()]


# What Playwright's ``is_visible`` and ``:visible`` test (its isElementVisible: the element's
# style is visible and its box is not empty), done in the page for many elements in one call:
# each Playwright call is a round trip through its driver into Chromium that costs the page's
# renderer 5-20 ms of CPU, and a report has up to 26 cards to check four ways each.
_VISIBLE_JS = """const visible = (el) => {
  if (!el || !el.checkVisibility() || getComputedStyle(el).visibility !== "visible") return false;
  const box = el.getBoundingClientRect();
  return box.width > 0 && box.height > 0;
};"""
_CARDS_JS = (
    "(anchors) => {"
    + _VISIBLE_JS
    + """
  return anchors.map((anchor) => {
    const found = document.querySelectorAll("#" + CSS.escape(anchor));
    const card = found.length === 1 ? found[0] : null;
    const selector = `#tree-svg g.node[data-card="${CSS.escape(anchor)}"]`;
    return {
      cards: found.length,
      boxes: document.querySelectorAll(selector).length,
      visible: visible(card),
      rows: card ? card.querySelectorAll("table.sheet tbody tr").length : 0,
      titles: card ? Array.from(card.querySelectorAll("h3 .title"), (t) => t.innerText) : [],
    };
  });
}"""
)
_SHOWN_JS = (
    "() => {"
    + _VISIBLE_JS
    + """
  return Array.from(document.querySelectorAll("article.card"), (card) => card)
    .filter(visible)
    .map((card) => card.innerText);
}"""
)


def cards_of(page: Any, owners: list[str]) -> dict[str, dict[str, Any]]:
    """Each owner's card: how many elements have its id (1), how many boxes in the tree point
    to it, whether it is visible, its table's rows and its titles' texts."""
    found = page.evaluate(_CARDS_JS, [anchor_of(owner) for owner in owners])
    return dict(zip(owners, found, strict=True))


def shown_cards(page: Any) -> list[str]:
    """The texts of the cards that are visible (Playwright's ``article.card:visible``)."""
    texts: list[str] = page.evaluate(_SHOWN_JS)
    return texts


# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_report_in_a_browser(
    scenario: Path, browser: Any, shots: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    started = time.perf_counter()
    plan = api.decompose(scenario)
    path, texts = write_report(plan, tmp_path)
    book = build_book(plan)
    owners = list(dict.fromkeys(s.owner for s in book.sheets))
    viewer = Page(browser)
    page = viewer.open(path)
    zh = plan.locale == "zh-CN"

    # The tree: an inline SVG with a box for every unit and role that has a sheet.
    assert page.locator("#tree-svg").is_visible()
    cards = cards_of(page, owners)
    for owner in owners:
        assert cards[owner]["boxes"] == 1, owner
    tree = page.locator("#tree-svg").bounding_box()
    assert tree and tree["width"] > 600 and tree["height"] > 200

    # Every unit's and role's OKRs as a visible table with its key results.
    for owner in owners:
        card = cards[owner]
        assert card["cards"] == 1 and card["visible"], owner
        assert card["rows"] >= 2, owner
        data = as_json(plan.graph, owner)
        assert len(card["titles"]) == 1, (owner, card["titles"])
        title = card["titles"][0]
        expected = (  # a cohort by how it differs: 销售岗 · 新招 × 3
            f"{group_title(queries.role(plan.graph, owner), plan.locale)} × {data['headcount']}"
            if data["kind"] == Kind.ROLE
            else data["name"]
        )
        assert title == expected
    count = page.locator("#search-count")
    total = len(owners)
    assert count.inner_text() == (
        f"显示 {total} / {total} 张表" if zh else f"{total} of {total} sheets shown"
    )

    # Chinese renders with the CJK font the set-up installs.
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '销售额')")

    # The search box: a role's name leaves that role's cards (and nothing unrelated).
    role = next(
        as_json(plan.graph, o) for o in owners if as_json(plan.graph, o)["kind"] == Kind.ROLE
    )
    query = str(role["name"])
    search = page.locator("#search")
    search.fill(query)
    shown = shown_cards(page)
    matching = [o for o in owners if query.lower() in texts[o]]
    assert len(shown) == len(matching) < total
    for text in shown:
        assert query in text
    assert count.inner_text().startswith(f"显示 {len(matching)} /" if zh else f"{len(matching)}")
    assert page.locator("#outline li.match").count() >= 1
    search.fill("没有这个名字zzz")
    assert shown_cards(page) == []
    assert page.locator("#search-empty").is_visible()
    search.press("Escape")
    assert len(shown_cards(page)) == total
    assert not page.locator("#search-empty").is_visible()

    # The outline: collapse and expand a unit; a name shows its box in the tree; the link
    # beside it opens the unit's table.
    root = page.locator("#outline > ul > li > details")
    first_child = root.locator(":scope > ul > li").first
    assert first_child.is_visible()
    root.locator(":scope > summary").click(position={"x": 4, "y": 8})
    assert not first_child.is_visible()
    root.locator(":scope > summary").click(position={"x": 4, "y": 8})
    assert first_child.is_visible()
    before = view_box(page)
    unit = next(
        o
        for o in owners
        if as_json(plan.graph, o)["kind"] == Kind.UNIT and len(as_json(plan.graph, o)["path"]) > 1
    )
    page.locator(f'#outline button[data-focus="{anchor_of(unit)}"]').click()
    assert page.locator(f'#tree-svg g.node.focus[data-card="{anchor_of(unit)}"]').count() == 1
    assert view_box(page)[2] < before[2]  # zoomed in on the box
    page.locator(f'#outline a[href="#{anchor_of(unit)}"]').first.click()
    assert page.evaluate("location.hash") == f"#{anchor_of(unit)}"
    assert page.locator(f"#{anchor_of(unit)}").is_visible()
    assert _in_viewport(page, f"#{anchor_of(unit)}")

    # Zoom buttons, and a click on a box in the tree opens its table.
    page.locator("#zoom-fit").click()
    fitted = view_box(page)
    page.locator("#zoom-in").click()
    assert view_box(page)[2] < fitted[2]
    page.locator("#zoom-out").click()
    page.locator("#zoom-out").click()
    assert view_box(page)[2] > fitted[2]
    page.locator("#zoom-fit").click()
    assert view_box(page) == fitted
    target = owners[-1]
    page.locator(f'#tree-svg g.node[data-card="{anchor_of(target)}"]').click()
    page.wait_for_timeout(100)
    assert _in_viewport(page, f"#{anchor_of(target)}")

    # Printing hides the controls and shows the whole tree.
    page.emulate_media(media="print")
    assert not page.locator("#outline").is_visible()
    assert not page.locator("#search").is_visible()
    assert page.locator("#tree-svg").is_visible()
    page.emulate_media(media="screen")

    # A screenshot a person looks at: the top of the page, tree and outline.
    page.locator("#zoom-fit").click()
    page.mouse.move(1, 1)
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    shot = shots / f"report-{scenario.stem}.png"
    page.screenshot(path=str(shot))
    close_up(page.locator(f"#{anchor_of(role['id'])}"), shots / f"report-{scenario.stem}-role.png")
    close_up(page.locator("#optimizer"), shots / f"report-{scenario.stem}-optimizer.png")
    # The forecast: the KPI's outcomes in 20 bins with the target marked, P(hit) per unit.
    forecast = page.locator("#forecast")
    assert forecast.locator("svg.forecast-histogram rect").count() == 20
    assert forecast.locator("svg.forecast-histogram text", has_text="目标").count() == 1
    close_up(forecast, shots / f"report-{scenario.stem}-forecast.png")
    assert png_size(shot) == (VIEWPORT["width"], VIEWPORT["height"])
    if scenario.stem == "a-company-2015":
        if request.config.getoption("--update-golden"):
            shutil.copyfile(shot, DOCS_SHOT)
        assert png_size(DOCS_SHOT) == png_size(shot), (
            "docs/report.png is missing or stale: pytest tests/test_report_browser.py "
            "--update-golden"
        )
    viewer.check_clean(path)
    page.close()
    print(
        f"\n{scenario.stem}: report checked in a browser in "
        f"{time.perf_counter() - started:.1f}s; screenshots in {shots}"
    )


def _in_viewport(page: Any, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return bool(box) and box["y"] < VIEWPORT["height"] and box["y"] + box["height"] > 0


def test_a_name_that_is_a_script_is_shown_and_never_run(
    browser: Any, shots: Path, tmp_path: Path, write_target: Any
) -> None:
    """Names that are markup, in the report's tree, cards, forecast and progress section
    (test_report_progress.py): shown as text, never run. One page for both (a page load
    fewer): the plan's folder holds two check-ins of the team's KR."""
    from fractions import Fraction

    from okrplan.progress import CheckIn, record

    evil_unit = HOSTILE_UNIT  # "<script>alert(1)</script>"
    evil_role = '"><img src=x onerror="window.pwned=1;alert(2)">'
    target = minimal_target(
        plan={"seasonality": ["20%", "20%", "20%", "40%"]},
        objectives=[
            {"title": "<b onmouseover=alert(3)>O</b>", "key_results": [{"metric": "revenue"}]}
        ],
    )
    target["org"]["units"][0]["name"] = evil_unit
    target["org"]["units"][0]["roles"][0]["role"] = evil_role
    target["org"]["units"][0]["roles"][0]["capacity"] = {"visits": "60/月"}
    plan = api.decompose(write_target(target))
    folder = tmp_path / "evil"
    folder.mkdir()
    team = next(k for k in plan.graph if str(k).startswith("k:") and "img" in str(k))
    record(
        folder,
        [CheckIn(team, "2015-03", Fraction(50_000)), CheckIn(team, "2015-04", Fraction(60_000))],
        source="test",
    )
    path = folder / "report.html"
    path.write_text(api.report_html(plan, folder=folder), encoding="utf-8")
    viewer = Page(browser)
    page = viewer.open(path)
    page.wait_for_timeout(300)  # a script injected by a name would have run by now
    # The names read as text: in the outline, the card titles and the tree.
    assert page.get_by_text(evil_unit, exact=True).count() >= 2
    assert page.locator("article.card h3 .title", has_text=evil_unit).count() == 1
    assert page.locator("#tree-svg text", has_text=evil_unit).count() == 1
    assert page.locator("article.card h3 .title", has_text="window.pwned=1").count() == 1
    assert page.locator("td.objective", has_text="<b onmouseover=alert(3)>O</b>").count() >= 1
    assert page.locator("#forecast svg.forecast-bars text", has_text="<script>alert(").count() == 1
    # The progress section drawn: a burn-up with the plan's line, a heat map, the names as text.
    progress = page.locator("#progress")
    assert progress.is_visible()
    assert progress.locator("svg.burnup").count() >= 1
    assert progress.locator("svg.burnup polyline.plan").count() >= 1
    assert progress.locator("table.heat td.swatch").count() >= 1
    assert evil_unit in progress.inner_text()  # shown as text
    assert progress.locator("img").count() == 0 and progress.locator("script").count() == 0
    # Nothing ran, nothing was made of them, nothing was fetched.
    assert page.evaluate("window.pwned") is None
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 1
    page.locator("td.objective").first.hover()
    search = page.locator("#search")
    search.fill("<script>")  # the unit, and the role in it
    assert len(shown_cards(page)) == 2
    page.screenshot(path=str(shots / "report-script-name.png"))
    viewer.check_clean(path)
    assert re.search(r"alert\(1\)", page.content())  # as text, escaped in the source
    page.close()
