"""The `ecoplan` CLI in process (click's CliRunner): options, outputs, errors, exit codes.

These tests check structure and validity, never exact extraction results, which
belong to the parser tests.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import click
import pytest

from ecoplan import writing
from ecoplan.commands import main
from ecoplan.errors import OutputError
from ecoplan.outputs import loads_output_data
from ecoplan.schema import Plan, Section
from ecoplan.validate import check_schema

TOP_KEYS = list(Plan.model_fields)
_fdopen = os.fdopen  # the real one, for when a test replaces it


def load_yaml(text: str) -> dict:
    return loads_output_data(text)


def assert_valid(data: dict) -> Plan:
    plan, issues = check_schema(data)
    assert not issues, issues
    assert plan is not None
    return plan


def no_leftovers(folder: Path) -> list[str]:
    """Temporary files write_atomic might have left behind."""
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


# --- help ----------------------------------------------------------------------------------------


def test_every_command_has_help_text(cli) -> None:
    assert main.help
    for name, command in main.commands.items():
        assert command.help and len(command.help) > 40, f"{name} has no help text"
        assert command.get_short_help_str(), name
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts} has no help"
        result = cli(name, "--help")
        assert result.exit_code == 0, result.output
        assert "Usage: ecoplan " + name in result.stdout


def test_group_help_lists_commands_and_exit_codes(cli) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    for name in ("parse", "validate", "schema"):
        assert name in result.stdout
    assert "Exit status" in result.stdout


def test_no_command_is_a_usage_error(cli) -> None:
    assert cli("parse").exit_code == 2
    assert cli("validate").exit_code == 2
    assert cli("nonsense").exit_code == 2
    assert cli("parse", "--format", "xml", "x.txt").exit_code == 2
    assert cli("parse", "--jobs", "0", "x.txt").exit_code == 2


# --- parse: one input ----------------------------------------------------------------------------


def test_parse_one_file_to_stdout_as_yaml(cli, plan_file: Path) -> None:
    result = cli("parse", plan_file)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    data = load_yaml(result.stdout)
    assert list(data) == TOP_KEYS
    plan = assert_valid(data)
    assert plan.source.path == str(plan_file)
    assert plan.sections


def test_yaml_is_readable_and_stable(cli, plan_file: Path) -> None:
    text = cli("parse", plan_file).stdout
    assert "\\u" not in text and "总体要求" in text
    spans = re.findall(r"^\s*span: (.*)$", text, re.M)
    assert spans and all(re.fullmatch(r"\[\d+, \d+\]", s) for s in spans)
    section_keys = [m.group(1) for m in re.finditer(r"^- (\w+):|^  (\w+):", text, re.M) if m.group(1)]
    assert section_keys[0] == "marker"  # the first field of Section comes first
    assert cli("parse", plan_file).stdout == text


def test_parse_json_is_utf8_and_in_schema_order(cli, plan_file: Path) -> None:
    result = cli("parse", "--format", "json", plan_file)
    assert result.exit_code == 0
    assert "\\u" not in result.stdout and "总体要求" in result.stdout
    data = json.loads(result.stdout)
    assert list(data) == TOP_KEYS
    assert list(data["sections"][0]) == list(Section.model_fields)
    assert_valid(data)


def test_yaml_and_json_hold_the_same_data(cli, plan_file: Path) -> None:
    as_yaml = load_yaml(cli("parse", plan_file).stdout)
    as_json = json.loads(cli("parse", "--format", "json", plan_file).stdout)
    assert as_yaml == as_json


def test_stdin_dash(cli, plan_file: Path) -> None:
    result = cli("parse", "-", input=plan_file.read_bytes())
    assert result.exit_code == 0, result.output
    plan = assert_valid(load_yaml(result.stdout))
    assert plan.source.path is None
    assert plan.sections


def test_stdin_given_twice_is_a_usage_error(cli) -> None:
    assert cli("parse", "-", "-", input=b"x").exit_code == 2


def test_output_file(cli, plan_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.yaml"
    result = cli("parse", plan_file, "-o", out)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert_valid(load_yaml(out.read_text(encoding="utf-8")))
    assert no_leftovers(tmp_path) == []


def test_output_dash_is_stdout(cli, plan_file: Path) -> None:
    result = cli("parse", plan_file, "-o", "-")
    assert result.exit_code == 0 and load_yaml(result.stdout)


def test_one_input_into_existing_directory(cli, plan_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert cli("parse", plan_file, "-o", out, "--format", "json").exit_code == 0
    assert_valid(json.loads((out / "plan.json").read_text(encoding="utf-8")))


# --- parse: batches ------------------------------------------------------------------------------


@pytest.fixture
def make_plans(sample_plan: str):
    """make_plans(folder, n) writes n variants of the sample plan as folder/plan<i>.txt."""

    def make(folder: Path, n: int) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for i in range(n):
            path = folder / f"plan{i}.txt"
            path.write_text(sample_plan.replace("2024", str(2020 + i)), encoding="utf-8")
            paths.append(path)
        return paths

    return make


def test_several_inputs_need_an_output_directory(cli, make_plans, tmp_path: Path) -> None:
    paths = make_plans(tmp_path / "in", 2)
    result = cli("parse", *paths)
    assert result.exit_code == 2
    assert "-o DIR" in result.stderr
    assert result.stdout == ""


def test_several_inputs_into_directory(cli, make_plans, tmp_path: Path) -> None:
    paths = make_plans(tmp_path / "in", 3)
    out = tmp_path / "out" / "nested"
    result = cli("parse", *paths, "-o", out, "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert sorted(p.name for p in out.iterdir()) == ["plan0.yaml", "plan1.yaml", "plan2.yaml"]
    for p in out.iterdir():
        assert_valid(load_yaml(p.read_text(encoding="utf-8")))
    assert result.stderr.strip() == "ecoplan: 3 parsed, 0 failed"


def test_directory_expands_to_its_txt_files(cli, make_plans, tmp_path: Path) -> None:
    make_plans(tmp_path / "in", 2)
    (tmp_path / "in" / "notes.md").write_text("not a plan", encoding="utf-8")
    (tmp_path / "in" / "sub.txt").mkdir()
    out = tmp_path / "out"
    result = cli("parse", tmp_path / "in", "-o", out, "--format", "json")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["plan0.json", "plan1.json"]


def test_directory_alone_still_needs_an_output_directory(cli, make_plans, tmp_path: Path) -> None:
    make_plans(tmp_path / "in", 1)
    assert cli("parse", tmp_path / "in").exit_code == 2


def test_glob_expands(cli, make_plans, tmp_path: Path) -> None:
    make_plans(tmp_path / "in", 3)
    out = tmp_path / "out"
    result = cli("parse", str(tmp_path / "in" / "plan[01].txt"), "-o", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["plan0.yaml", "plan1.yaml"]


def test_empty_directory_and_unmatched_glob_are_reported(cli, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = cli("parse", tmp_path / "empty", str(tmp_path / "*.none"), "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert f"ecoplan: {tmp_path / 'empty'}: no .txt files in directory" in result.stderr
    assert "no files match" in result.stderr
    assert "0 parsed, 2 failed" in result.stderr


def test_output_path_that_is_a_file_is_a_usage_error(cli, make_plans, tmp_path: Path) -> None:
    paths = make_plans(tmp_path / "in", 2)
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    result = cli("parse", *paths, "-o", tmp_path / "taken")
    assert result.exit_code == 2
    assert (tmp_path / "taken").read_text(encoding="utf-8") == "x"


def test_bad_file_is_reported_and_the_batch_goes_on(cli, make_plans, tmp_path: Path) -> None:
    paths = make_plans(tmp_path / "in", 2)
    binary = tmp_path / "in" / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    missing = tmp_path / "missing.txt"
    out = tmp_path / "out"
    result = cli("parse", paths[0], binary, missing, paths[1], "-o", out)
    assert result.exit_code == 2  # a file that cannot be read at all, as documented
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"ecoplan: {binary}: not text")
    assert lines[1] == f"ecoplan: {missing}: no such file"
    assert lines[-1] == "ecoplan: 2 parsed, 2 failed"
    assert "Traceback" not in result.output
    assert sorted(p.name for p in out.iterdir()) == ["plan0.yaml", "plan1.yaml"]


def test_outputs_with_the_same_name_do_not_overwrite_each_other(cli, make_plans, tmp_path: Path) -> None:
    a = make_plans(tmp_path / "a", 1)[0]
    b = make_plans(tmp_path / "b", 1)[0]
    out = tmp_path / "out"
    result = cli("parse", a, b, "-o", out, "--format", "json")
    assert result.exit_code == 1
    assert f"ecoplan: {b}: would overwrite" in result.stderr
    assert json.loads((out / "plan0.json").read_text(encoding="utf-8"))["source"]["path"] == str(a)


def test_jsonl_streams_one_object_per_input_in_order(cli, make_plans, tmp_path: Path) -> None:
    paths = make_plans(tmp_path / "in", 4)
    result = cli("parse", *paths, "--format", "jsonl", "--jobs", "2")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    docs = [json.loads(line) for line in lines]
    assert [d["source"]["path"] for d in docs] == [str(p) for p in paths]
    for d in docs:
        assert_valid(d)
    assert "\\u" not in result.stdout


def test_jsonl_to_a_file(cli, make_plans, tmp_path: Path) -> None:
    paths = make_plans(tmp_path / "in", 2)
    out = tmp_path / "all.jsonl"
    result = cli("parse", *paths, "--format", "jsonl", "-o", out)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    assert cli("parse", *paths, "--format", "jsonl", "-o", tmp_path).exit_code == 2


def test_jobs_give_the_same_bytes_in_input_order(cli, make_plans, tmp_path: Path) -> None:
    paths = make_plans(tmp_path / "in", 6)
    one = cli("parse", *paths, "--format", "jsonl", "--jobs", "1")
    many = cli("parse", *paths, "--format", "jsonl", "--jobs", "3")
    assert one.exit_code == many.exit_code == 0
    assert one.stdout == many.stdout


def test_pool_workers_write_the_output_files_as_one_process_does(cli, make_plans, tmp_path: Path) -> None:
    # Workers write their own outputs; a target they cannot write fails that input alone, with its reason.
    paths = make_plans(tmp_path / "in", 4)
    one = cli("parse", *paths, "-o", tmp_path / "one", "--format", "json", "--jobs", "1")
    (tmp_path / "many" / "plan2.json").mkdir(parents=True)
    many = cli("parse", *paths, "-o", tmp_path / "many", "--format", "json", "--jobs", "2")
    assert one.exit_code == 0 and many.exit_code == 1
    assert f"ecoplan: {tmp_path / 'many' / 'plan2.json'}: cannot write" in many.stderr
    assert "3 parsed, 1 failed" in many.stderr
    for name in ("plan0.json", "plan1.json", "plan3.json"):
        assert (tmp_path / "many" / name).read_bytes() == (tmp_path / "one" / name).read_bytes()
    assert sorted(p.name for p in (tmp_path / "many").iterdir()) == ["plan0.json", "plan1.json", "plan2.json",
                                                                    "plan3.json"]  # no temporary file left


def test_parser_crash_costs_one_file_not_the_batch(cli, make_plans, tmp_path: Path, monkeypatch) -> None:
    import ecoplan.pipeline

    real = ecoplan.pipeline.parse_source

    def flaky(source):
        if source.path and source.path.endswith("plan1.txt"):
            raise ZeroDivisionError("boom")
        return real(source)

    monkeypatch.setattr(ecoplan.pipeline, "parse_source", flaky)
    paths = make_plans(tmp_path / "in", 3)
    result = cli("parse", *paths, "-o", tmp_path / "out", "--jobs", "1")
    assert result.exit_code == 1
    assert f"ecoplan: {paths[1]}: internal error (ZeroDivisionError: boom)" in result.stderr
    assert "Traceback" not in result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["plan0.yaml", "plan2.yaml"]


def test_no_progress_bar_when_stderr_is_not_a_terminal(cli, make_plans, tmp_path: Path) -> None:
    paths = make_plans(tmp_path / "in", 3)
    result = cli("parse", *paths, "-o", tmp_path / "out")
    assert result.stderr == "ecoplan: 3 parsed, 0 failed\n"


# --- atomic outputs ------------------------------------------------------------------------------


class _FailingFile:
    """Writes half of what it is given, then fails like a full disk or a Ctrl-C."""

    def __init__(self, fd: int, exc: BaseException) -> None:
        self.fh = _fdopen(fd, "w", encoding="utf-8")
        self.exc = exc

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.fh.close()

    def write(self, text: str) -> int:
        self.fh.write(text[: len(text) // 2])
        self.fh.flush()
        raise self.exc


@pytest.mark.parametrize("exc", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_write_atomic_never_leaves_a_partial_file(tmp_path: Path, monkeypatch, exc: BaseException) -> None:
    target = tmp_path / "out.yaml"
    target.write_text("old complete content\n", encoding="utf-8")
    monkeypatch.setattr(writing.os, "fdopen", lambda fd, *a, **k: _FailingFile(fd, exc))
    with pytest.raises(OutputError if isinstance(exc, OSError) else KeyboardInterrupt) as info:
        writing.write_atomic(target, "新内容\n" * 1000)
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "old complete content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.yaml"]
    if isinstance(exc, OSError):
        assert str(info.value) == f"{target}: cannot write (No space left on device)"


def test_write_atomic_into_missing_directory_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="cannot write"):
        writing.write_atomic(tmp_path / "no" / "such" / "out.yaml", "x")


def test_interrupted_batch_leaves_complete_files_or_none(cli, make_plans, tmp_path: Path, monkeypatch) -> None:
    """Serialisation fails midway through the batch (Ctrl-C on the third file)."""
    real = writing.write_data
    calls = []

    def interrupted(fh, data, fmt):
        calls.append(1)
        if len(calls) == 3:
            fh.write("source:\n")  # midway
            raise KeyboardInterrupt
        return real(fh, data, fmt)

    monkeypatch.setattr(writing, "write_data", interrupted)
    paths = make_plans(tmp_path / "in", 5)
    out = tmp_path / "out"
    result = cli("parse", *paths, "-o", out, "--jobs", "1")
    assert result.exit_code == 130
    assert "ecoplan: interrupted" in result.stderr
    assert "Traceback" not in result.output
    written = sorted(p.name for p in out.iterdir())
    assert written == ["plan0.yaml", "plan1.yaml"]
    for name in written:
        assert_valid(load_yaml((out / name).read_text(encoding="utf-8")))


def test_failed_parse_keeps_the_previous_output(cli, tmp_path: Path) -> None:
    out = tmp_path / "out.yaml"
    out.write_text("previous\n", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02binary")
    result = cli("parse", bad, "-o", out)
    assert result.exit_code == 1
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert no_leftovers(tmp_path) == []


def test_unwritable_output_is_reported(cli, plan_file: Path, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    result = cli("parse", plan_file, "-o", tmp_path / "a-file" / "out.yaml")
    assert result.exit_code == 2  # found before anything is parsed
    assert result.stderr.startswith(f"ecoplan: -o {tmp_path / 'a-file' / 'out.yaml'}: cannot")
    assert len(result.stderr.strip().splitlines()) == 1


# --- validate ------------------------------------------------------------------------------------


@pytest.fixture
def good_output(cli, plan_file: Path, tmp_path: Path) -> Path:
    out = tmp_path / "plan.yaml"
    assert cli("parse", plan_file, "-o", out).exit_code == 0
    return out


def test_validate_fresh_outputs(cli, good_output: Path, tmp_path: Path, plan_file: Path) -> None:
    as_json = tmp_path / "plan.json"
    assert cli("parse", plan_file, "-o", as_json, "--format", "json").exit_code == 0
    result = cli("validate", good_output, as_json)
    assert result.exit_code == 0, result.output
    assert f"{good_output}: valid" in result.stdout
    assert f"spans checked against {plan_file}" in result.stdout


def test_validate_jsonl_and_stdin(cli, plan_file: Path, tmp_path: Path) -> None:
    stream = cli("parse", plan_file, plan_file, "--format", "jsonl").stdout
    path = tmp_path / "all.jsonl"
    path.write_text(stream, encoding="utf-8")
    result = cli("validate", path)
    assert result.exit_code == 0, result.output
    assert f"{path}:1: valid" in result.stdout and f"{path}:2: valid" in result.stdout
    one = cli("parse", plan_file).stdout
    assert cli("validate", "-", input=one.encode("utf-8")).exit_code == 0


def break_output(path: Path, edit) -> Path:
    data = load_yaml(path.read_text(encoding="utf-8"))
    edit(data)
    broken = path.with_name("broken.yaml")
    broken.write_text(writing.dumps_data(data, "yaml"), encoding="utf-8")
    return broken


def test_validate_reports_schema_errors_with_paths(cli, good_output: Path) -> None:
    def edit(d):
        d["targets"] = [{"indicator": "PM2.5", "comparator": "<=", "value": "thirty", "unit": "%",
                         "text": "PM2.5", "line": 0, "span": [1, 2]}]
        d["sections"][0]["level"] = "1"
        d["meta"]["date"] = "2024-02-30"
        d["surprise"] = True

    broken = break_output(good_output, edit)
    result = cli("validate", broken)
    assert result.exit_code == 1
    out = result.stdout
    assert f"{broken}: invalid" in out
    for path in ("targets[0].value", "targets[0].line", "sections[0].level", "meta.date", "surprise"):
        assert f"error: {path}: " in out, path


def test_validate_json_report(cli, good_output: Path) -> None:
    broken = break_output(good_output, lambda d: d["sections"][0].update(number=-1))
    result = cli("validate", "--format", "json", good_output, broken)
    assert result.exit_code == 1
    reports = json.loads(result.stdout)
    assert [r["valid"] for r in reports] == [True, False]
    issue = reports[1]["issues"][0]
    assert issue == {"severity": "error", "path": "sections[0].number", "code": "schema",
                     "message": issue["message"]}


def test_validate_checks_spans_against_the_source(cli, good_output: Path, plan_file: Path) -> None:
    def edit(d):
        d["sections"][0]["span"] = [0, 10**6]
        d["sections"][1]["span"] = [0, 1]

    broken = break_output(good_output, edit)
    result = cli("validate", broken)
    assert result.exit_code == 1
    assert "error: sections[0].span: span [0, 1000000] is outside the source" in result.stdout
    assert "error: sections[1].span: " in result.stdout
    other = plan_file.with_name("other.txt")
    other.write_text("完全不同的文本。", encoding="utf-8")
    result = cli("validate", good_output, "--source", other)
    assert result.exit_code == 1
    assert "is not the file this output was parsed from" in result.stdout


def test_validate_without_source_still_checks_span_lengths(cli, good_output: Path, plan_file: Path) -> None:
    broken = break_output(good_output, lambda d: d["sections"][0].update(span=[5, 6]))
    plan_file.unlink()
    result = cli("validate", broken)
    assert result.exit_code == 1
    assert "source not found" in result.stdout
    assert "is shorter than its text" in result.stdout


def test_validate_semantic_warnings(cli, good_output: Path) -> None:
    def edit(d):
        top = d["sections"]
        top[2]["number"] = 4  # 一、二、四、
        top[1]["number"] = 1  # and a repeat
        d["meta"]["date"] = "2024-03-01"
        d["deadlines"] = [{"text": "2020年底前", "date": "2020-12-31", "recurring": None, "line": 1, "span": [0, 0]},
                          {"text": "每年2月30日", "date": "--02-30", "recurring": "yearly", "line": 1,
                           "span": [0, 0]}]
        d["percentages"] = [{"value": 180.0, "comparator": None, "text": "优良率180%", "line": 1, "span": [0, 0]}]

    broken = break_output(good_output, edit)
    result = cli("validate", broken)
    out = result.stdout
    assert "warning: sections[1]: cn-dun number 一 repeats" in out
    assert "warning: sections[2]: cn-dun numbering goes from 一 to 四" in out
    assert "warning: deadlines[0].date: 2020-12-31 is before the plan's own date 2024-03-01" in out
    assert "error: deadlines[1].date: --02-30 is not a real date" in out
    assert "warning: percentages[0].value: 180% is outside 0-100" in out


def test_warnings_alone_pass_unless_strict(cli, good_output: Path) -> None:
    broken = break_output(good_output, lambda d: d["sections"][2].update(number=9))
    assert cli("validate", broken).exit_code == 0
    assert cli("validate", "--strict", broken).exit_code == 1


def test_validate_syntax_error_and_unreadable(cli, tmp_path: Path, good_output: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("source: [unclosed\n", encoding="utf-8")
    result = cli("validate", bad)
    assert result.exit_code == 1
    assert "not valid YAML or JSON at line" in result.stdout
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{", encoding="utf-8")
    assert "not valid JSON" in cli("validate", bad_json).stdout
    result = cli("validate", good_output, tmp_path / "missing.yaml")
    assert result.exit_code == 2
    assert f"ecoplan: {tmp_path / 'missing.yaml'}: no such file" in result.stderr
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert cli("validate", empty).exit_code == 1


# --- schema --------------------------------------------------------------------------------------


def test_schema_is_json_schema_of_the_output(cli) -> None:
    result = cli("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "Plan"
    assert list(schema["properties"]) == TOP_KEYS
    assert "力争" in result.stdout  # UTF-8, not \\u escapes
    assert schema == Plan.model_json_schema()
