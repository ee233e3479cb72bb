"""The progress section of report.html: present once the store has check-ins, charts drawn,
hostile names shown as text (in a real browser where Chromium is installed)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from fractions import Fraction as F
from pathlib import Path
from typing import Any

import pytest
from conftest import minimal_target
from test_report_browser import BROWSER_ARGS, CHROMIUM, Page

from okrplan import api
from okrplan.export.report_progress import section
from okrplan.progress import CheckIn, record

HOSTILE_UNIT = "<script>alert(1)</script>"
HOSTILE_ROLE = '"><img src=x onerror=alert(2)>'


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[api.Plan, Path]:
    target = minimal_target(plan={"seasonality": ["20%", "20%", "20%", "40%"]})
    target["org"]["units"][0]["name"] = HOSTILE_UNIT
    target["org"]["units"][0]["roles"][0]["role"] = HOSTILE_ROLE
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / "target.yaml"
    import yaml

    path.write_text(yaml.safe_dump(target, allow_unicode=True), encoding="utf-8")
    plan = api.decompose(path)
    team = next(k for k in plan.graph if str(k).startswith("k:") and "img" in str(k))
    record(folder, [CheckIn(team, "2015-03", F(50_000)), CheckIn(team, "2015-04", F(60_000))],
           source="test")  # fmt: skip
    return plan, folder


def test_the_section_escapes_every_name(hostile: tuple[api.Plan, Path]) -> None:
    plan, folder = hostile
    from okrplan.progress import latest

    html = section(plan, latest(folder), date(2015, 4, 30))
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count('<svg class="burnup"') >= 1 and 'class="heat"' in html
    page = api.report_html(plan, draw=False, folder=folder)
    assert page.count('id="progress"') == 1 and page.index('id="progress"') < page.index("</body>")
    assert 'id="progress"' not in api.report_html(plan, draw=False)  # no folder: no section


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=BROWSER_ARGS,
            viewport={"width": 1400, "height": 900}, offline=True,
        )  # fmt: skip
        yield context
        context.close()


def test_the_section_in_a_browser(
    hostile: tuple[api.Plan, Path], browser: Any, tmp_path: Path
) -> None:
    plan, folder = hostile
    path = tmp_path / "report.html"
    path.write_text(api.report_html(plan, draw=False, folder=folder), encoding="utf-8")
    viewer = Page(browser)
    page = viewer.open(path)
    time.sleep(0.2)  # a script injected by a name would have run by now
    progress = page.locator("#progress")
    assert progress.is_visible()
    assert progress.locator("svg.burnup").count() >= 1
    assert progress.locator("svg.burnup polyline.plan").count() >= 1
    assert progress.locator("table.heat td.swatch").count() >= 1
    assert HOSTILE_UNIT in progress.inner_text()  # shown as text
    assert progress.locator("img").count() == 0 and progress.locator("script").count() == 0
    viewer.check_clean(path)
