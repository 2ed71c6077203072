"""What ecoplan keeps on disk between processes (ecoplan.kept): compiled patterns and read vocabularies.

A kept file only saves work: with it, without it, or with a damaged one, every
result is the one computed afresh.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import regex

from ecoplan import kept, vocab
from ecoplan.text import patterns

ROOT = Path(__file__).resolve().parent.parent

# Shapes the compiler treats apart: groups named and not, flags, lookbehinds, possessive runs,
# classes beyond the BMP, alternations long enough for a prefix check.
SAMPLE_PATTERNS = [
    (r"(?P<y>(?:19|20)\d{2}+)[ ]*+年(?:(?P<m>1[0-2]|0?[1-9])月)?", 0),
    (r"(?<![\u4e00-\u9fff])(?:牵头|配合|负责)单位[:：]", 0),
    (r"^\s*(?:第[一二三四五六七八九十]+[章节条]|[一二三四五六七八九十]+、)", re.MULTILINE),
    (r"[𠀀-\U0003134f]|\.(?:pdf|docx?)$", re.IGNORECASE),
    (r"(a)|(b)(?P<c>c)?", 0),
    ("|".join(f"词{k}" for k in range(60)), 0),
]


@pytest.fixture
def kept_patterns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """re's kept code in a file of the test's own, nothing read or compiled yet."""
    assert patterns._RE_CODE is not None
    fresh = patterns._KeptCode("patterns", patterns._RE_CODE.valid_for, patterns._re_entry, patterns._sre.compile,
                               re.compile)
    fresh.path = str(tmp_path / "patterns.marshal")
    monkeypatch.setattr(patterns, "_RE_CODE", fresh)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    return Path(fresh.path)


@pytest.fixture
def kept_regex(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> patterns._KeptCode:
    """regex's kept code in a file of the test's own, nothing read or compiled yet."""
    assert patterns._REGEX_CODE is not None
    fresh = patterns._KeptCode("patterns-regex", patterns._REGEX_CODE.valid_for, patterns._regex_entry,
                               patterns._REGEX_CODE.build, regex.compile)
    fresh.path = str(tmp_path / "patterns-regex.marshal")
    monkeypatch.setattr(patterns, "_REGEX_CODE", fresh)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    return fresh


def test_a_compiled_pattern_equals_re_compile_before_and_after_it_is_kept(kept_patterns: Path) -> None:
    # Pattern objects compare equal when their text, flags and engine code are equal.
    fresh = [patterns.compile_re(p, f) for p, f in SAMPLE_PATTERNS]
    assert fresh == [re.compile(p, f) for p, f in SAMPLE_PATTERNS]
    patterns.save_compiled()
    assert kept_patterns.exists()
    assert patterns._RE_CODE is not None
    patterns._RE_CODE.kept = None  # as a new process: read from the file
    again = [patterns.compile_re(p, f) for p, f in SAMPLE_PATTERNS]
    assert again == fresh
    assert patterns._RE_CODE.hits == {(p, int(f)) for p, f in SAMPLE_PATTERNS}
    assert [g.groupindex for g in again] == [g.groupindex for g in fresh]
    assert again[0].match("2025年3月").group("m") == "3"


def test_a_damaged_kept_file_is_not_used(kept_patterns: Path) -> None:
    kept_patterns.write_bytes(b"\x00not marshal data")
    assert [patterns.compile_re(p, f) for p, f in SAMPLE_PATTERNS] == [re.compile(p, f) for p, f in SAMPLE_PATTERNS]


def test_a_damaged_entry_is_compiled_anew(kept_patterns: Path) -> None:
    pattern, flags = SAMPLE_PATTERNS[0]
    good = patterns._re_entry(pattern, flags)
    assert good is not None
    bad = (good[0], [7, 7, 7], *good[2:])  # code the engine's check refuses
    assert patterns._RE_CODE is not None
    kept.write_kept(str(kept_patterns), patterns._RE_CODE.valid_for, {(pattern, flags): bad})
    assert patterns.compile_re(pattern, flags) == re.compile(pattern, flags)


def test_a_file_kept_for_another_interpreter_is_not_used(kept_patterns: Path) -> None:
    pattern, flags = SAMPLE_PATTERNS[1]
    kept.write_kept(str(kept_patterns), ("another python",), {(pattern, flags): "anything"})
    assert patterns.compile_re(pattern, flags) == re.compile(pattern, flags)


def test_an_invalid_pattern_raises_as_re_compile_does(kept_patterns: Path) -> None:
    with pytest.raises(re.error, match="missing \\)"):
        patterns.compile_re("(?:unclosed")


def test_nothing_is_written_when_python_writes_no_bytecode(kept_patterns: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    patterns.compile_re(*SAMPLE_PATTERNS[2])
    patterns.save_compiled()
    assert not kept_patterns.exists()


def test_an_unwritable_folder_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    kept.write_kept(str(blocker / "sub" / "x.marshal"), 1, {"a": 1})  # its folder cannot be made
    assert list(tmp_path.iterdir()) == [blocker]


# regex's own syntax: repeated group names, \\p classes, variable-width lookbehinds.
SAMPLE_REGEX = [
    (r"(?P<d>\d{4}+)年|(?P<d>[一二三四五六七八九〇零]{4}+)年", 0),
    (r"[（(][\p{Han}、]{1,8}[）)]$", 0),
    (r"(?<=^|[，。])(?:牵头|配合)单位", regex.MULTILINE),
]
SAMPLE_TEXTS = ["二〇二五年和2026年", "配合（市环保局、水务局）", "一。牵头单位：某局\n配合单位", "无"]


def _behaviour(compiled: regex.Pattern[str]) -> list[object]:
    return [compiled.pattern, compiled.flags, compiled.groupindex,
            *([m.span(), m.groupdict()] for text in SAMPLE_TEXTS for m in compiled.finditer(text))]


def test_a_regex_pattern_from_kept_code_behaves_as_regex_compile(kept_regex: patterns._KeptCode) -> None:
    fresh = [patterns.compile_regex(p, f) for p, f in SAMPLE_REGEX]
    expected = [_behaviour(regex.compile(p, f)) for p, f in SAMPLE_REGEX]
    assert [_behaviour(c) for c in fresh] == expected
    assert expected[0][3:] and expected[1][3:]  # the samples match something
    patterns.save_compiled()
    kept_regex.kept = None  # as a new process
    again = [patterns.compile_regex(p, f) for p, f in SAMPLE_REGEX]
    assert kept_regex.hits == {(p, int(f)) for p, f in SAMPLE_REGEX}
    assert [_behaviour(c) for c in again] == expected
    with pytest.raises(regex.error):
        patterns.compile_regex("(?P<unclosed")


def test_a_kept_vocabulary_reads_as_the_yaml_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path))
    vocab.load.cache_clear()
    try:
        fresh = vocab.load("units").model_dump()
        kept_at = Path(kept.kept_path(vocab.__file__, "vocab-units"))
        assert kept_at.is_relative_to(tmp_path) and kept_at.exists()
        vocab.load.cache_clear()
        assert vocab.load("units").model_dump() == fresh
        # Kept for another state of the file (another size or time): read from the YAML again.
        stat = os.stat(Path(vocab.__file__).parent / "units.yaml")
        kept.write_kept(str(kept_at), (stat.st_mtime_ns, stat.st_size), {"not": "units"})
        vocab.load.cache_clear()
        with pytest.raises(vocab.VocabularyError):  # the kept data is what was read, and it is checked
            vocab.load("units")
        kept.write_kept(str(kept_at), (stat.st_mtime_ns + 1, stat.st_size), {"not": "units"})
        vocab.load.cache_clear()
        assert vocab.load("units").model_dump() == fresh
    finally:
        vocab.load.cache_clear()


def test_alternations_are_the_same_text_in_any_order() -> None:
    words = ["印发", "下发", "转发", "颁布", "发布", "印送", "下达", "发"]
    assert vocab.alternation(words) == vocab.alternation(list(reversed(words)))
    assert vocab.alternation(words).endswith("|发")  # longest first still


_PATTERNS_OF_A_RUN = """
import sys
from ecoplan import parse_text
from ecoplan.text import patterns
for kept in (patterns._RE_CODE, patterns._REGEX_CODE):
    kept.kept = {}
