"""``python -m churn explain`` (one customer's reasons) and ``at-risk`` (the list to act on)."""

from __future__ import annotations

import argparse
from pathlib import Path

from churn.cli import Command, add_file_arguments, emit_json, register
from churn.cli._tuning import add_tune_arguments, train_from_args
from churn.errors import ChurnDataError
from churn.languages import DEFAULT_LANGUAGE, LANGUAGES
from churn.text import msg


def _model_args(p: argparse.ArgumentParser) -> None:
    add_file_arguments(p)
    add_tune_arguments(p)
    p.add_argument(
        "--model-file",
        metavar="PATH",
        help="a saved ChurnLens model (default: train the default model on FILE)",
    )
    p.add_argument(
        "--lang", choices=list(LANGUAGES), default=DEFAULT_LANGUAGE, help="language of the texts"
    )
    p.add_argument("--playbook", metavar="CSV", help="a playbook file (default: the built-in)")


def _add_explain(p: argparse.ArgumentParser) -> None:
    _model_args(p)
    p.add_argument(
        "--customer", required=True, metavar="ID", help="customer id (or part of a name)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _add_at_risk(p: argparse.ArgumentParser) -> None:
    _model_args(p)
    p.add_argument("--top", type=int, default=100, metavar="N", help="customers listed (100)")
    p.add_argument(
        "--sort",
        choices=("risk", "value_at_risk"),
        default="risk",
        help="rank by risk or by expected value at risk (risk x value)",
    )
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="OUT.csv or OUT.xlsx")
    p.add_argument(
        "--hold-out",
        nargs="?",
        const=0.1,
        type=float,
        metavar="SHARE",
        help="mark a random hold-out not to contact, to measure the campaign later "
        "(column hold_out; SHARE default 0.1)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the hold-out draw (0)")


def _model_and_table(args: argparse.Namespace):
    from churn.cli._common import load_table_from_args
    from churn.model import load_model

    _, _, table = load_table_from_args(args)
    if args.model_file:
        trained = load_model(args.model_file)
        missing = [c for c in trained.features if c not in table.frame.columns]
        if missing:
            raise ChurnDataError(
                msg(
                    "the model needs column '{column}', which this file does not have.",
                    column=missing[0],
                ),
                fix=msg("use the file the model was trained on, or one with the same columns."),
                column=missing[0],
            )
    else:
        trained, _ = train_from_args(table, args)
    return trained, table


def _run_explain(args: argparse.Namespace) -> int:
    from churn.explain import customer_breakdown, load_playbook

    playbook = load_playbook(args.playbook)
    trained, table = _model_and_table(args)
    out = customer_breakdown(trained, table, args.customer, lang=args.lang, playbook=playbook)
    if args.json:
        emit_json(out)
        return 0
    print(f"customer {out['customer']}: risk {out['risk']:.1%} (base {out['base_risk']:.1%})")
    for r in out["reasons"]:
        print(f"  {r['text']}")
    print(f"suggested action: {out['action']}")
    return 0


def _run_at_risk(args: argparse.Namespace) -> int:
    from churn.explain import at_risk_bytes, at_risk_list, load_playbook, mark_hold_out
    from churn.model import honest_risk

    out_path = Path(args.output)
    kind = out_path.suffix.lower().lstrip(".")
    if kind not in ("csv", "xlsx"):
        raise ChurnDataError(
            msg("cannot write '{name}': unknown file type.", name=out_path.name),
            fix=msg("use a .csv or .xlsx name."),
        )
    if args.top < 1:
        raise ChurnDataError(msg("--top must be at least 1."), fix=msg("give a positive number."))
    playbook = load_playbook(args.playbook)
    trained, table = _model_and_table(args)
    frame = at_risk_list(
        trained,
        table,
        honest_risk(trained, table),  # out of fold for the customers it learned from
        sort=args.sort,
        top=args.top,
        lang=args.lang,
        playbook=playbook,
    )
    if args.hold_out is not None:
        frame = mark_hold_out(frame, args.hold_out, args.seed)
    out_path.write_bytes(at_risk_bytes(frame, kind))
    print(f"listed {len(frame):,} active customers at risk ({trained.label}); wrote {out_path}")
    return 0


register(
    Command(
        "explain",
        "why one customer is at risk: every column's contribution and the suggested action",
        _add_explain,
        _run_explain,
    )
)
register(
    Command(
        "at-risk",
        "the active customers most at risk, with their top reasons and actions, as CSV/XLSX",
        _add_at_risk,
        _run_at_risk,
    )
)
