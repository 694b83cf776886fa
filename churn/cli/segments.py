"""``python -m churn segments FILE --by COL``: churn rate per segment, with intervals."""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

from churn.cli import Command, add_file_arguments, register, respond
from churn.cli._common import load_table_from_args

#: The per-segment fields of the ``--json`` output, in order.
JSON_FIELDS = (
    "segment",
    "customers",
    "churned",
    "churn_rate",
    "ci_low",
    "ci_high",
    "lift",
    "small",
)


def segments_payload(result: pd.DataFrame) -> dict[str, Any]:
    """The ``--json`` object for a :func:`churn.segments.churn_by_segment` result."""
    rows = [
        {
            "segment": str(r["segment"]),
            "customers": int(r["customers"]),
            "churned": int(r["churned"]),
            "churn_rate": float(r["churn_rate"]),
            "ci_low": float(r["ci_low"]),
            "ci_high": float(r["ci_high"]),
            "lift": float(r["lift"]),
            "small": bool(r["small"]),
        }
        for r in result.to_dict("records")
    ]
    return {
        "by": result.attrs["column"],
        "overall_rate": float(result.attrs["overall_rate"]),
        "customers": int(result.attrs["overall_customers"]),
        "churned": int(result.attrs["overall_churned"]),
        "definition": result.attrs["definition"],
        "p_adjust": result.attrs["adjust"],
        "note": result.attrs["note"],
        "segments": rows,
    }


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_file_arguments(p)
    p.add_argument("--by", required=True, metavar="COL", help="the column to segment by")
    p.add_argument(
        "--bins", type=int, default=5, metavar="N", help="number columns: N quantile bins"
    )
    p.add_argument(
        "--top", type=int, default=10, metavar="K", help="categories: keep the K largest"
    )
    p.add_argument(
        "--by-year", action="store_true", help="date columns: by year instead of by month"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _print_text(payload: dict[str, Any]) -> None:
    print(
        f"churn by {payload['by']}: overall {payload['overall_rate']:.1%} "
        f"({payload['churned']:,} of {payload['customers']:,} labelled customers)"
    )
    width = max([len(s["segment"]) for s in payload["segments"]] + [7])
    print(f"{'segment':<{width}}  customers  churned   rate   95% interval    lift")
    for s in payload["segments"]:
        flag = "  (small: too few to judge)" if s["small"] else ""
        print(
            f"{s['segment']:<{width}}  {s['customers']:>9,}  {s['churned']:>7,}  "
            f"{s['churn_rate']:>5.1%}  {s['ci_low']:>5.1%} - {s['ci_high']:<6.1%}  "
            f"{s['lift']:>5.2f}{flag}"
        )
    print(payload["note"])


def run(args: argparse.Namespace) -> int:
    from churn.segments import churn_by_segment

    _, _, table = load_table_from_args(args)
    by = args.by
    if by not in table.frame.columns:
        # the table renames a user column that clashes with a canonical name
        renamed = f"{by} (original)"
        by = renamed if renamed in table.frame.columns else by
    result = churn_by_segment(
        table,
        by,
        bins=args.bins,
        top_k=args.top,
        date_freq="year" if args.by_year else "month",
    )
    payload = segments_payload(result)
    payload["by"] = args.by
    return respond(args, payload, _print_text)


register(
    Command(
        name="segments",
        help="Churn rate per segment of one column, with 95%% intervals, lift and small-group flags.",
        add_arguments=add_arguments,
        run=run,
    )
)
