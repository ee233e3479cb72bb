"""Per-person handouts (``export --per-person --format pdf``) and display rounding that adds up.

One small plan (three named reps), decomposed once, printed once by one Chromium launch."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import dump, minimal_target
from hypothesis import given
from hypothesis import strategies as st

from okrplan import api
from okrplan.cli import cli
from okrplan.export.handout import handouts_html, person_sheets
from okrplan.export.handout_print import browser, page_count, pinned_dates
from okrplan.export.manifest import MANIFEST_FILE
from okrplan.export.planjson import to_json
from okrplan.export.sheetmodel import Sheet, SheetBook, SheetRow, shown_cells
from okrplan.numbers import Scale

PEOPLE = ["张三", "李四", "王五"]


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three named reps who call weekly and visit monthly; 1000万 in 2015."""
    target = minimal_target(
        objectives=[
            {
                "title": "完成个人销售目标",
                "detail": "完成销售总额 万元",
                "at": ["role"],
                "key_results": [
                    {"metric": "visits", "per": "week", "weight": "40%"},
                    {"metric": "deals", "per": "month", "weight": "20%"},
                    {"metric": "revenue", "weight": "40%"},
                ],
            }
        ]
    )
    target["org"]["units"][0]["roles"][0] = {"role": "销售", "people": PEOPLE, "sells": "visits"}
    folder = tmp_path_factory.mktemp("handout")
    (folder / "target.yaml").write_text(dump(target), encoding="utf-8")
    (folder / "plan.json").write_text(
        to_json(api.decompose(folder / "target.yaml")), encoding="utf-8"
    )
    return folder / "plan.json"


