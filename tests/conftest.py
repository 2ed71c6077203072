"""Shared fixtures. Keep each one small and documented; add new ones by theme below."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
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
