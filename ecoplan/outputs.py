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

# Deeper than any output nests (sections in sections reach some 40 levels).
MAX_NESTING = 200


class OutputLoader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps (dates stay strings, as in JSON), aliases or deep nesting.

    ecoplan never writes anchors or aliases, and expanding them lets a few
    hundred bytes stand for gigabytes ("billion laughs"), so an alias is an
    error; so is nesting deeper than any output has.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "aliases are not allowed in ecoplan output",
                                              self.peek_event().start_mark)
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_NESTING:
                raise yaml.composer.ComposerError(None, None, f"nested deeper than {MAX_NESTING} levels",
                                                  self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


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
