"""Thin entry point: `python cli.py ...` runs the same function as the `ecoplan` command."""

from ecoplan.commands import run

if __name__ == "__main__":
    run(prog_name="ecoplan")
