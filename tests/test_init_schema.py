"""`okrplan init`, `okrplan schema` and the help texts, through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from okrplan import api
from okrplan.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
TEMPLATE_FILES = sorted((ROOT / "okrplan" / "templates").glob("*.yaml"))
DOCUMENTS = [*SCENARIOS, *TEMPLATE_FILES]
COMMANDS = sorted(cli.commands)


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    result = _run("schema")
    assert result.exit_code == 0, result.output
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_every_template_is_shipped() -> None:
    assert sorted(p.stem for p in TEMPLATE_FILES) == sorted(api.TEMPLATES)


@pytest.mark.parametrize("template", api.TEMPLATES, ids=api.TEMPLATES)
def test_init_writes_a_template_that_validates(tmp_path: Path, template: str) -> None:
    path = tmp_path / "target.yaml"
    result = _run("init", "--template", template, str(path))
    assert result.exit_code == 0, result.output
    assert f"已写入 {path}；" in result.stderr  # the starters are zh-CN
    assert path.read_text(encoding="utf-8") == api.template_text(template)
    checked = api.check_file(path)
    assert checked.ok, [str(i) for i in checked.issues]
    assert checked.issues == ()


def test_init_defaults_to_the_sales_template(tmp_path: Path) -> None:
    path = tmp_path / "target.yaml"
    assert _run("init", str(path)).exit_code == 0
    assert path.read_text(encoding="utf-8") == api.template_text("sales")


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "target.yaml"
    path.write_text("mine\n", encoding="utf-8")
    result = _run("init", str(path))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path} already exists; pass --force to replace it\n"
    assert path.read_text(encoding="utf-8") == "mine\n"


def test_init_force_replaces(tmp_path: Path) -> None:
    path = tmp_path / "target.yaml"
    path.write_text("mine\n", encoding="utf-8")
    result = _run("init", "--template", "market-share", "--force", str(path))
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == api.template_text("market-share")


def test_init_rejects_an_unknown_template(tmp_path: Path) -> None:
    result = _run("init", "--template", "nope", str(tmp_path / "target.yaml"))
    assert result.exit_code == 2
    assert not (tmp_path / "target.yaml").exists()


def test_schema_prints_json(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"
    assert {"plan", "kpi", "metrics", "org"} <= set(schema["required"])


@pytest.mark.parametrize("path", DOCUMENTS, ids=[f"{p.parent.name}/{p.stem}" for p in DOCUMENTS])
def test_documents_validate_against_the_json_schema(
    validator: Draft202012Validator, path: Path
) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ]
    assert errors == []


def _sales_template() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(api.template_text("sales"))
    return document


def _with_unknown_top_level_key(doc: dict[str, Any]) -> None:
    doc["targets"] = doc.pop("kpi")


def _with_headcount_as_text(doc: dict[str, Any]) -> None:
    doc["org"]["units"][0]["roles"][0]["headcount"] = "eight"


def _with_unknown_role_key(doc: dict[str, Any]) -> None:
    doc["org"]["units"][0]["roles"][0]["headcounts"] = 8


def _with_bad_locale(doc: dict[str, Any]) -> None:
    doc["plan"]["locale"] = "fr"


def _without_plan(doc: dict[str, Any]) -> None:
    del doc["plan"]


BAD = [
    ("unknown-top-level-key", _with_unknown_top_level_key),
    ("headcount-as-text", _with_headcount_as_text),
    ("unknown-role-key", _with_unknown_role_key),
    ("bad-locale", _with_bad_locale),
    ("missing-plan", _without_plan),
]


@pytest.mark.parametrize("spoil", [b[1] for b in BAD], ids=[b[0] for b in BAD])
def test_the_json_schema_rejects_bad_documents(validator: Draft202012Validator, spoil: Any) -> None:
    document = _sales_template()
    assert validator.is_valid(document)
    spoil(document)
    assert not validator.is_valid(document)


def test_schema_output_file(tmp_path: Path, schema: dict[str, Any]) -> None:
    path = tmp_path / "target.schema.json"
    result = _run("schema", "-o", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert json.loads(path.read_text(encoding="utf-8")) == schema
    again = _run("schema", "-o", str(path))
    assert again.exit_code == 1
    assert "already exists" in again.stderr
    assert _run("schema", "-o", str(path), "--force").exit_code == 0


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)], ids=["okrplan", *COMMANDS])
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_has_an_example(command: list[str], flag: str) -> None:
    result = _run(*command, flag)
    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout
