"""``python -m churn score --model-file PATH FILE -o OUT``: a risk score for every customer."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from churn.cli import Command, add_file_arguments, register
from churn.errors import ChurnDataError
from churn.text import msg


def _add(p: argparse.ArgumentParser) -> None:
    add_file_arguments(p)
    p.add_argument("--model-file", required=True, metavar="PATH", help="a saved ChurnLens model")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="OUT.csv or OUT.xlsx")


def _role_flags_given(args: argparse.Namespace) -> bool:
    from churn.cli._common import FLAG_ROLES

    return any(getattr(args, a, None) for a in FLAG_ROLES) or bool(args.churned_value)


def scored_frame(trained, args: argparse.Namespace):
    """customer_id, the file's id column, risk and risk_rank for every customer of the file.

    The settings saved with the model are reused (a new file has the same columns):
    its roles, snapshot and inactivity window. Role flags, ``--snapshot`` and
    ``--inactivity-days`` override them. A file without the label column is scored all
    the same. ``attrs["notes"]`` says when the settings used differ from the model's.
    """
    from churn.cli._common import roles_from_args, settings_from_args
    from churn.contain import read_contained
    from churn.model import score_new_file

    path = Path(args.file)
    if not path.is_file():
        raise ChurnDataError(
            msg("file '{file}' not found", file=args.file), fix=msg("check the path")
        )
    settings = trained.intake_settings()
    need_roles = _role_flags_given(args) or not trained.roles
    # Read once, in a worker process (a file that crashes a reader is one error line).
    result, proposed = read_contained(path, name=path.name, sheet=args.sheet, propose=need_roles)
    if need_roles:
        settings = settings.with_(roles=roles_from_args(result.frame, args, proposed))
    settings = settings_from_args(args, settings.with_(sheet=result.sheet))
    return score_new_file(
        trained, result.frame, name=path.name, sheet=args.sheet, settings=settings
    )


def _run(args: argparse.Namespace) -> int:
    from churn.model import load_model, write_scores

    out_path = Path(args.output)
    if out_path.suffix.lower() not in (".csv", ".xlsx"):
        raise ChurnDataError(
            msg("cannot write '{name}': unknown file type.", name=out_path.name),
            fix=msg("use a .csv or .xlsx name."),
        )
    trained = load_model(args.model_file)
    out = scored_frame(trained, args)
    for note in out.attrs.get("notes", ()):
        print(f"note: {note}", file=sys.stderr)
    write_scores(out, out_path)
    print(f"scored {len(out):,} customers with {trained.label}; wrote {out_path}")
    return 0


register(Command("score", "score every customer of a file with a saved model", _add, _run))