for path in sys.argv[1:]:
    parse_text(open(path, encoding="utf-8").read())
print(sorted(patterns._RE_CODE.made), sorted(patterns._REGEX_CODE.made))
"""


def test_the_patterns_a_run_compiles_are_the_same_text_in_every_process() -> None:
    # Patterns are built from vocabularies, some held as sets, whose order changes with the
    # hash seed; a pattern whose text changed from one process to the next would never be
    # found kept.
    plans = sorted(str(p) for p in (ROOT / "data" / "raw").glob("*.txt"))
    runs = [
        subprocess.run([sys.executable, "-c", _PATTERNS_OF_A_RUN, *plans], capture_output=True, text=True,
                       check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1]
    assert runs[0].count("(") > 50


_MODULES_OF_A_JSON_RUN = """
import sys
from ecoplan.commands import main
sys.argv = ["ecoplan", "parse", sys.argv[1], "--format", "json", "-o", sys.argv[2]]
try:
    main()
except SystemExit:
    pass
print(sorted(name for name in sys.modules if name == "yaml" or name.startswith("yaml.")))
"""


def test_a_run_writing_json_with_kept_vocabularies_never_loads_pyyaml(tmp_path: Path) -> None:
    # PyYAML's import is ~12 ms of a one-plan run; with the vocabularies kept, only YAML output needs it.
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(tmp_path / "cache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    plan = str(ROOT / "data" / "raw" / "dalian-2021-key-points.txt")
    runs = [subprocess.run([sys.executable, "-c", _MODULES_OF_A_JSON_RUN, plan, str(tmp_path / f"{k}.json")],
                           capture_output=True, text=True, check=True, env=env).stdout for k in range(2)]
    assert runs[0].strip() != "[]"  # the first run reads the YAML files, and keeps what they hold
    assert runs[1].strip() == "[]"
    assert (tmp_path / "0.json").read_bytes() == (tmp_path / "1.json").read_bytes()
