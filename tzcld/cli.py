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
import logging
import os
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


#: argparse's own words in ``--help``, in French.
_HELP_FR = "afficher cette aide et quitter"
_USAGE_FR = "utilisation :"
_POSITIONALS_FR = "arguments"
_OPTIONALS_FR = "options"


class _FrenchHelpFormatter(argparse.HelpFormatter):
    """``utilisation :`` in front of the usage, its continuation lines aligned under it."""

    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, f"{_USAGE_FR} " if prefix is None else prefix)


class FrenchArgumentParser(argparse.ArgumentParser):
    """An argument parser that speaks French: its errors (exit code 2, as argparse) and its
    ``--help`` ("utilisation :", "arguments", "options", "afficher cette aide et quitter").
    Sub-command parsers are of the same class (argparse makes them with the parent's)."""

    def __init__(self, *args, **kwargs) -> None:
        add_help = kwargs.pop("add_help", True)
        kwargs.setdefault("formatter_class", _FrenchHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = _POSITIONALS_FR
        self._optionals.title = _OPTIONALS_FR
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=_HELP_FR)

    def format_usage(self) -> str:
        return super().format_usage().replace("usage:", _USAGE_FR, 1)

    def format_help(self) -> str:
        return super().format_help().replace("usage:", _USAGE_FR, 1)

    def error(self, message: str) -> None:  # type: ignore[override]
        for pattern, replacement in _ARGPARSE_FR:
            if re.fullmatch(pattern, message):
                message = re.sub(pattern, replacement, message)
                break
        self.exit(2, f"{self.format_usage()}{self.prog} : erreur : {message}\nAide : {self.prog} --help\n")


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


def _named_parser(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.ArgumentParser:
    """The (sub-)parser of the deepest command ``argv`` names: ``address-index`` alone gets
    the help of ``address-index``, not of every command."""
    current = parser
    for word in argv:
        actions = [a for a in current._actions if isinstance(a, argparse._SubParsersAction)]
        choices = actions[0].choices if actions else {}
        if word not in choices:
            break
        current = choices[word]
    return current


def _quiet_library_logs() -> None:
    """Library warnings (``tzcld.*`` loggers) are for servers' logs, in English: without a
    handler, Python would print them on stderr beside the command's French message (the
    database being down is said once, in French, by the command). ``TZCLD_DEBUG=1`` keeps them;
    ``serve-api`` configures its own handlers (which replace this one)."""
    logger = logging.getLogger("tzcld")
    if not logger.handlers:  # a handler found on the way: Python's last-resort printer stays quiet
        logger.addHandler(logging.NullHandler())


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP (``timeout``, a service stopped, a terminal closed) raised as an
    interruption, so that it is cleaned up as Ctrl+C is (no half-written output left)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum: int, _frame: object) -> None:
    raise Terminated(signum)


def _stop_signals_interrupt() -> None:
    """SIGTERM and SIGHUP interrupt the command like Ctrl+C (main thread only; ``serve-api``'s
    uvicorn installs its own handlers for a graceful shutdown)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is signal.SIG_DFL:
            signal.signal(number, _raise_terminated)


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit code. The one place where failures become messages."""
    from tzcld.errors import describe
    from tzcld.i18n import t
    from tzcld.runtime import Settings

    lang = DEFAULT_LANG
    try:
        if argv is None:
            argv = sys.argv[1:]
        if not Settings.from_env().debug:
            _quiet_library_logs()
        _stop_signals_interrupt()
        parser = build_parser(argv)
        args = parser.parse_args(argv)
        lang = getattr(args, "lang", None) or DEFAULT_LANG
        handler = getattr(args, "handler", None)
        if handler is None:
            _named_parser(parser, argv).print_help()
            return 2
        return int(handler(args) or 0)
    except KeyboardInterrupt as exc:
        print(t("errors.interrupted", lang), file=sys.stderr)
        return 128 + exc.signum if isinstance(exc, Terminated) else 130
    except BrokenPipeError:
        # the reader went away (``… | head``): nothing to say; stdout pointed at /dev/null so
        # that the interpreter's last flush does not complain either
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as the shell says for a command stopped by a closed pipe
    except Exception as exc:
        if Settings.from_env().debug:
            raise
        message, code = describe(exc, lang)
        print(message, file=sys.stderr)
        return code
