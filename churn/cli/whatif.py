"""``python -m churn whatif FILE --customer ID --set COL=VALUE``: one customer's risk moved.

Numbers linked to a changed category move with it unless ``--no-linked`` is given; the
JSON output lists them under ``linked_changes`` (and ``move_linked`` says which way it ran).
"""

from __future__ import annotations

import argparse

from churn.cli import Command, add_file_arguments, emit_json, register
from churn.errors import ChurnDataError
from churn.text import msg


def _add(p: argparse.ArgumentParser) -> None:
    add_file_arguments(p)
    p.add_argument("--customer", required=True, metavar="ID", help="the customer's id")
    p.add_argument(
        "--set",
        dest="changes",
        action="append",
        default=[],
        metavar="COL=VALUE",
        help="a feature and its new value (repeatable); values must occur in the data",
    )
    p.add_argument(
        "--model-file", metavar="PATH", help="a saved ChurnLens model (default: train one)"
    )
    p.add_argument(
        "--no-linked",
        dest="move_linked",
        action="store_false",
        help="keep numbers that go with a changed category (e.g. days to renewal with the "
        "contract) at the customer's values; by default they move to the same place "
        "(percentile) among customers with the new category, and are listed",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")


def parse_changes(items: list[str]) -> dict[str, str]:
    """``["COL=VALUE", ...]`` -> ``{COL: VALUE}``; a malformed item is a ChurnDataError."""
    out: dict[str, str] = {}
    for item in items:
        col, sep, value = item.partition("=")
        if not sep or not col.strip():
            raise ChurnDataError(
                msg("'--set {item}' is not of the form COL=VALUE.", item=item),
                fix=msg("write --set plan=Premium."),
            )
        out[col.strip()] = value.strip()
    return out


def _run(args: argparse.Namespace) -> int:
    from churn.cli._common import load_table_from_args
    from churn.model import load_model, train
    from churn.whatif import what_if

    changes = parse_changes(args.changes)
    _, _, table = load_table_from_args(args)
    trained = load_model(args.model_file) if args.model_file else train(table)
    result = what_if(trained, table, args.customer, changes, move_linked=args.move_linked)
    if args.json:
        emit_json(result.to_dict())
        return 0
    print(
        f"customer {result.customer}: risk {result.before:.1%} -> {result.after:.1%} "
        f"({result.delta * 100:+.1f} points)"
    )
    for c in result.changes:
        print(f"  {c['column']}: {c['before']} -> {c['after']}")
    for c in result.linked_changes:
        print(
            f"  {c['column']}: {c['before']} -> {c['after']} "
            f"(moved with {', '.join(c['linked_to'])}; --no-linked keeps it)"
        )
    return 0


register(Command("whatif", "one customer's churn risk before and after changes", _add, _run))
