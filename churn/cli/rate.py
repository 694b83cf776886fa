"""``python -m churn rate FILE``: customers active, new and lost, and the churn rate, by period."""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

from churn.cli import Command, add_file_arguments, register, respond
from churn.cli._common import load_table_from_args
from churn.metrics import CHURN_DEFINITIONS, PERIODS, period_table

#: The per-period fields of the ``--json`` output, in order.
JSON_FIELDS = (
    "period",
    "period_start",
    "period_end",
    "active_start",
    "new",
    "churned",
    "churned_from_start",
    "numerator",
    "denominator",
    "churn_rate",
    "ci_low",
    "ci_high",
    "monthly_equivalent",
    "active_end",
    "partial",
    "churn_final",
)


def rate_payload(periods: pd.DataFrame, period: str, definition: str) -> dict[str, Any]:
    """The ``--json`` object for a :func:`churn.metrics.period_table` result."""
    spec = CHURN_DEFINITIONS[definition]
    rows = []
    for r in periods.to_dict("records"):
        row: dict[str, Any] = {}
        for k in JSON_FIELDS:
            v = r[k]
            if k in ("period_start", "period_end"):
                v = pd.Timestamp(v).strftime("%Y-%m-%d")
            elif k in ("partial", "churn_final"):
                v = bool(v)
            elif k == "period":
                v = str(v)
            elif isinstance(v, float):
                v = float(v)
            else:
                v = int(v)
            row[k] = v
        rows.append(row)
    return {
        "definition": definition,
        "definition_text": spec.explanation,
        "period": period,
        "snapshot": pd.Timestamp(periods.attrs["snapshot"]).strftime("%Y-%m-%d"),
        "notes": list(periods.attrs.get("notes", [])),
        "periods": rows,
    }


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_file_arguments(p)
    p.add_argument("--period", choices=list(PERIODS), default="month", help="period length")
    p.add_argument(
        "--definition",
        choices=list(CHURN_DEFINITIONS),
        default="start",
        # argparse formats help with %, so a literal percent sign must be doubled
        help=(
            "churn rate: "
            + "; ".join(
                f"{k} = {v.label.lower()} ({v.source})" for k, v in CHURN_DEFINITIONS.items()
            )
        ).replace("%", "%%"),
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _print_text(payload: dict[str, Any]) -> None:
    print(
        f"churn rate by {payload['period']} ({payload['definition']}): {payload['definition_text']}"
    )
    print(
        f"{'period':<9} {'active':>8} {'new':>7} {'lost':>7} {'rate':>7}  {'lost/at risk':>15}  end"
    )
    for p in payload["periods"]:
        rate = (
            "-"
            if p["churn_rate"] is None or p["churn_rate"] != p["churn_rate"]
            else (f"{p['churn_rate']:.1%}")
        )
        frac = f"{p['numerator']:,}/{p['denominator']:,}"
        flag = "  (partial)" if p["partial"] else "" if p["churn_final"] else "  (not final)"
        print(
            f"{p['period']:<9} {p['active_start']:>8,} {p['new']:>7,} {p['churned']:>7,} "
            f"{rate:>7}  {frac:>15}  {p['active_end']:,}{flag}"
        )
    for note in payload["notes"]:
        print(f"note: {note}")


def run(args: argparse.Namespace) -> int:
    _, _, table = load_table_from_args(args)
    periods = period_table(table, args.period, args.definition)
    payload = rate_payload(periods, args.period, args.definition)
    return respond(args, payload, _print_text)


register(
    Command(
        name="rate",
        help="Customers active, new and lost, and the churn rate, per week/month/quarter/year.",
        add_arguments=add_arguments,
        run=run,
    )
)
