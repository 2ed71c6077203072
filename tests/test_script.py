"""The traditional-to-simplified fold: OpenCC's t2s keeps the length of every entry, and so of every text."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import opencc
import pytest

from ecoplan.text.script import TABLE_PATH, build_table, has_traditional, table_text, to_simplified

SHARE = Path(opencc.__file__).parent / "clib" / "share" / "opencc"
DICT_TOOL = Path(opencc.__file__).parent / "clib" / "bin" / "opencc_dict"


def _t2s_dictionaries() -> list[str]:
    """Every dictionary file the t2s configuration reads, normalisation and conversion chain."""
    config = json.loads((SHARE / "t2s.json").read_text(encoding="utf-8"))
    files: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                files.append(str(node["file"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(config)
    return files


@pytest.mark.skipif(not DICT_TOOL.is_file(), reason="the opencc wheel ships no opencc_dict tool here")
@pytest.mark.parametrize("name", _t2s_dictionaries())
def test_every_t2s_entry_keeps_its_length(name: str, tmp_path: Path) -> None:
    out = tmp_path / f"{name}.txt"
    subprocess.run([str(DICT_TOOL), "-i", str(SHARE / name), "-o", str(out), "-f", "ocd2", "-t", "text"],
                   check=True, capture_output=True)
    entries = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines() if line]
    assert entries
    changed = [(key, value) for key, values in entries for value in values.split(" ") if len(value) != len(key)]
    assert changed == []


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("牽頭單位:縣住建局;責任單位:縣發改委、縣水務局", "牵头单位:县住建局;责任单位:县发改委、县水务局"),
        ("全縣地表水優良比例達到95%以上", "全县地表水优良比例达到95%以上"),
        ("內蒙古自治區空氣質量持續改善行動實施方案", "内蒙古自治区空气质量持续改善行动实施方案"),
    ],
)
def test_traditional_text_folds_to_simplified(text: str, folded: str) -> None:
    assert has_traditional(text)
    assert to_simplified(text) == folded


def test_simplified_text_is_returned_as_it_is() -> None:
    text = "到2025年，全市细颗粒物浓度控制在30微克/立方米以下。牵头单位：市生态环境局"
    assert not has_traditional(text)
    assert to_simplified(text) is text


def test_the_codec_check_and_the_class_agree_on_every_character(monkeypatch: pytest.MonkeyPatch) -> None:
    # has_traditional checks texts through the GB2312 codec until the process has seen enough text
    # to pay for compiling the class: both must answer alike, for every BMP character and beyond,
    # alone and among characters the codec cannot encode or a character reference as written.
    from ecoplan.text import script

    chars = [chr(c) for c in range(0x3000, 0xFB00)] + ["\U00020000", "\U0003134f", "\U00031350", "\ud800"]
    texts = [*chars, "a\U0002a6d6b", "生态", "生态—&#8212;", "&#20094;于", "—\u2022乾"]
    texts += [f"—{char}·" for char in chars[::7]] + [f"&#{ord(char)};{char}" for char in chars[::11]]
    monkeypatch.setattr(script, "_codec_check_left", 10**9)
    by_codec = [has_traditional(t) for t in texts]
    monkeypatch.setattr(script, "_codec_check_left", 0)
    by_class = [has_traditional(t) for t in texts]
    assert by_codec == by_class
    assert sum(by_codec) > 4000


def test_fold_is_the_same_through_the_codec_and_through_the_class(monkeypatch: pytest.MonkeyPatch) -> None:
    # fold splits at the foldable characters and the traditional ones GB2312 encodes while the codec
    # finds the others, and at all of them in one class later: both must fold every text alike.
    from ecoplan.text import script
    from ecoplan.text.normalise import fold

    chars = [chr(c) for c in range(0x3000, 0xFB00, 3)] + ["\U00020000", "\u00a0", "\uff10"]
    texts = [f"（{char}）　ＡＢ，{char}" for char in chars] + ["於是乾杯", "到２０２５年，&#20094;於", "—於—"]
    monkeypatch.setattr(script, "_codec_check_left", 10**9)
    through_codec = [fold(text) for text in texts]
    monkeypatch.setattr(script, "_codec_check_left", 0)
    assert [fold(text) for text in texts] == through_codec
    assert through_codec[-3:] == ["于是干杯", "到2025年,&#20094;于", "—于—"]

def test_checked_in_table_is_what_the_installed_opencc_gives() -> None:
    # The table ships as data so that start-up converts nothing; it must stay OpenCC's own.
    expected = table_text(build_table())
    assert TABLE_PATH.read_text(encoding="utf-8") == expected
