"""``python -m tzcld``: the one command-line entry point.

Sub-commands (a stable contract: change their options only compatibly):

- ``geodata build``   rebuild the derived geodata from the raw inputs
- ``check``           is one address / point in a territory?
- ``check-file``      the same for every row of a CSV/XLSX file
- ``ledger``          export / import the progress ledger
- ``export-site``     write the public transparency page as static files
- ``perimeter``       list / export / import the perimeter versions
- ``serve-api``       the HTTP API over the address check

Each concern registers its own sub-commands (``register(subparsers)``) and imports
its heavy dependencies only when run, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: Modules that contribute sub-commands, each with ``register(subparsers) -> None``.
COMMAND_MODULES: tuple[str, ...] = (
    "tzcld.geodata.cli",
    "tzcld.check_cli",
    "tzcld.ledger.cli",
    "tzcld.export.cli",
    "tzcld.perimeters.cli",
    "tzcld.api.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tzcld",
        description="TZCLD Wallonie / TerritoiR'ES : outils en ligne de commande.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # concern not installed in this tree yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130
