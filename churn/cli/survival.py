"""``python -m churn survival FILE``: Kaplan-Meier median lifetimes, overall or by group."""

from __future__ import annotations

import argparse
import math
from typing import Any

from churn.cli import Command, add_file_arguments, register, respond
from churn.cli._common import load_table_from_args
from churn.metrics import SurvivalResult, survival_curves


def survival_payload(res: SurvivalResult) -> dict[str, Any]:
    """The ``--json`` object for a :func:`churn.metrics.survival_curves` result.

    ``median_lifetime`` is in days and ``null`` when it is not reached (more than half of
    the group had not churned by the longest tenure seen).
    """
    groups = [
        {
            "group": str(g["group"]),
            "customers": int(g["customers"]),
            "churned": int(g["churned"]),
            "median_lifetime": (
                float(g["median_lifetime_days"])
                if math.isfinite(g["median_lifetime_days"])
                else None
            ),
            "median_reached": bool(g["median_reached"]),
        }
        for g in res.groups.to_dict("records")
    ]
    return {
        "by": res.by,
        "unit": "days",
        "customers_used": res.customers_used,
        "customers_left_out": res.customers_left_out,
        "groups": groups,
        "logrank_p": res.logrank_p,
        "notes": list(res.notes),
    }


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_file_arguments(p)
    p.add_argument("--by", metavar="COL", help="compare the groups of this column (log-rank test)")
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object; median_lifetime is in days (null: not reached)",
    )


def _print_text(payload: dict[str, Any]) -> None:
    print(
        f"median lifetime in days (Kaplan-Meier), {payload['customers_used']:,} customers"
        + (f" by {payload['by']}" if payload["by"] else "")
    )
    width = max([len(g["group"]) for g in payload["groups"]] + [5])
    print(f"{'group':<{width}}  customers  churned  median days")
    for g in payload["groups"]:
        med = "not reached" if g["median_lifetime"] is None else f"{g['median_lifetime']:,.0f}"
        print(f"{g['group']:<{width}}  {g['customers']:>9,}  {g['churned']:>7,}  {med:>11}")
    if payload["logrank_p"] is not None:
        p = payload["logrank_p"]
        shown = "< 0.0001" if p < 1e-4 else f"= {p:.3g}"
        print(f"log-rank test across groups: p {shown}")
    for note in payload["notes"]:
        print(f"note: {note}")


def run(args: argparse.Namespace) -> int:
    _, _, table = load_table_from_args(args)
    res = survival_curves(table, by=args.by)
    payload = survival_payload(res)
    return respond(args, payload, _print_text)


register(
    Command(
        name="survival",
        help="Median customer lifetime in days (Kaplan-Meier), overall or by a column, "
        "with a log-rank test between groups.",
        add_arguments=add_arguments,
        run=run,
    )
)
