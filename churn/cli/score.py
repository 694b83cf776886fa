"""``python -m churn score --model-file PATH FILE -o OUT``: a risk score for every customer."""

from __future__ import annotations

import argparse
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

    The roles saved with the model are reused (a new file has the same columns); role
    flags override them. A file without the label column is scored all the same.
    """
    from churn.cli._common import DEFAULT_INACTIVITY_DAYS, roles_from_args
    from churn.io import read_table
    from churn.model import score_new_file

    path = Path(args.file)
    if not path.is_file():
        raise ChurnDataError(
            msg("file '{file}' not found", file=args.file), fix=msg("check the path")
        )
    roles = None
    if _role_flags_given(args) or not trained.roles:
        roles = roles_from_args(read_table(path, name=path.name, sheet=args.sheet).frame, args)
    n = args.inactivity_days
    return score_new_file(
        trained,
        path,
        name=path.name,
        sheet=args.sheet,
        roles=roles,
        snapshot=args.snapshot,
        inactivity_days=DEFAULT_INACTIVITY_DAYS if n is None else n,
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
    write_scores(out, out_path)
    print(f"scored {len(out):,} customers with {trained.label}; wrote {out_path}")
    return 0


register(Command("score", "score every customer of a file with a saved model", _add, _run))
