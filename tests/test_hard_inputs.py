"""Hard inputs through `ecoplan parse`: each gives a valid parse or a one-line error, never a traceback.

A valid parse is checked strictly against the schema and, with the input text,
for spans (inside the input, covering their item) and lines. Exact extraction
results are the parser tests' business; here only structure matters.
"""

from __future__ import annotations

import codecs
import json
import random
from pathlib import Path

import pytest

from ecoplan.reading import decode
from ecoplan.schema import Plan
from ecoplan.validate import check_plan, check_schema

ENGLISH_PAGE = """\
Welcome to the City Library

Opening hours: Monday to Friday, 9am to 6pm. Saturday 10am to 4pm.
1. Borrowing. Members may borrow up to 10 items for 3 weeks.
2. Returns. Late returns cost 0.50 per day; fines above 100% of the item price are waived.
(a) Children's section, 2nd floor.
Contact us at 555-0100 or visit us at 12 Park Road. Last updated 2024-03-01.
"""

# Original prose in the manner of a novel chapter: dialogue, dates, numbers, but no plan.
NOVEL_CHAPTER = """\
第三回　雨夜访旧友

那一年秋天，雨下得特别久。李先生撑着伞，沿着河边的小路慢慢走着，心里想着三十年前的事。
“你还记得那棵老槐树吗？”他问。
老周笑了笑，说：“怎么不记得，一九八五年我们在树下念书，你总说要去大城市。”
两人一边喝茶，一边说起旧事，直到夜深，窗外的雨才渐渐小了。
他们约好明年春天再见，到时候一起回村里看看。
"""

PROSE_ONLY = (
    "全面贯彻落实生态文明思想，坚持精准治污、科学治污、依法治污，持续改善生态环境质量。"
    "加强大气、水、土壤污染防治，推动绿色低碳发展，提升生态系统多样性、稳定性、持续性。\n"
) * 20

HEADINGS_ONLY = """\
一、总体要求
二、主要目标
三、重点任务
（一）深入打好蓝天保卫战
（二）深入打好碧水保卫战
1．推进重点行业深度治理
2．加强移动源污染防治
（三）深入打好净土保卫战
四、保障措施
"""


def parse_json(cli, path: Path | str, input: bytes | None = None) -> dict:
    """Parse to JSON, expecting success; check the output against schema and source."""
    result = cli("parse", "--format", "json", path, input=input)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "Traceback" not in result.output
    data = json.loads(result.stdout)
    plan, issues = check_schema(data)
    assert plan is not None, issues
    raw = input if input is not None else Path(path).read_bytes()
    text, encoding = decode(raw)
    assert data["source"]["encoding"] == encoding
    errors = [i for i in check_plan(plan, text) if i.severity == "error"]
    assert not errors, errors[:5]
    return data


def expect_failure(cli, path: Path | str, reason: str, status: int = 1) -> None:
    """One line on stderr naming the input and the reason, exit `status`, nothing on stdout."""
    result = cli("parse", path)
    assert result.exit_code == status, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"ecoplan: {path}: {reason}"), lines[0]


def titles(data: dict) -> list[str]:
    out: list[str] = []

    def walk(sections: list[dict]) -> None:
        for s in sections:
            out.append(s["title"])
            walk(s["children"])

    walk(data["sections"])
    return out


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


# --- empty and blank -----------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"   ", b"\n\n\n", b" \t\r\n\r\n\x0c", "\u3000\u3000\n\u00a0\n".encode()],
                         ids=["empty", "spaces", "newlines", "mixed-blank", "wide-spaces"])
def test_empty_and_blank_files_give_an_empty_parse(cli, tmp_path: Path, content: bytes) -> None:
    data = parse_json(cli, write(tmp_path, "blank.txt", content))
    for key in ("sections", "targets", "percentages", "deadlines", "departments", "tasks"):
        assert data[key] == [], key


def test_empty_stdin(cli) -> None:
    data = parse_json(cli, "-", input=b"")
    assert data["source"]["path"] is None
    assert data["sections"] == []


