"""Reading ecoplan outputs back: the one loader of YAML/JSON output files.

Dates stay strings (as in JSON), so a YAML and a JSON output of the same plan
load to the same data. `validate` and the tests read outputs only through here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from ecoplan.schema import Plan


class OutputLoader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: dates stay strings, as in JSON."""


OutputLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def loads_output_data(text: str, json_only: bool = False) -> Any:
    """Plain data of one output document (JSON, else YAML unless `json_only`).

    Raises ValueError (JSON) or yaml.YAMLError when the text is neither.
    """
    try:
        return json.loads(text)
    except ValueError:
        if json_only:
            raise
    return yaml.load(text, Loader=OutputLoader)


def load_output(path: str | Path) -> Plan:
    """The Plan in an output file written by `ecoplan parse` (YAML or JSON), validated strictly."""
    path = Path(path)
    data = loads_output_data(path.read_text(encoding="utf-8-sig"), json_only=path.suffix == ".json")
    return Plan.model_validate_json(json.dumps(data, ensure_ascii=False), strict=True)
