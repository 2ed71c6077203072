"""Shared fixtures. Keep each one small and documented; add new ones by theme below."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, settings

# Property tests run the same examples on every run (derandomize) so CI is reproducible;
# HYPOTHESIS_PROFILE=explore draws fresh random examples, =thorough many more of them.
_PROFILE = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("default", max_examples=120, derandomize=True, **_PROFILE)
settings.register_profile("explore", max_examples=300, **_PROFILE)
settings.register_profile("thorough", max_examples=3000, **_PROFILE)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parent.parent
RAW_DIR = ROOT / "data" / "raw"
SEED_PATHS = sorted(RAW_DIR.glob("*.txt"))

# A small plan in the usual shape: title, issuer, date, nested headings, a target,
# a deadline, a lead department. CLI tests use it where any plan will do.
SAMPLE_PLAN = """\
大连市2024年生态环境保护工作计划

一、总体要求
坚持精准治污、科学治污、依法治污，持续改善生态环境质量。
二、主要目标
到2024年底，全市PM2.5年均浓度控制在30微克/立方米以下，空气质量优良天数比率达到85%以上。
三、重点任务
（一）深入打好蓝天保卫战
1．推进重点行业深度治理。2024年6月底前完成。牵头单位：市生态环境局。
2．加强移动源污染防治。
（二）持续打好碧水保卫战
一是推进黑臭水体治理。二是加强饮用水水源地保护。

大连市生态环境局
2024年3月1日
"""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes seconds (large inputs, subprocesses); deselect with -m 'not slow'")


# --- files ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    """The real plans in data/raw/."""
    assert SEED_PATHS, f"no seed plans in {RAW_DIR}"
    return SEED_PATHS


@pytest.fixture(scope="session")
def seed_texts(seed_paths: list[Path]) -> dict[str, str]:
    """Seed plan texts by file stem."""
    return {p.stem: p.read_text(encoding="utf-8") for p in seed_paths}


@pytest.fixture(scope="session")
def sample_plan() -> str:
    """SAMPLE_PLAN: a small plan in the usual shape, for tests where any plan will do."""
    return SAMPLE_PLAN


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    """SAMPLE_PLAN written as UTF-8 to tmp_path/plan.txt."""
    path = tmp_path / "plan.txt"
    path.write_text(SAMPLE_PLAN, encoding="utf-8")
    return path


@pytest.fixture
def as_root() -> bool:
    """Whether file permissions are ineffective (root reads everything)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


# --- running the CLI -----------------------------------------------------------------------------


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run `ecoplan ARGS...` in process with click's CliRunner (stdout and stderr kept apart)."""
    from ecoplan.commands import main

    def run(*args: str | os.PathLike[str], input: str | bytes | None = None) -> Result:
        return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=True)

    return run


@pytest.fixture
def ecoplan_cmd() -> list[str]:
    """argv prefix that runs the real command in a subprocess, like a user would."""
    return [sys.executable, str(ROOT / "cli.py")]


# --- a hand-made output with its source (export and review) ----------------------------------------

# Lines of a synthetic plan with what a hostile or odd text can hold: markup, `&`, a clause starting
# with `=` (a formula in a spreadsheet), CRLF line ends, and items nested inside each other.
SYNTHETIC_LINES = [
    "某市2030年生态环境保护工作计划<script>alert(1)</script>",
    "一、主要目标",
    '=HYPERLINK("http://example.invalid")到2030年底，细颗粒物浓度控制在30微克/立方米以下。',
    "二、重点任务",
    "（一）大气污染防治",
    "推进工业窑炉深度治理，2030年6月底前完成，优良天数比率达到85%以上。牵头单位：市生态环境局 & 市发展改革委<b>；"
    "配合单位：市工业和信息化局。",
    "其他区域参照执行，比例约为60%。",
]


