"""read_columns reads a CSV without quotes by splitting its lines (tabular._plain_columns), the
usual table column by column (tabular._scan_columns) and any other row by row
(tabletext.scan_table): the same columns, lines, warnings and errors every way."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from okrplan import tabular
from okrplan.errors import InputError

CASES = [
    "name,unit\n张三,华东\n李四,华北\n",  # the usual table
    "\n\n name , UNIT \n 张三 , 华东 \n,\n  ,  \n李四,\n",  # blank lines, spaces, blank rows
    "name,unit,\n张三,华东,\n",  # a trailing empty header column: rows wider than the header
    "name,unit\n张三\n李四,华北\n",  # a short row
    "name,unit\n张三,华东,extra\n",  # a value beyond the header: an error
    "name,name\n张三,李四\n",  # a column named twice: an error
    "name,,unit\n张三,,华东\n",  # a header without a name for a column
    "name,unit\n",  # no rows
    "name,unit\n,\n",  # only a blank row
    ",\n\n",  # no header: an error
    "name\tunit\n张三\t华东\n",  # tabs
    "name,unit\n" + "x" * 10_001 + ",y\n",  # a value over the limit: an error
    "name,unit\r\n张三,华东\r李四,华北\r\n\r\n",  # Windows and old Mac line ends
    "name\n\n张三\n \n李四",  # one column: empty lines are blank rows; no last line end
    "\u3000name ,unit\u3000\n\u3000张三,\x1c华东\u2028\n",  # other spaces and separators
    "",  # an empty file: an error
]
WAYS = ("plain", "columns", "rows")


def read(path: Path, way: str) -> tabular.Columns | str:
    with pytest.MonkeyPatch.context() as patch:
        if way != "plain":
            patch.setattr(tabular, "_plain_columns", lambda file, lines, delimiter, notes: None)
        if way == "rows":
            patch.setattr(tabular, "_scan_columns", lambda file, records, notes: None)
        try:
            return tabular.read_columns(path)
        except InputError as exc:
            return "\n".join(map(str, exc.issues))


@pytest.mark.parametrize("text", CASES)
def test_both_ways_read_alike(tmp_path: Path, text: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    assert read(path, "plain") == read(path, "columns") == read(path, "rows")


def test_random_tables_read_alike(tmp_path: Path) -> None:
    rng = random.Random(17)
    path = tmp_path / "r.csv"
    pieces = ["", " ", "a", " b ", "张三", "x,y", '"q"', "\t"]
    for case in range(120):
        width = rng.randint(1, 4)
        rows = [[rng.choice(pieces) for _ in range(rng.randint(0, width + 1))]
                for _ in range(rng.randint(0, 6))]  # fmt: skip
        quoted = case % 2  # every other table without quotes: the plain way reads it
        end = rng.choice(["\n", "\r\n", "\r"])
        text = end.join(
            ",".join(f'"{v}"' if "," in v and quoted else v.replace('"', "") for v in r)
            for r in rows
        )
        path.write_bytes((text + rng.choice(["", end])).encode())
        assert read(path, "plain") == read(path, "columns") == read(path, "rows"), text