def test_a_page_per_person_in_one_pdf(plan_dir: Path) -> None:
    """One Chromium print: a page per named person, each file in the manifest; page 2 drawn."""
    if browser() is None or shutil.which("pdftoppm") is None:
        pytest.skip("Chromium or poppler-utils is not installed")
    out = plan_dir.parent / "handouts"
    (out).mkdir()
    (out / "mine.txt").write_text("the planner's", encoding="utf-8")
    args = ["export", str(plan_dir), "--per-person", "-f", "pdf", "--pdf-each", "-o", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    pdf = out / "test-个人OKR.pdf"
    assert page_count(pdf.read_bytes()) == len(PEOPLE)
    for name in PEOPLE:  # --pdf-each: one page each, named like their sheet files
        assert page_count((out / f"销售部-销售-{name}.pdf").read_bytes()) == 1
    manifest = (out / MANIFEST_FILE).read_text(encoding="utf-8")
    assert "test-个人OKR.pdf" in manifest and "mine.txt" not in manifest
    assert (out / "mine.txt").read_text(encoding="utf-8") == "the planner's"
    # The date Chromium stamps is pinned, so the same plan prints the same bytes.
    assert b"/CreationDate (D:20000101000000" in pdf.read_bytes()
    # Page 2 as a grey image at 20 dpi (A4 portrait, 8.27 × 11.69 in: 166 × 234 px): inked.
    gray = subprocess.run(
        ["pdftoppm", "-gray", "-r", "20", "-f", "2", "-l", "2", str(pdf)],
        capture_output=True,
        check=True,
    ).stdout
    width, height, pixels = _pgm(gray)
    assert (width, height) == (166, 234)
    dark = sum(1 for p in pixels if p < 128)
    assert 0.01 * width * height < dark < 0.5 * width * height


def _pgm(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and pixels of a binary PGM (``P5``) image."""
    found = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert found is not None
    width, height = int(found.group(1)), int(found.group(2))
    return width, height, data[found.end() : found.end() + width * height]


def test_the_page_holds_the_sheet_quarters_and_weeks(plan_dir: Path) -> None:
    plan = api.load_plan(plan_dir)
    book = person_sheets(plan)
    assert [s.person for s in book.sheets] == PEOPLE
    page = handouts_html(plan, book)
    assert page.count("<section>") == 3
    for word in (
        "序号",
        "目标 (O)",
        "关键成果 (KRs)",
        "KR权重",
        "O分值",
        "分期目标",
        "每周活动目标",
    ):
        assert word in page
    assert "2015-W01" not in page and ">W01<" in page  # weeks by quarter, the year once
    assert "每月目标" in page and ">2015-01<" in page and ">02<" in page


def test_refused_without_per_person(plan_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["export", str(plan_dir), "-f", "pdf"])
    assert result.exit_code == 2 and "--per-person" in result.output


def test_shown_quarters_add_up_to_the_shown_total() -> None:
    """回款 522.5万 in quarters of 78.8, 130.9, 130.4 and 182.4万 (a 10万 step: whole 万).
    Each rounded alone: 79 + 131 + 130 + 182 = 522, one short of the 523万 shown beside them.
    Largest remainders: floors 78 + 130 + 130 + 182 = 520, three more to .9, .8 and the first
    .4: 79 + 131 + 131 + 182 = 523."""
    quarters = ("2015-Q1", "2015-Q2", "2015-Q3", "2015-Q4")
    row = SheetRow(
        1,
        "o",
        "提升回款率",
        "",
        30,
        True,
        1,
        "k",
        "回款额",
        "derived",
        25,
        Decimal("522.5"),
        "523万",
        "万元",
        "全期",
        Decimal("522.5"),
        (Decimal("78.8"), Decimal("130.9"), Decimal("130.4"), Decimal("182.4")),
        False,
        "money",
        Decimal(10_000),
    )
    sheet = Sheet(
        "s",
        "r",
        "role",
        "销售岗OKR计划表",
        (),
        ("A公司",),
        "销售岗",
        "销售岗",
        None,
        1,
        None,
        None,
        (),
        (row,),
    )
    book = SheetBook("A公司", "2015", "zh-CN", "CNY", (), quarters, (sheet,), "汇总", "a")
    cells = shown_cells(sheet, book)[0]
    assert cells["scored"] == "523万"
    assert [cells[f"period:{q}"] for q in quarters] == ["79万", "131万", "131万", "182万"]


def test_parts_by_hand() -> None:
    # 522.5万 in quarters 78.8 / 130.9 / 130.4 / 182.4万, shown in whole 万: the total shows
    # 523 (522.5 rounds half up); floors 78+130+130+182 = 520, 3 short: the largest
    # remainders .9 (130.9), .8 (78.8), then the first .4 (130.4) go up: 79+131+131+182 = 523.
    wan = Scale(4, "万", 0)
    shown = wan.parts([788_000, 1_309_000, 1_304_000, 1_824_000])
    assert shown == [790_000, 1_310_000, 1_310_000, 1_820_000]
    # None stays None; 1.57亿 in 亿 to two places: 0.4 + 0.4 + 0.4 + 0.37 (exact).
    yi = Scale(8, "亿", 2)
    assert yi.parts([40_000_000, None, 40_000_000, 40_000_000, 37_000_000]) == [
        40_000_000,
        None,
        40_000_000,
        40_000_000,
        37_000_000,
    ]


@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=13))
def test_parts_add_up_and_stay_within_a_digit(values: list[int]) -> None:
    scale = Scale(4, "万", 0)
    quantum = Decimal(10_000)
    shown = [p for p in scale.parts(values) if p is not None]
    exact = sum(Decimal(v) for v in values)
    assert sum(shown) == (exact / quantum).quantize(Decimal(1), "ROUND_HALF_UP") * quantum
    for part, value in zip(shown, values, strict=True):
        assert abs(part - value) < quantum


def test_pinned_dates_keep_every_offset() -> None:
    pdf = (
        b"%PDF-1.4\n<</CreationDate (D:20261130015250+00'00')\n/ModDate (D:20261130015250+00'00')>>"
    )
    fixed = pinned_dates(pdf)
    assert len(fixed) == len(pdf)
    assert fixed.count(b"D:20000101000000+00'00'") == 2


def test_the_pages_that_ran_over_are_found_by_their_footers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three people on five pages: 2's page ran onto page 3 and 3's onto page 5 (pdftotext
    may drop the spaces of the footer)."""
    from okrplan.export import handout

    texts = ["… 第 1 页，共 3 页", "…", "… 第2页，共3页", "…", "… 第 3 页，共 3 页"]
    monkeypatch.setattr(handout, "page_texts", lambda pdf: texts)
    assert handout.overflowed(b"", 3, "第 {n} 页，共 {total} 页") == [2, 3]
    monkeypatch.setattr(handout, "page_texts", lambda pdf: None)  # no pdftotext: everyone
    assert handout.overflowed(b"", 3, "page {n} of {total}") == [1, 2, 3]