@pytest.fixture
def synthetic_output(tmp_path: Path) -> tuple[Path, Path]:
    """A valid ecoplan output (plan.json) built by hand, and its source (plan.txt, CRLF lines), in tmp_path.

    Items: 3 sections, 2 targets (one whose text starts with `=`), 2 deadlines (each inside a
    target or the task), 3 departments, 1 task holding a target and a deadline, 1 percentage.
    """
    import hashlib

    from ecoplan.provenance import line_at, line_starts
    from ecoplan.schema import Deadline, Department, Meta, Percentage, Plan, Section, Source, Target, Task

    text = "\r\n".join(SYNTHETIC_LINES) + "\r\n"
    source = tmp_path / "plan.txt"
    source.write_bytes(text.encode("utf-8"))

    starts = line_starts(text)

    def place(fragment: str, after: int = 0) -> dict:
        start = text.index(fragment, after)
        return {"line": line_at(starts, start), "span": (start, start + len(fragment))}

    def line_span(n: int) -> dict:
        return place(SYNTHETIC_LINES[n])

    target_text = SYNTHETIC_LINES[2].rstrip("。")
    task_text = SYNTHETIC_LINES[5].split("牵头")[0]
    plan = Plan(
        source=Source(path=str(source), sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), encoding="utf-8"),
        meta=Meta(title="某市2030年生态环境保护工作计划", year=2030, region="某市"),
        sections=[
            Section(marker="一、", style="cn-dun", number=1, level=1, title="主要目标", text=SYNTHETIC_LINES[2],
                    line=2, span=(place("一、")["span"][0], line_span(2)["span"][1])),
            Section(marker="二、", style="cn-dun", number=2, level=1, title="重点任务", text="", **line_span(3),
                    children=[Section(marker="（一）", style="cn-paren", number=1, level=2, title="大气污染防治",
                                      text=SYNTHETIC_LINES[5], line=5,
                                      span=(place("（一）")["span"][0], line_span(6)["span"][1]))]),
        ],
        targets=[
            Target(indicator="细颗粒物浓度", comparator="<=", value=30.0, unit="微克/立方米", deadline="2030-12-31",
                   text=target_text, **place(target_text)),
            Target(indicator="优良天数比率", comparator=">=", value=85.0, unit="%", text="优良天数比率达到85%以上",
                   **place("优良天数比率达到85%以上")),
        ],
        percentages=[Percentage(value=60.0, text="比例约为60%", **place("比例约为60%"))],
        deadlines=[
            Deadline(text="到2030年底", date="2030-12-31", **place("到2030年底")),
            Deadline(text="2030年6月底前", date="2030-06-30", **place("2030年6月底前")),
        ],
        departments=[
            Department(name="市生态环境局", mentions=1, **place("市生态环境局")),
            Department(name="市发展改革委<b>", mentions=1, **place("市发展改革委<b>")),
            Department(name="市工业和信息化局", mentions=1, **place("市工业和信息化局")),
        ],
        tasks=[Task(text=task_text, lead=["市生态环境局", "市发展改革委<b>"], support=["市工业和信息化局"],
                    **place(task_text))],
    )
    output = tmp_path / "plan.json"
    output.write_text(plan.model_dump_json(indent=2), encoding="utf-8")
    return output, source


class Hung(Exception):
    """Raised by `no_hang` when a call runs past its guard."""


@contextmanager
def _no_hang(seconds: int = 60) -> Iterator[None]:
    """Fail, instead of hanging CI, when a call never ends (catastrophic regex backtracking).

    A guard, not a measurement: the limit is far above any normal run on a loaded
    machine; speed is measured by `make bench`, never by tests.
    """

    def _raise(signum: int, frame: object) -> None:
        raise Hung(f"still running after {seconds} s: catastrophic backtracking?")

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def no_hang() -> Callable[..., contextlib.AbstractContextManager[None]]:
    """`with no_hang(): …` fails the test instead of hanging when a call never ends."""
    return _no_hang


SHARED_SCORER = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "score.py"


def _score_set(docs_dir: Path, gold_dir: Path, out_dir: Path) -> dict:
    """Parse every plan in docs_dir into out_dir as JSON; the shared scorer's figures (its --json)."""
    import json
    import subprocess

    import ecoplan
    from ecoplan.writing import dumps

    for doc in sorted(docs_dir.glob("*.txt")):
        plan = ecoplan.parse_file(str(doc))
        (out_dir / f"{doc.stem}.json").write_text(dumps(plan, "json"), encoding="utf-8")
    run = subprocess.run([sys.executable, str(SHARED_SCORER), str(gold_dir), str(out_dir), "--json"],
                         capture_output=True, text=True, check=True)
    return json.loads(run.stdout)


@pytest.fixture(scope="session")
def score_set() -> Callable[[Path, Path, Path], dict]:
    """`score_set(docs, gold, out)`: parse a folder of plans and score it with ../shared/eval/score.py."""
    return _score_set

