"""The command line: ``python -m churn COMMAND FILE [role flags] ...``.

Subcommands register themselves in :data:`COMMANDS` (name -> :class:`Command`), the
same way an addition would. Exit codes are part of the public interface:

* 0: success;
* 2: bad input or bad arguments (one line ``error: ...`` on stderr, never a traceback);
* 1: an unexpected internal error (also one line on stderr).
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import pkgutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from churn.errors import ChurnDataError
from churn.roles import AMOUNT_UNITS
from churn.text import msg

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


COMMANDS: dict[str, Command] = {}


def register(command: Command) -> Command:
    COMMANDS[command.name] = command
    return command


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise ChurnDataError(
            msg("{message}", message=message),
            fix=msg("see '{prog} --help'.", prog=self.prog),
        )


def add_file_arguments(p: argparse.ArgumentParser) -> None:
    """The input file and the role flags every data command takes."""
    p.add_argument(
        "file",
        help="CSV, TSV, TXT, XLSX/XLSM/XLS or Parquet file; for an event log also a folder or "
        "glob of Parquet/CSV files, or a database URL with --table",
    )
    p.add_argument(
        "--table",
        metavar="NAME",
        help="event log in a database: the table (FILE is the URL, e.g. "
        "postgresql://user@host/db; the password comes from CHURNLENS_DB_PASSWORD)",
    )
    p.add_argument("--sheet", help="worksheet name (default: the sheet that holds the data)")
    p.add_argument("--id", dest="id_col", metavar="COL", help="customer id column")
    p.add_argument("--label", metavar="COL", help="churn flag or status column")
    p.add_argument(
        "--churned-value",
        action="append",
        metavar="V",
        help="label value that means churned (repeatable)",
    )
    p.add_argument("--start", metavar="COL", help="start / signup date column")
    p.add_argument("--end", metavar="COL", help="end / cancel date column")
    p.add_argument("--event-date", metavar="COL", help="event date column (event logs)")
    p.add_argument("--amount", metavar="COL", help="fee, revenue or amount column")
    p.add_argument(
        "--amount-unit",
        choices=AMOUNT_UNITS,
        default=None,
        help="what one amount is: per month, per year, per order, or a lifetime total so far "
        "(default: proposed from the column's name and values)",
    )
    p.add_argument("--tenure", metavar="COL", help="tenure column (when there are no dates)")
    p.add_argument(
        "--inactivity-days",
        type=int,
        default=None,
        metavar="N",
        help="event logs: churned when the last event is more than N days before the snapshot",
    )
    p.add_argument("--snapshot", metavar="DATE", help="the 'as of' date (default: latest date)")
    p.add_argument(
        "--dayfirst",
        choices=("yes", "no"),
        default=None,
        help="read ambiguous dates like 03/04/2024 as day first (yes) or month first (no)",
    )
    p.add_argument(
        "--keep-after-exit",
        action="store_true",
        help="keep columns measured after the customer left (a recency counted at export), "
        "which are left out of the features by default",
    )


def emit_json(obj: Any) -> None:
    """Print one JSON object (NaN becomes null) on stdout."""
    print(json.dumps(_jsonable(obj), ensure_ascii=False, allow_nan=False))


def respond(args: argparse.Namespace, payload: dict[str, Any], print_text) -> int:
    """The end of every read-only command: the payload as JSON (``--json``) or as text.

    Returns the exit status (0), so a command's ``run`` can end with ``return respond(...)``.
    """
    if getattr(args, "json", False):
        emit_json(payload)
    else:
        print_text(payload)
    return 0


def _jsonable(obj: Any) -> Any:
    import math

    import numpy as np
    import pandas as pd

    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and (math.isnan(obj) or math.isinf(obj)):
        return None
    if isinstance(obj, pd.Timestamp):
        return None if pd.isna(obj) else obj.isoformat()
    if obj is pd.NaT:
        return None
    return obj


def build_parser() -> argparse.ArgumentParser:
    # Every module in this package defines and registers its commands on import.
    for mod in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        importlib.import_module(f"churn.cli.{mod}")
    parser = _Parser(prog="python -m churn", description="ChurnLens from the command line.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for cmd in COMMANDS.values():
        p = sub.add_parser(cmd.name, help=cmd.help, description=cmd.help)
        cmd.add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Library logs (e.g. churn.contain's report of a crashed reader) stay off stderr unless
    # the caller configured logging: the CLI prints one ``error:`` line, nothing more.
    quiet = logging.getLogger("churnlens")
    if not any(isinstance(h, logging.NullHandler) for h in quiet.handlers):
        quiet.addHandler(logging.NullHandler())
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not args.command:
            parser.print_help()
            return EXIT_BAD_INPUT
        return COMMANDS[args.command].run(args)
    except ChurnDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (OSError, MemoryError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback
        print(f"error: unexpected {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
