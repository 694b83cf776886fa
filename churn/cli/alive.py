"""``python -m churn alive FILE``: P(alive) and expected purchases of a purchase log (BG/NBD).

The file is read in the contained worker like every data command's; the customer table
is not built (BG/NBD works on the purchase days themselves, see ``churn.alive``).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from churn.cli import Command, add_file_arguments, register, respond
from churn.cli._common import read_file_from_args
from churn.settings import DEFAULT_HORIZON_DAYS
from churn.table import ID

if TYPE_CHECKING:
    from churn.alive import AliveResult

#: Per-customer fields of the ``--json`` output, in order.
CUSTOMER_FIELDS = ("frequency", "recency", "T", "p_alive", "expected_purchases")
VALUE_FIELDS = ("monetary_value", "expected_spend", "expected_value")


def alive_payload(res: AliveResult) -> dict[str, Any]:
    """The ``--json`` object of a :func:`churn.alive.fit_alive` result.

    ``parameters`` holds BG/NBD's ``r``, ``alpha``, ``a``, ``b`` and ``log_likelihood``
    (times in ``time_unit``), and ``spend`` Gamma-Gamma's ``p``, ``q``, ``gamma`` (null
    without an amount). Each customer has ``customer_id``, ``frequency`` (repeat purchase
    days), ``recency`` and ``T`` (in ``time_unit``), ``p_alive``, ``expected_purchases``
    and, with an amount, ``monetary_value``, ``expected_spend`` and ``expected_value``.
    """
    p = res.params
    spend = res.spend
    with_value = spend is not None
    fields = CUSTOMER_FIELDS + (VALUE_FIELDS if with_value else ())
    frame = res.customers
    customers = [
        {ID: cid, **dict(zip(fields, row, strict=True))}
        for cid, *row in zip(frame[ID], *(frame[f].to_numpy() for f in fields), strict=True)
    ]
    return {
        "model": "BG/NBD" + (" + Gamma-Gamma" if with_value else ""),
        "snapshot": res.snapshot.strftime("%Y-%m-%d"),
        "horizon_days": res.horizon_days,
        "time_unit": "weeks" if p.unit_days == 7 else f"{p.unit_days:g} days",
        "customers_fitted": p.customers,
        "parameters": {
            "r": p.r,
            "alpha": p.alpha,
            "a": p.a,
            "b": p.b,
            "log_likelihood": p.log_likelihood,
        },
        "spend": (
            {"p": spend.p, "q": spend.q, "gamma": spend.gamma, "customers_fitted": spend.customers}
            if with_value
            else None
        ),
        "customers": customers,
        "notes": list(res.notes),
    }


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_file_arguments(p)
    p.add_argument(
        "--horizon-days",
        type=int,
        default=DEFAULT_HORIZON_DAYS,
        metavar="N",
        help=f"expected purchases and value over the next N days (default {DEFAULT_HORIZON_DAYS})",
    )
    p.add_argument(
        "--top",
        type=int,
        default=20,
        metavar="K",
        help="text output: the K customers with the most expected purchases (default 20)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object: the fitted parameters and every customer's p_alive, "
        "expected_purchases and (with --amount) expected_value",
    )


def _print_text(payload: dict[str, Any], top: int) -> None:
    par = payload["parameters"]
    print(
        f"{payload['model']} at {payload['snapshot']}, {payload['customers_fitted']:,} "
        f"customers (time unit: {payload['time_unit']})"
    )
    print(
        f"r = {par['r']:.4g}, alpha = {par['alpha']:.4g}, a = {par['a']:.4g}, "
        f"b = {par['b']:.4g}, log-likelihood = {par['log_likelihood']:,.1f}"
    )
    if payload["spend"]:
        s = payload["spend"]
        print(f"spend: p = {s['p']:.4g}, q = {s['q']:.4g}, gamma = {s['gamma']:.4g}")
    rows = sorted(payload["customers"], key=lambda c: -c["expected_purchases"])[:top]
    value = payload["spend"] is not None
    h = payload["horizon_days"]
    print(f"{'customer':<16} {'p_alive':>7} {f'purchases {h}d':>15}" + (" value" if value else ""))
    for c in rows:
        line = f"{str(c[ID]):<16} {c['p_alive']:>7.3f} {c['expected_purchases']:>15.2f}"
        if value and c["expected_value"] is not None:
            line += f" {c['expected_value']:,.2f}"
        print(line)
    for note in payload["notes"]:
        print(f"note: {note}")


def run(args: argparse.Namespace) -> int:
    result, settings = read_file_from_args(args)
    from churn.alive import fit_alive  # scipy: imported by this command only

    res = fit_alive(result.frame, settings.roles, settings.snapshot, args.horizon_days)
    payload = alive_payload(res)
    return respond(args, payload, lambda p: _print_text(p, max(args.top, 1)))


register(
    Command(
        name="alive",
        help="Purchase logs: the probability each customer is still active (BG/NBD), "
        "expected purchases over a horizon and, with an amount, expected value.",
        add_arguments=add_arguments,
        run=run,
    )
)
