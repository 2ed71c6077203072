"""Thin entry point: `python cli.py ...` runs the same function as the `ecoplan` command."""

from ecoplan.commands import main

if __name__ == "__main__":
    main(prog_name="ecoplan")
