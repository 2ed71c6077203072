"""Responsible departments (spec section 5). STUB: to be implemented."""

from __future__ import annotations

import re

from ecoplan.normalise import Document
from ecoplan.schema import Department, Task

RE_NAME_SEPARATOR = re.compile(r"[、，,；;和及]")
RE_TRAILING_ETC = re.compile(r"等.*$")


def split_names(cell: str) -> list[str]:
    """Split a list of body names (a 责任单位 cell, a 牵头单位：… clause) into names.

    Drops trailing 等 / 等成员单位按照职责分工负责. (First version; to be refined.)
    """
    names = []
    for part in RE_NAME_SEPARATOR.split(cell):
        part = RE_TRAILING_ETC.sub("", part.strip())
        if part:
            names.append(part)
    return names


def extract_departments(doc: Document, tasks: list[Task]) -> list[Department]:
    return []
