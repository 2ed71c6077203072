"""Plans as they are published: PDF, .docx, .doc, web pages in, the same parse out, every span checkable.

The fixtures are built from the seed plans by tests/published.py (nothing
binary is committed): each must parse to the same sections, targets,
deadlines, departments and tasks as the plain-text original, and every span
must slice the text `ecoplan text FILE` prints.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import subprocess
import sys
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import published
import pytest
from click.testing import Result

import ecoplan
from ecoplan.errors import ReadError
from ecoplan.reading import source_from_bytes
from ecoplan.schema import Plan, Section

ROOT = Path(__file__).resolve().parent.parent
SCORER = ROOT.parent / "shared" / "eval" / "score.py"
GOLD = Path(__file__).parent / "gold"
XIGANG, DALIAN = published.XIGANG, published.DALIAN
# fixture file -> the seed it was made from
FIXTURES = {
    f"{XIGANG}.docx": XIGANG,
    f"{XIGANG}.pdf": XIGANG,
    f"{DALIAN}.pdf": DALIAN,
    f"{XIGANG}.html": XIGANG,
    f"{XIGANG}.gbk.html": XIGANG,
}
READER_LIBRARIES = ("pypdfium2", "pdfplumber", "pdfminer", "docx", "selectolax", "readability", "lxml")


@pytest.fixture(scope="session")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return published.write_all(tmp_path_factory.mktemp("published"))


def squash(text: object) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text or "")).split())


def flatten(sections: list[Section]) -> list[Section]:
    out: list[Section] = []
    for s in sections:
        out += [s, *flatten(s.children)]
    return out


def items(plan: Plan) -> dict[str, Any]:
    """What the scorer looks at, in a comparable form."""
    return {
        "sections": [(s.level, s.marker, squash(s.title)) for s in flatten(plan.sections)],
        "targets": sorted((squash(t.indicator), t.comparator, t.value, t.unit, str(t.deadline)) for t in plan.targets),
        "deadlines": sorted((squash(d.text), d.date, d.recurring or "") for d in plan.deadlines),
        "departments": sorted(squash(d.name) for d in plan.departments),
        "tasks": [(squash(t.text), squash(t.goal), t.lead, t.support) for t in plan.tasks],
    }


def parse_quietly(path: Path) -> Plan:
    with pytest.warns(UserWarning) if path.name.startswith(DALIAN) else _no_warning():
        return ecoplan.parse_file(str(path))


class _no_warning:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_published_plan_parses_like_its_text(made: dict[str, Path], name: str) -> None:
    text_plan = ecoplan.parse_file(str(ROOT / "data" / "raw" / f"{FIXTURES[name]}.txt"))
    got, want = items(parse_quietly(made[name])), items(text_plan)
    for key in want:
        assert got[key] == want[key], key


@pytest.mark.skipif(not SCORER.is_file(), reason="the scorer lives in ../shared/eval, not beside this checkout")
@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_published_plan_scores_like_its_text(made: dict[str, Path], name: str) -> None:
    spec = importlib.util.spec_from_file_location("score", SCORER)
    assert spec and spec.loader
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    import yaml

    gold = yaml.safe_load((GOLD / f"{FIXTURES[name]}.gold.yaml").read_text(encoding="utf-8"))
    as_text = ecoplan.parse_file(str(ROOT / "data" / "raw" / f"{FIXTURES[name]}.txt")).model_dump(mode="json")
    as_published = parse_quietly(made[name]).model_dump(mode="json")
    want, got = score.score_doc(gold, as_text), score.score_doc(gold, as_published)
    for key in ("sections", "targets", "deadlines", "departments", "tasks"):
        assert got[key] == want[key], key
    assert want["tasks"] == got["tasks"]


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_every_span_slices_the_printed_text(made: dict[str, Path], name: str, cli: Callable[..., Result]) -> None:
    printed = cli("text", made[name])
    assert printed.exit_code == 0, printed.stderr
    text = printed.stdout_bytes.decode("utf-8")
    plan = parse_quietly(made[name])
    assert plan.source.text_sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    located = [*flatten(plan.sections), *plan.targets, *plan.deadlines, *plan.tasks]
    assert len(located) > 20
    lines = text.splitlines()
    for item in located:
        start, end = item.span
        own = item.title if isinstance(item, Section) else item.text
        assert squash(own) in squash(text[start:end]), (item.span, own)
        assert text[:start].count("\n") + 1 == item.line
        assert lines[item.line - 1].strip()


def test_source_records_format_reader_and_both_hashes(made: dict[str, Path]) -> None:
    for name, fmt, reader in [(f"{XIGANG}.pdf", "pdf", "pypdfium2+pdfplumber"), (f"{XIGANG}.docx", "docx",
                              "python-docx"), (f"{XIGANG}.gbk.html", "html", "selectolax")]:
        source = ecoplan.parse_file(str(made[name])).source
        assert (source.format, source.reader) == (fmt, reader)
        assert source.reader_version and source.reader_version[0].isdigit()
        assert source.sha256 == hashlib.sha256(made[name].read_bytes()).hexdigest()
        assert source.text_sha256 != source.sha256
    assert ecoplan.parse_file(str(made[f"{XIGANG}.gbk.html"])).source.encoding == "gb18030"
    text_source = ecoplan.parse_file(str(ROOT / "data" / "raw" / f"{XIGANG}.txt")).source
    assert (text_source.format, text_source.reader) == ("text", "ecoplan")
    assert text_source.text_sha256 == text_source.sha256  # UTF-8 input: the decoded text is the bytes


def test_validate_checks_spans_against_the_document_read_again(made: dict[str, Path], tmp_path: Path,
                                                               cli: Callable[..., Result]) -> None:
    out = tmp_path / "plan.json"
    assert cli("parse", made[f"{XIGANG}.pdf"], "--format", "json", "-o", out).exit_code == 0
    result = cli("validate", out)
    assert result.exit_code == 0, result.stdout
    assert f"spans checked against {made[f'{XIGANG}.pdf']}" in result.stdout


def test_text_of_a_bad_document_is_a_one_line_error(made: dict[str, Path], cli: Callable[..., Result]) -> None:
    result = cli("text", made["scanned.pdf"])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == f"ecoplan: {made['scanned.pdf']}: no text layer (scanned?); run OCR first, e.g. ocrmypdf\n"


def test_text_of_a_text_file_is_the_decoded_input(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes("一、总体要求\r\n到2025年，完成任务。\r\n".encode("gb18030"))
    printed = cli("text", path)
    assert printed.exit_code == 0
    assert printed.stdout_bytes.decode("utf-8") == "一、总体要求\r\n到2025年，完成任务。\r\n"


# --- what each reader rebuilds -------------------------------------------------------------------


def table_lines(text: str) -> list[str]:
    return ["".join(line.split(" ")).rstrip("\t") for line in text.splitlines() if "\t" in line]


def test_docx_table_has_real_merged_cells_read_once(made: dict[str, Path]) -> None:
    xml = zipfile.ZipFile(made[f"{XIGANG}.docx"]).read("word/document.xml").decode("utf-8")
    assert xml.count("<w:vMerge/>") + xml.count('w:val="continue"') >= 8  # continuation cells
    from ecoplan.reading import read_source

    text = read_source(str(made[f"{XIGANG}.docx"])).text
    raw = (ROOT / "data" / "raw" / f"{XIGANG}.txt").read_text(encoding="utf-8")
    assert table_lines(text) == table_lines(raw)
    assert text.count("推动生态环境保护督察整改工作向纵深发展") == 1


def test_pdf_table_row_cut_by_a_page_end_is_one_row_again(made: dict[str, Path]) -> None:
    stats = published.PdfStats()
    published.pdf_bytes([published.plan_text(XIGANG)], stats=stats)
    assert stats.split_rows >= 1 and stats.pages >= 3
    from ecoplan.reading import read_source

    text = read_source(str(made[f"{XIGANG}.pdf"])).text
    raw = (ROOT / "data" / "raw" / f"{XIGANG}.txt").read_text(encoding="utf-8")
    assert table_lines(text) == table_lines(raw)


def test_pdf_running_header_and_page_numbers_are_dropped(made: dict[str, Path]) -> None:
    from ecoplan.reading import read_source

    with pytest.warns(UserWarning):
        text = ecoplan.parse_file(str(made[f"{DALIAN}.pdf"])) and read_source(str(made[f"{DALIAN}.pdf"])).text
    assert "文件汇编" not in text and "—" not in "".join(ln for ln in text.splitlines() if len(ln) < 8)


def test_pdf_paragraph_lines_are_rejoined_across_pages(made: dict[str, Path]) -> None:
    from ecoplan.reading import read_source

    text = read_source(str(made[f"{DALIAN}.pdf"])).text
    raw = (ROOT / "data" / "raw" / f"{DALIAN}.txt").read_text(encoding="utf-8")
    want = [squash(line) for line in raw.splitlines() if line.strip()]
    assert [squash(line) for line in text.splitlines()] == want


def test_html_page_furniture_stays_out(made: dict[str, Path]) -> None:
    from ecoplan.reading import read_source

    for name in (f"{XIGANG}.html", f"{XIGANG}.gbk.html"):
        text = read_source(str(made[name])).text
        for furniture in ("当前位置", "相关链接", "主办单位", "分享到", "浏览次数", "无障碍"):
            assert furniture not in text, (name, furniture)


def test_html_meta_tags_fill_what_the_text_leaves_out(tmp_path: Path, sample_plan: str) -> None:
    # The signature's date is cut off the body: the page's PubDate stands in.
    body = sample_plan.replace("2024年3月1日", "")
    path = tmp_path / "plan.htm"
    path.write_bytes(published.html_bytes(body, container_class="pages_content"))
    plan = ecoplan.parse_file(str(path))
    assert str(plan.meta.date) == "2024-02-06"
    assert plan.meta.title == "大连市2024年生态环境保护工作计划"
    assert plan.source.reader == "selectolax"


def test_html_meta_tags_rank_after_the_texts_own_sources(tmp_path: Path, sample_plan: str) -> None:
    # Spec §1 order: the signature (issuer and date) comes before the page's ContentSource and PubDate.
    path = tmp_path / "plan.htm"
    path.write_bytes(published.html_bytes(sample_plan, container_class="pages_content"))
    meta = ecoplan.parse_file(str(path)).meta
    assert (meta.issuer, str(meta.date)) == ("大连市生态环境局", "2024-03-01")
    # Without a signature the tags stand in, each at its rank.
    path.write_bytes(published.html_bytes(sample_plan.replace("大连市生态环境局\n2024年3月1日", ""),
                                          container_class="pages_content"))
    meta = ecoplan.parse_file(str(path)).meta
    assert (meta.issuer, str(meta.date)) == ("西岗区生态环境分局", "2024-02-06")


def test_html_without_a_known_container_falls_back_to_readability(tmp_path: Path, sample_plan: str) -> None:
    path = tmp_path / "plan.html"
    path.write_bytes(published.html_bytes(sample_plan, container_class="wrapper-x1"))
    plan = ecoplan.parse_file(str(path))
    assert plan.source.reader == "selectolax+readability-lxml"
    assert [s.title for s in plan.sections][:3] == ["总体要求", "主要目标", "重点任务"]
    assert plan.targets


def test_format_is_recognised_by_content_not_extension(made: dict[str, Path], tmp_path: Path) -> None:
    for name, fmt in ((f"{XIGANG}.docx", "docx"), (f"{XIGANG}.html", "html"), (f"{XIGANG}.pdf", "pdf")):
        renamed = tmp_path / f"download-{fmt}.txt"
        renamed.write_bytes(made[name].read_bytes())
        assert ecoplan.parse_file(str(renamed)).source.format == fmt


# --- scans and bad inputs ------------------------------------------------------------------------


def test_scanned_page_is_named_in_a_warning(made: dict[str, Path], cli: Callable[..., Result]) -> None:
    result = cli("parse", made[f"{DALIAN}.pdf"], "--format", "json")
    assert result.exit_code == 0
    assert f"ecoplan: warning: {made[f'{DALIAN}.pdf']}: page 3 of 13 without a text layer" in result.stderr
    assert "ocrmypdf" in result.stderr and len(result.stderr.splitlines()) == 1


def bad_inputs(made: dict[str, Path]) -> dict[str, tuple[bytes, str]]:
    """file name -> (content, what the one-line error says)."""
    pdf = made[f"{XIGANG}.pdf"].read_bytes()
    docx_data = made[f"{XIGANG}.docx"].read_bytes()
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("readme.txt", "not a document")
    nav_page = published.html_bytes("").replace(b"<table", b"<div")
    return {
        "scanned.pdf": (made["scanned.pdf"].read_bytes(), "no text layer (scanned?); run OCR first"),
        "locked.pdf": (published.pdf_bytes([published.plan_text(XIGANG)], password="secret"), "encrypted PDF"),
        "cut.pdf": (pdf[: len(pdf) // 2], "truncated PDF"),
        "cut.docx": (docx_data[: len(docx_data) // 2], "damaged or truncated .docx"),
        "archive.docx": (zipped.getvalue(), "a zip archive but not a Word .docx"),
        "error-page.pdf": (b"<!DOCTYPE html><html><body><p>404</p></body></html>", "not a PDF file"),
        "list.html": (nav_page, "no article body"),
    }


def test_bad_inputs_fail_in_one_line_naming_the_file(made: dict[str, Path], tmp_path: Path,
                                                     cli: Callable[..., Result]) -> None:
    for name, (data, reason) in bad_inputs(made).items():
        path = tmp_path / name
        path.write_bytes(data)
        result = cli("parse", path)
        assert result.exit_code == 1, name
        assert result.stdout == ""
        assert result.stderr.startswith(f"ecoplan: {path}: ") and reason in result.stderr, result.stderr
        assert len(result.stderr.splitlines()) == 1, result.stderr
        with pytest.raises(ReadError, match=reason.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
            ecoplan.parse_file(str(path))


def test_a_batch_goes_on_past_bad_documents(made: dict[str, Path], tmp_path: Path,
                                            cli: Callable[..., Result]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, (data, _) in bad_inputs(made).items():
        (folder / name).write_bytes(data)
    (folder / "good.docx").write_bytes(made[f"{XIGANG}.docx"].read_bytes())
    result = cli("parse", folder, "-o", tmp_path / "out", "--jobs", "1")
    assert result.exit_code == 1
    assert (tmp_path / "out" / "good.yaml").is_file()
    assert f"1 parsed, {len(bad_inputs(made))} failed" in result.stderr


# --- libraries: optional, imported only when needed ----------------------------------------------


@pytest.mark.parametrize(("name", "module", "extra"), [
    (f"{XIGANG}.pdf", "pypdfium2", "pdf"), (f"{XIGANG}.docx", "docx", "docx"), (f"{XIGANG}.html", "selectolax", "html"),
])
def test_missing_extra_names_the_pip_command(made: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
                                             name: str, module: str, extra: str) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` raise ImportError
    if extra == "html":
        monkeypatch.setitem(sys.modules, "selectolax.lexbor", None)
    with pytest.raises(ReadError, match=rf"pip install 'ecoplan\[{extra}\]'$"):
        ecoplan.parse_file(str(made[name]))


def test_a_text_parse_imports_no_reader_library() -> None:
    code = (
        "import sys, ecoplan; ecoplan.parse_file(sys.argv[1]);"
        f"print([m for m in sys.modules if m.split('.')[0] in {READER_LIBRARIES!r}])"
    )
    out = subprocess.run([sys.executable, "-c", code, str(ROOT / "data" / "raw" / f"{XIGANG}.txt")],
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out.replace("'", '"')) == []


# --- .doc and .wps through LibreOffice -----------------------------------------------------------


def test_doc_without_libreoffice_says_what_to_install(made: dict[str, Path], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from ecoplan.readers import office

    monkeypatch.setattr(office, "soffice", lambda: None)
    path = tmp_path / "plan.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024))
    with pytest.raises(ReadError, match="needs LibreOffice: apt-get install libreoffice-writer-nogui"):
        ecoplan.parse_file(str(path))


@pytest.mark.slow
@pytest.mark.skipif(
    __import__("ecoplan.readers.office", fromlist=["soffice"]).soffice() is None,
    reason="LibreOffice (soffice) is not installed; .ci/run installs it where apt-get works",
)
def test_doc_and_wps_read_through_libreoffice(made: dict[str, Path], tmp_path: Path) -> None:
    from ecoplan.readers.office import soffice

    # Word 97 .doc made by LibreOffice itself, by way of ODF (its own .docx-to-.doc export drops
    # tables whose cells are merged).
    profile = (tmp_path / "profile").as_uri()
    for target, source in (("odt", made[f"{XIGANG}.docx"]), ("doc", tmp_path / f"{XIGANG}.odt")):
        subprocess.run([soffice(), f"-env:UserInstallation={profile}", "--headless", "--convert-to", target,
                        "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=300)
    doc = tmp_path / f"{XIGANG}.doc"
    wps = tmp_path / "plan.wps"
    wps.write_bytes(doc.read_bytes())
    want = items(ecoplan.parse_file(str(ROOT / "data" / "raw" / f"{XIGANG}.txt")))
    for path in (doc, wps):
        plan = ecoplan.parse_file(str(path))
        assert plan.source.format == "doc" and plan.source.reader == "libreoffice+python-docx"
        assert items(plan) == want


def test_docx_spanned_and_nested_cells_keep_columns_aligned(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    for c, head in enumerate(["序号", "工作任务", "责任单位"]):
        table.cell(0, c).text = head
    table.cell(1, 0).merge(table.cell(1, 2)).text = "一、大气污染防治"  # a row-wide category row
    table.cell(2, 0).text = "1"
    table.cell(2, 1).text = "推进工业炉窑治理。"
    nested = table.cell(2, 1).add_table(rows=1, cols=2)
    nested.cell(0, 0).text = "年底前完成"
    table.cell(2, 2).text = "市生态环境局"
    path = tmp_path / "list.docx"
    document.save(str(path))
    from ecoplan.reading import read_source

    assert read_source(str(path)).text.splitlines() == [
        "序号\t工作任务\t责任单位", "一、大气污染防治", "1\t推进工业炉窑治理。年底前完成\t市生态环境局"]


@pytest.mark.slow
@pytest.mark.skipif(
    __import__("ecoplan.readers.office", fromlist=["soffice"]).soffice() is None,
    reason="LibreOffice (soffice) is not installed; .ci/run installs it where apt-get works",
)
def test_pdfs_typeset_by_libreoffice_read_back_paragraph_for_paragraph(tmp_path: Path) -> None:
    """A second typesetter with its own habits: CJK quotes drawn after their line, Latin digits wider,
    kinsoku line breaking. Every seed, as .docx, then PDF by LibreOffice, parses like its text."""
    from ecoplan.readers.office import soffice
    from ecoplan.reading import read_source

    stems = sorted(p.stem for p in (ROOT / "data" / "raw").glob("*.txt"))
    for stem in stems:
        (tmp_path / f"{stem}.docx").write_bytes(published.docx_bytes(published.plan_text(stem)))
    subprocess.run([soffice(), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), *(str(tmp_path / f"{s}.docx") for s in stems)],
                   check=True, capture_output=True, timeout=600)

    def paragraphs(text: str) -> list[str]:
        return [p for p in (squash(line).replace("“", "").replace("”", "") for line in text.splitlines()) if p]

    for stem in stems:
        raw = ROOT / "data" / "raw" / f"{stem}.txt"
        pdf = tmp_path / f"{stem}.pdf"
        assert paragraphs(read_source(str(pdf)).text) == paragraphs(raw.read_text(encoding="utf-8")), stem
        assert items(ecoplan.parse_file(str(pdf))) == items(ecoplan.parse_file(str(raw))), stem


def test_pdf_protected_by_an_owner_password_only_reads_like_the_plain_one(made: dict[str, Path],
                                                                          tmp_path: Path) -> None:
    """Government PDFs often forbid copying with an owner password; they open without one. Here pdfminer
    cannot map the CJK font of the encrypted file ("(cid:3379)"): table cells come from PDFium's text."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    path = tmp_path / "protected.pdf"
    path.write_bytes(published.pdf_bytes([published.plan_text(XIGANG)],
                                         password=StandardEncryption("", ownerPassword="owner", canCopy=0)))
    from ecoplan.reading import read_source

    assert read_source(str(path)).text == read_source(str(made[f"{XIGANG}.pdf"])).text


