"""The `ecoplan` command line: one click group; thin wiring over the library."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ecoplan.errors import EcoplanError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ecoplan")
def main() -> None:
    """Parse Chinese government plan documents (工作计划, 工作要点, 实施方案,
    措施清单) into structured, traceable YAML or JSON."""


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", help="Output file (one input) or directory (several inputs). Default: stdout.")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True,
              help="Output format.")
def parse(inputs: tuple[str, ...], output: str | None, fmt: str) -> None:
    """Parse plan text files (`-` for stdin) into YAML or JSON."""
    from ecoplan.pipeline import parse_source
    from ecoplan.reading import read_source
    from ecoplan.writing import EXTENSIONS, dumps, write_atomic

    failed = 0
    for path in inputs:
        try:
            text = dumps(parse_source(read_source(path)), fmt)
            if output is None or output == "-":
                sys.stdout.write(text)
            elif len(inputs) == 1 and not Path(output).is_dir():
                write_atomic(output, text)
            else:
                Path(output).mkdir(parents=True, exist_ok=True)
                write_atomic(Path(output) / (Path(path).stem + EXTENSIONS[fmt]), text)
        except EcoplanError as exc:
            click.echo(f"ecoplan: error: {exc}", err=True)
            failed += 1
    if failed:
        sys.exit(1)
