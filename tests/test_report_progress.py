"""The progress section of report.html: present once the store has check-ins, charts drawn,
hostile names shown as text. The section in a real browser is tested in
test_report_browser.py (test_a_name_that_is_a_script_is_shown_and_never_run: one page with
markup for names and check-ins in its folder), in that file's browser: one Chromium started,
not two. The plan with check-ins here is conftest's ``hostile_progress``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from okrplan import api
from okrplan.export.report_progress import section


def test_the_section_escapes_every_name(hostile_progress: tuple[api.Plan, Path]) -> None:
    plan, folder = hostile_progress
    from okrplan.progress import latest

    html = section(plan, latest(folder), date(2015, 4, 30))
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count('<svg class="burnup"') >= 1 and 'class="heat"' in html
    page = api.report_html(plan, draw=False, folder=folder)
    assert page.count('id="progress"') == 1 and page.index('id="progress"') < page.index("</body>")
    assert 'id="progress"' not in api.report_html(plan, draw=False)  # no folder: no section