def test_pdf_table_header_row_repeated_on_each_page_is_read_once(made: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "repeated.pdf"
    path.write_bytes(published.pdf_bytes([published.plan_text(XIGANG)], repeat_header_row=True))
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    assert sum(document[i].get_textpage().get_text_range().count("序号") for i in range(len(document))) >= 2
    document.close()
    from ecoplan.reading import read_source

    text = read_source(str(path)).text
    assert text.count("序号\t目标任务\t工作措施\t责任单位") == 1
    assert text == read_source(str(made[f"{XIGANG}.pdf"])).text


@pytest.mark.parametrize("data", [
    "一、目标\n到2025年，完成整治任务。\n".encode(),  # ends in a line break
    "一、目标\n到2025年，完成整治任务。".encode(),  # ends in a Chinese character
    "一、目标\n到2025年，完成整治任务。".encode()[:-1],  # cut inside its last character
    "一、目标\n到2025年，完成整治任务。".encode()[:-2],
    "一、目标\n到2025年，完成整治任务".encode() + "𠀀".encode()[:-1],  # cut inside a four-byte character
    "\ufeff一、目标".encode(),  # a BOM is no text
    b"",
])
def test_text_hash_is_the_hash_of_the_decoded_text(data: bytes) -> None:
    source = source_from_bytes(data, "plan.txt")
    assert source.text_sha256 == hashlib.sha256(source.text.encode("utf-8")).hexdigest()
    assert (source.text_sha256 == source.sha256) == (source.text.encode("utf-8") == data)
