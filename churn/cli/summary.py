"""``python -m churn summary FILE``: what the file is, who churned, what could not be used."""

from __future__ import annotations

import argparse
from typing import Any

from churn.cli import Command, add_file_arguments, register, respond
from churn.cli._common import load_table_from_args
from churn.roles import label_choice_rates, label_value_counts, reasons_in_use
from churn.table import STATUS, STATUS_EXCLUDED, STATUS_TOO_NEW


def summarize(result: Any, roles, table, issues) -> dict[str, Any]:
    """The summary as a JSON-ready dict (the ``--json`` output)."""
    frame = table.frame
    lab = frame["churned"].dropna()
    churned = int((lab == 1).sum())
    return {
        "file": getattr(result, "name", None),
        "sheet": getattr(result, "sheet", None),
        "shape": table.shape,
        "rows": int(table.rows_in),
        "customers": int(len(frame)),
        "labelled": int(len(lab)),
        "churned": churned,
        "active": int(len(lab) - churned),
        "too_new": int((frame[STATUS] == STATUS_TOO_NEW).sum()),
        "not_labelled": int((frame[STATUS] == STATUS_EXCLUDED).sum()),
        "churn_rate": churned / len(lab) if len(lab) else None,
        "churn_rate_definition": "churned / labelled customers",
        "snapshot": None if table.snapshot is None else table.snapshot.strftime("%Y-%m-%d"),
        "inactivity_days": table.inactivity_days,
        "roles": roles.assigned(),
        "churned_values": list(roles.churned_values),
        "active_values": list(roles.active_values),
        "amount_unit": roles.amount_unit if roles.amount else None,
        "features": list(table.features),
        "categorical": list(table.categorical),
        "personal": list(table.personal),
        "excluded_columns": {c: r for c, r in table.excluded},
        "issues": [
            {
                "severity": i.severity,
                "code": i.code,
                "column": i.column,
                "message": i.message,
                "count": i.count,  # rows or customers concerned (None when not counted)
            }
            for i in issues
        ],
        "notes": list(table.notes),
        "role_reasons": [
            {"role": r, "column": c, "confidence": conf, "reason": why}
            for r, c, conf, why in reasons_in_use(roles)
        ],
        "unclear_label_values": _unclear_label_values(result, roles, table),
    }


def _unclear_label_values(result: Any, roles, table) -> list[dict[str, Any]]:
    """The label values with no clear meaning (paused, trial ...) and the churn rate over
    the label's rows if each meant churned, active, or was left out (as now)."""
    frame = getattr(result, "frame", None)
    if not roles.label or table.shape == "events" or frame is None or roles.label not in frame:
        return []
    rates = label_choice_rates(label_value_counts(frame[roles.label], roles))

    def num(x: float) -> float | None:
        return None if x != x else float(x)  # NaN: nothing would be labelled

    return [
        {
            "value": row["value"],
            "rows": int(row["count"]),
            "churn_rate_if_churned": num(row["churned"]),
            "churn_rate_if_active": num(row["active"]),
            "churn_rate_if_left_out": num(row["left_out"]),
        }
        for row in rates.to_dict("records")
    ]


def _print_text(s: dict[str, Any]) -> None:
    rate = "-" if s["churn_rate"] is None else f"{s['churn_rate']:.1%}"
    where = s["file"] or ""
    if s["sheet"]:
        where += f" (sheet {s['sheet']})"
    print(f"{where}: {s['rows']:,} rows, shape '{s['shape']}'")
    print(
        f"customers {s['customers']:,}: churned {s['churned']:,} of {s['labelled']:,} "
        f"labelled ({rate})"
        + (f", too new {s['too_new']:,}" if s["too_new"] else "")
        + (f", not labelled {s['not_labelled']:,}" if s["not_labelled"] else "")
    )
    if s["snapshot"]:
        extra = f", inactivity {s['inactivity_days']} days" if s["inactivity_days"] else ""
        print(f"snapshot {s['snapshot']}{extra}")
    print("roles: " + ", ".join(f"{r}={c}" for r, c in s["roles"].items()))
    if s["roles"].get("amount"):
        print(f"amount unit: {s.get('amount_unit') or 'not confirmed (--amount-unit)'}")
    for why in s.get("role_reasons", ()):
        print(f"  {why['role']}={why['column']} ({why['confidence']}): {why['reason']}")
    if s["churned_values"] or s["active_values"]:
        print(
            f"label values: churned = {', '.join(s['churned_values']) or '(none)'}; "
            f"active = {', '.join(s['active_values']) or '(none)'}"
        )
    print(f"features ({len(s['features'])}): {', '.join(s['features'])}")
    for c, why in s["excluded_columns"].items():
        print(f"  left out: {c} ({why})")
    for u in s.get("unclear_label_values", ()):
        rates = [u[f"churn_rate_if_{k}"] for k in ("churned", "active", "left_out")]
        shown = ["-" if x is None else f"{x:.1%}" for x in rates]
        print(
            f"unclear label value '{u['value']}' ({u['rows']:,} rows): churn rate {shown[0]} "
            f"if churned, {shown[1]} if active, {shown[2]} if left out"
        )
    for i in s["issues"]:
        col = f"{i['column']}: " if i["column"] else ""
        print(f"{i['severity']}: {col}{i['message']}")
    for note in s["notes"]:
        print(f"note: {note}")


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_file_arguments(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from churn.validate import validate

    result, roles, table = load_table_from_args(args)
    issues = validate(result.frame, roles, table)
    s = summarize(result, roles, table, issues)
    if s["file"] is None:
        from pathlib import Path

        s["file"] = Path(args.file).name
    return respond(args, s, _print_text)


register(
    Command(
        name="summary",
        help="What the file is, how many customers churned, and what could not be used.",
        add_arguments=add_arguments,
        run=run,
    )
)