# --- binary --------------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
    b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4,
    b"PK\x03\x04\x14\x00\x06\x00" + random.Random(1).randbytes(4096),
    random.Random(2).randbytes(4096).replace(b"\x00", b"\x01"),  # no NUL to give it away
    "一、总体要求\n".encode() + b"\x00" + "坚持精准治污。".encode(),
    "一、总体要求".encode("utf-16-le"),  # UTF-16 without a BOM cannot be told from binary
    bytes([0xFF, 0xFE, 0xFD]) * 100,  # starts like a UTF-16 BOM
    bytes([0xFD, 0xFE, 0xFF]) * 100,
], ids=["png", "elf", "zip", "random-no-nul", "nul-in-text", "utf16-no-bom", "bom-then-junk", "invalid-bytes"])
def test_binary_input_is_a_one_line_error(cli, tmp_path: Path, content: bytes) -> None:
    expect_failure(cli, write(tmp_path, "binary.txt", content), "not text in a supported encoding")


def test_binary_verdict_never_asks_whether_a_character_is_assigned() -> None:
    """Valid UTF-8 stays text with emoji newer than Python's tables and private-use symbols from PDFs."""
    from ecoplan.reading import decode

    text = "一、总体要求\n坚持精准治污\U0001fae8\U0001faf8\ue000\ue001\ue002\ue003\U000f0001。\n"
    assert decode(text.encode("utf-8")) == (text, "utf-8")


# --- encodings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "bom", "expected"), [
    ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
    ("gbk", b"", "gb18030"),
    ("gb18030", b"", "gb18030"),
    ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
])
def test_encodings_give_the_same_structure_as_utf8(cli, tmp_path: Path, sample_plan: str, encoding: str,
                                                   bom: bytes, expected: str) -> None:
    reference = parse_json(cli, write(tmp_path, "utf8.txt", sample_plan.encode("utf-8")))
    data = parse_json(cli, write(tmp_path, f"{encoding}.txt", bom + sample_plan.encode(encoding)))
    assert data["source"]["encoding"] == expected
    # Spans count characters of the decoded text, so they agree across encodings.
    assert data["sections"] == reference["sections"]
    assert data["sections"]


def test_gb18030_beyond_gbk(cli, tmp_path: Path, sample_plan: str) -> None:
    text = sample_plan.replace("总体要求", "总体要求𠀀€")  # outside GBK, inside GB18030
    data = parse_json(cli, write(tmp_path, "gb18030.txt", text.encode("gb18030")))
    assert "𠀀" in "".join(titles(data)) + json.dumps(data, ensure_ascii=False)


# --- line ends -----------------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\r\n", "\r", "mixed", "\u2028"], ids=["crlf", "cr", "mixed", "u2028"])
def test_line_ends_give_the_same_titles(cli, tmp_path: Path, sample_plan: str, newline: str) -> None:
    reference = titles(parse_json(cli, write(tmp_path, "lf.txt", sample_plan.encode())))
    lines = sample_plan.split("\n")
    if newline == "mixed":
        ends = ["\n", "\r\n", "\r"]
        text = "".join(line + ends[i % 3] for i, line in enumerate(lines))
    else:
        text = newline.join(lines)
    data = parse_json(cli, write(tmp_path, "other.txt", text.encode()))
    assert titles(data) == reference


def test_lines_are_physical_input_lines_whatever_the_line_end(cli, tmp_path: Path, sample_plan: str) -> None:
    lf = parse_json(cli, write(tmp_path, "lf.txt", sample_plan.encode()))
    crlf = parse_json(cli, write(tmp_path, "crlf.txt", sample_plan.replace("\n", "\r\n").encode()))
    assert [s["line"] for s in lf["sections"]] == [s["line"] for s in crlf["sections"]]


# --- paths ---------------------------------------------------------------------------------------


def test_missing_file(cli, tmp_path: Path) -> None:
    expect_failure(cli, tmp_path / "nope.txt", "no such file", status=2)


