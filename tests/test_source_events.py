"""The one-pass reader of plain YAML (okrplan.source_events) against the full reader."""

from __future__ import annotations

import pytest
import yaml

from okrplan import source
from okrplan.source_events import plain_values

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PLAIN = [
    "plan:\n  name: A公司\n  year: 2015\n",
    "a: [1, 2.5, '3', yes, ~, '', 2015-06-30]\nb:\n  - {x: 1}\n  - - deep\n    - 2\n5: five\n",
    'k: "quoted: text, é"\nm: |\n  two\n  lines\n',
    "org:\n  units:\n  - name: 华东\n    roles:\n    - {role: 销售, headcount: 10}\n",
]


@pytest.mark.parametrize("text", PLAIN)
def test_same_values_and_positions_as_the_full_reader(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = plain_values(text, LOADER, source.MAX_DEPTH, source.MAX_VALUES)
    monkeypatch.setattr(source, "plain_values", lambda *args: None)
    monkeypatch.setattr(source, "line_values", lambda *args: None)
    slow = source.parse_yaml(text)
    assert fast is not None
    assert fast == (slow.data, slow.values, slow.keys)
    assert list(fast[1]) == list(slow.values) and list(fast[2]) == list(slow.keys)


@pytest.mark.parametrize(
    "text",
    [
        "",  # empty
        "just text\n",  # not a collection
        "a: &x {b: 1}\nc: *x\n",  # anchors and aliases
        "a: {b: 1}\nc:\n  <<: {d: 2}\n",  # a merge
        "a: !!str 5\n",  # a tag
        "a: 1\na: 2\n",  # a key twice
        'a: "bell\\x07"\n',  # an escape writing a control character
        "? [1, 2]\n: x\n",  # a key that is a list
        "a: 1\n---\nb: 2\n",  # two documents
        "a: [1, 2\n",  # a syntax error
        "a: " + "[" * 70 + "]" * 70 + "\n",  # too deep
    ],
)
def test_anything_else_goes_to_the_full_reader(text: str) -> None:
    assert plain_values(text, LOADER, source.MAX_DEPTH, source.MAX_VALUES) is None


def test_too_many_values_goes_to_the_full_reader() -> None:
    text = "a: [1, 2, 3]\n"  # the mapping, the list and three numbers: 5 values
    assert plain_values(text, LOADER, source.MAX_DEPTH, 5) is not None
    assert plain_values(text, LOADER, source.MAX_DEPTH, 4) is None
