"""Workers bench (issue 25): the heavy calls in a contained worker beside the same call in
this process, on a real file and a generated one, with the answers compared.

```
python bench/workers.py                    # Telco (../shared/data) and 10,000 generated
python bench/workers.py --record           # ... and append the table to bench/RESULTS.md
```

For each file: the customer table and the default model are made once (a time hold-out
where the file has dates, cross-validation where it has none); then each call the app now
makes in a worker (``churn.contain``) is timed both ways, alternated, best of ``--repeat``:
the global drivers, the at-risk list (top 100, Korean reasons), the report (every
section, HTML, XLSX and PDF), the comparison of every model and the honest risks. "Here"
is the bare library call in this process, what the server did before; "worker" is the
call the pages make, fork, transport and all. Each pair's answers are compared (the
report's HTML byte for byte, the rest exactly, the leaderboard without its timings).
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TELCO = ROOT.parent / "shared" / "data" / "telco_customer_churn.csv"

from bench.soak import machine  # noqa: E402
from churn import contain  # noqa: E402
from churn import explain as E  # noqa: E402
from churn import model as M  # noqa: E402
from churn.contain.call import call_contained  # noqa: E402
from churn.contain.explain import at_risk_contained, at_risk_here, drivers_contained  # noqa: E402
from churn.contain.report import report_contained, report_files  # noqa: E402
from churn.io import read_table  # noqa: E402
from churn.roles import infer_roles  # noqa: E402
from churn.sample import generate_subscriptions  # noqa: E402
from churn.shapes import build_customer_table  # noqa: E402


def tables(rows: int) -> dict[str, Any]:
    """The files: Telco as read from disk (no dates), generated subscriptions (dates)."""
    out = {}
    if TELCO.exists():
        frame = read_table(TELCO).frame
        out["Telco, 7,043 customers, no dates"] = build_customer_table(frame, infer_roles(frame))
    raw = generate_subscriptions(n=rows, seed=11)
    out[f"generated, {rows:,} customers, dates"] = build_customer_table(raw, infer_roles(raw))
    return out


def calls(table) -> list[tuple[str, Callable[[], Any], Callable[[], Any], Callable]]:
    """(name, here, worker, same) for one table and its default model."""
    tm = M.train(table, split=M.choose_split(table, prefer="auto"))
    risk = M.honest_risk(tm, table)
    kw = {"sort": "risk", "top": 100, "band": None, "segment": None, "lang": "ko"}

    def drivers_here():
        explainer = E.make_explainer(tm, E.sample_rows(table, E.LINEAR_BACKGROUND))
        return E.global_drivers(tm, table, explainer=explainer)

    def at_risk_list_here():
        explainer = E.make_explainer(tm, E.sample_rows(table, E.LINEAR_BACKGROUND))
        return at_risk_here(tm, table, risk, explainer=explainer, **kw)

    def same_drivers(a, b):
        pd.testing.assert_frame_equal(a.importance, b.importance, check_exact=True)
        pd.testing.assert_frame_equal(a.points, b.points, check_exact=True)

    def same_report(a, b):
        assert a["html"][0] == b["html"][0] and a["xlsx"][0] == b["xlsx"][0]

    def same_board(a, b):
        timing = ["fit_seconds"]
        pd.testing.assert_frame_equal(a.drop(columns=timing), b.drop(columns=timing))

    return [
        ("global drivers", drivers_here, lambda: drivers_contained(tm, table), same_drivers),
        (
            "at-risk list (top 100, Korean)",
            at_risk_list_here,
            lambda: at_risk_contained(tm, table, risk, **kw),
            lambda a, b: pd.testing.assert_frame_equal(a, b, check_exact=True),
        ),
        (
            "report (every section, HTML + XLSX + PDF)",
            lambda: report_files(table, tm, lang="ko"),
            lambda: report_contained(table, tm, lang="ko"),
            same_report,
        ),
        (
            "comparison of every model (5-fold CV)",
            lambda: M.leaderboard(table),
            lambda: call_contained(M.leaderboard, table),
            same_board,
        ),
        (
            f"honest risks ({risk.attrs['sources'].get('cross_fitted', 0):,} cross-fitted)",
            lambda: M.honest_risk(tm, table),
            lambda: call_contained(M.honest_risk, tm, table),
            lambda a, b: pd.testing.assert_series_equal(a, b, check_exact=True),
        ),
    ]


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def rows(rows_generated: int, repeat: int) -> list[dict[str, Any]]:
    contain.start_server()
    out = []
    for label, table in tables(rows_generated).items():
        for name, here, worker, same in calls(table):
            worker()  # the first call saves the model's skops file once (a shared entry)
            t_here, a = best(here, repeat)
            t_worker, b = best(worker, repeat)
            same(a, b)  # raises if the worker's answer differs
            out.append({"file": label, "call": name, "here": t_here, "worker": t_worker})
    return out


def markdown(found: list[dict[str, Any]], repeat: int) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"### The heavy calls in a worker beside this process ({when})",
        "",
        f"`python bench/workers.py`; {machine()}; best of {repeat}, the answers compared and "
        "equal (the report's HTML and XLSX byte for byte).",
        "",
        "| file | call | in this process | in a worker | worker - here |",
        "|---|---|---:|---:|---:|",
    ]
    for r in found:
        lines.append(
            f"| {r['file']} | {r['call']} | {r['here']:.2f} s | {r['worker']:.2f} s "
            f"| {r['worker'] - r['here']:+.2f} s |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=10_000, help="generated customers")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    args = p.parse_args(argv)
    text = markdown(rows(args.rows, args.repeat), args.repeat)
    print(f"Python {platform.python_version()}\n{text}")
    if args.record:
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as fh:
            fh.write("\n" + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
