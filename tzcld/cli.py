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

Every command ends with a message in French (or in ``--lang``) and, on failure, a non-zero
exit — never a traceback: :func:`main` is the one handler. A :class:`tzcld.errors.TzcldError`
is shown as its message (exit 2, or its own ``exit_code``); any other exception through
:func:`tzcld.errors.describe` (database unreachable or damaged, file inaccessible,
"erreur inattendue" — exit 1). Option errors are said in French too. ``TZCLD_DEBUG=1`` lets
the traceback through (developers).
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Sequence

from tzcld.i18n import DEFAULT_LANG

#: argparse's messages, in French (pattern → replacement).
_ARGPARSE_FR: tuple[tuple[str, str], ...] = (
    (r"the following arguments are required: (.*)", r"arguments obligatoires manquants : \1"),
    (r"unrecognized arguments: (.*)", r"arguments non reconnus : \1"),
    (
        r"argument (.*?): invalid choice: (.*?) \(choose from (.*)\)",
        r"argument \1 : choix invalide \2 (choix possibles : \3)",
    ),
    (r"argument (.*?): expected one argument", r"argument \1 : une valeur est attendue"),
    (r"argument (.*?): not allowed with argument (.*)", r"argument \1 : incompatible avec \2"),
    (r"argument (.*?): invalid (\w+) value: (.*)", r"argument \1 : valeur invalide \3 (type \2 attendu)"),
    (r"argument (.*?): ignored explicit argument (.*)", r"argument \1 : valeur inattendue \2"),
)


class FrenchArgumentParser(argparse.ArgumentParser):
    """An argument parser whose errors are said in French (exit code 2, as argparse)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        for pattern, replacement in _ARGPARSE_FR:
            if re.fullmatch(pattern, message):
                message = re.sub(pattern, replacement, message)
                break
        usage = self.format_usage().replace("usage:", "utilisation :", 1)
        self.exit(2, f"{usage}{self.prog} : erreur : {message}\nAide : {self.prog} --help\n")


#: The top-level commands and the module that registers each (``register(subparsers) -> None``).
#: Only the module of the command being run is imported (``check-file`` does not load the
#: ledger, SQLAlchemy or the API); ``--help`` and unknown commands import them all.
COMMAND_MODULES: dict[str, str] = {
    "geodata": "tzcld.geodata.cli",
    "check": "tzcld.check_cli",
    "check-file": "tzcld.check_cli",
    "address-index": "tzcld.check_cli",
    "ledger": "tzcld.ledger.cli",
    "export-site": "tzcld.export.cli",
    "perimeter": "tzcld.perimeters.cli",
    "serve-api": "tzcld.api.cli",
}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with ``argv``, only the sub-commands of the command it names (when known)."""
    parser = FrenchArgumentParser(
        prog="python -m tzcld",
        description="TZCLD Wallonie / TerritoiR'ES : outils en ligne de commande.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE")
    command = next(iter(argv or ()), None)
    if command in COMMAND_MODULES:
        modules = [COMMAND_MODULES[command]]
    else:
        modules = list(dict.fromkeys(COMMAND_MODULES.values()))
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # concern not installed in this tree yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit code. The one place where failures become messages."""
    from tzcld.errors import describe
    from tzcld.i18n import t
    from tzcld.runtime import Settings

    lang = DEFAULT_LANG
    try:
        if argv is None:
            argv = sys.argv[1:]
        parser = build_parser(argv)
        args = parser.parse_args(argv)
        lang = getattr(args, "lang", None) or DEFAULT_LANG
        handler = getattr(args, "handler", None)
        if handler is None:
            parser.print_help()
            return 2
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        print(t("errors.interrupted", lang), file=sys.stderr)
        return 130
    except Exception as exc:
        if Settings.from_env().debug:
            raise
        message, code = describe(exc, lang)
        print(message, file=sys.stderr)
        return code