def test_directory_without_txt_files(cli, tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    result = cli("parse", tmp_path / "d", "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert f"ecoplan: {tmp_path / 'd'}: no .txt files in directory" in result.stderr


def test_directory_named_like_a_file_inside_a_directory_is_skipped(cli, tmp_path: Path) -> None:
    (tmp_path / "in" / "odd.txt").mkdir(parents=True)
    result = cli("parse", tmp_path / "in", "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert "no .txt files" in result.stderr


def test_unreadable_file(cli, tmp_path: Path, sample_plan: str, as_root: bool) -> None:
    if as_root:
        pytest.skip("running as root: permissions do not stop reading")
    path = write(tmp_path, "secret.txt", sample_plan.encode())
    path.chmod(0)
    try:
        expect_failure(cli, path, "permission denied")
    finally:
        path.chmod(0o644)


def test_unreadable_output_directory(cli, tmp_path: Path, plan_file: Path, as_root: bool) -> None:
    if as_root:
        pytest.skip("running as root: permissions do not stop writing")
    out = tmp_path / "locked"
    out.mkdir()
    out.chmod(0o500)
    try:
        result = cli("parse", plan_file, plan_file.parent, "-o", out)
        assert result.exit_code == 1
        assert "cannot write" in result.stderr
        assert list(out.iterdir()) == []
    finally:
        out.chmod(0o700)


# --- content without a plan ----------------------------------------------------------------------


@pytest.mark.parametrize("text", [ENGLISH_PAGE, NOVEL_CHAPTER], ids=["english-page", "novel-chapter"])
def test_non_plan_text_gives_a_valid_mostly_empty_parse(cli, tmp_path: Path, text: str) -> None:
    data = parse_json(cli, write(tmp_path, "page.txt", text.encode()))
    assert len(data["sections"]) <= 3
    assert len(data["targets"]) + len(data["tasks"]) <= 2


def test_text_without_headings(cli, tmp_path: Path) -> None:
    data = parse_json(cli, write(tmp_path, "prose.txt", PROSE_ONLY.encode()))
    assert data["sections"] == []


def test_headings_only(cli, tmp_path: Path) -> None:
    data = parse_json(cli, write(tmp_path, "headings.txt", HEADINGS_ONLY.encode()))
    assert data["sections"], "headings alone still make a section tree"
    assert all(not s["text"].strip() for s in data["sections"] if not s["children"])


@pytest.mark.parametrize("text", [
    "一、\n二、\n（一）\n1．\n①\n——\n",  # markers without titles
    "".join(f"{'（' * 3}{i}{'）' * 3}" for i in range(1, 200)),  # unbalanced brackets, no line ends
    "\n".join(f"{i}．第{i}项任务。" for i in range(1, 2000)),  # a long flat list
    "一、总体要求" + "很长的一句话，" * 20000,  # one 140k-character line
    "\u200b一、\u200b总体\ufeff要求\n\u202e二、主要目标\u202c\n😀三、表情\n",  # invisible and bidi characters
    "\t".join(["序号", "任务", "牵头单位"]) + "\n" + "\t\t\t\n" * 50,  # an empty table
], ids=["bare-markers", "brackets", "long-list", "long-line", "invisible", "empty-table"])
def test_odd_shapes(cli, tmp_path: Path, text: str) -> None:
    parse_json(cli, write(tmp_path, "odd.txt", text.encode()))


# --- size ----------------------------------------------------------------------------------------


# 50 MB takes about 20 s (it took a minute before the parsers and the JSON
# output were sped up); 5 MB exercises the same paths in two.
BIG_SIZES = [
    pytest.param(5, marks=pytest.mark.slow, id="5MB"),
    pytest.param(50, marks=pytest.mark.slow, id="50MB"),
]


@pytest.mark.parametrize("megabytes", BIG_SIZES)
def test_big_input(cli, tmp_path: Path, seed_texts: dict[str, str], megabytes: int) -> None:
    """A big file (all seeds, repeated) parses into one complete, valid output."""
    block = "\n".join(seed_texts.values()).encode("utf-8") + b"\n"
    path = tmp_path / "big.txt"
    with path.open("wb") as fh:
        for _ in range(megabytes * 1024 * 1024 // len(block) + 1):
            fh.write(block)
    assert path.stat().st_size >= megabytes * 1024 * 1024
    out = tmp_path / "big.json"
    result = cli("parse", path, "-o", out, "--format", "json")
    assert result.exit_code == 0, result.output
    plan = Plan.model_validate_json(out.read_bytes(), strict=True)
    assert plan.source.sha256 and plan.sections
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.json", "big.txt"]
