"""Bench of issue 23: an event log in Parquet files to the customer table, DuckDB vs pandas.

::

    python bench/eventlog.py generate --events 100m --out /tmp/ev100m     # Parquet files
    nice -n 19 python bench/eventlog.py duckdb /tmp/ev100m --memory-limit 3GB --threads 2
    nice -n 19 python bench/eventlog.py pandas /tmp/ev10m                 # today's path
    python bench/eventlog.py row duckdb /tmp/ev100m ...                   # + a RESULTS.md row

``duckdb`` runs :func:`churn.eventlog.customer_table_from_log` on the files (DuckDB with a
memory limit, spilling to disk beyond it); ``pandas`` reads the files into one DataFrame
and runs :func:`churn.shapes.build_customer_table`, as the app does with an upload. Each
measurement runs in a fresh process (``python bench/eventlog.py measure ...``) and reports
its wall time and its peak resident memory (the process's high-water mark, Python and the
libraries included), so the two paths are compared on what a user would see.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: Events per customer in the generated log (100M events -> 2M customers).
EVENTS_PER_CUSTOMER = 50
#: Events per generated Parquet file.
FILE_EVENTS = 10_000_000
DAYS = 730  # two years of events, from 2023-01-01


def parse_size(text: str) -> int:
    """``10m`` -> 10_000_000, ``300k`` -> 300_000."""
    text = text.strip().lower()
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * mult)


def generate(events: int, out: Path) -> None:
    """A deterministic order log (customer, day, amount; one amount in ten missing) in
    Parquet files of :data:`FILE_EVENTS` rows, written by DuckDB without pandas."""
    import duckdb

    out.mkdir(parents=True, exist_ok=True)
    customers = max(1, events // EVENTS_PER_CUSTOMER)
    con = duckdb.connect(config={"memory_limit": "2GB", "threads": 2})
    done, part = 0, 0
    while done < events:
        n = min(FILE_EVENTS, events - done)
        con.execute(
            f"""COPY (
              SELECT 'C' || lpad(CAST(hash(i) % {customers} AS VARCHAR), 8, '0') AS customer,
                     CAST(DATE '2023-01-01' + CAST(hash(i * 3 + 1) % {DAYS} AS INTEGER)
                          AS TIMESTAMP) AS day,
                     CASE WHEN hash(i * 7 + 3) % 10 = 0 THEN NULL
                          ELSE CAST(hash(i * 5 + 2) % 20000 AS DOUBLE) / 100 END AS amount
              FROM range({done}, {done + n}) AS r(i)
            ) TO '{out / f"part-{part:03d}.parquet"}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)"""
        )
        done += n
        part += 1


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB on Linux


def _cpu_seconds() -> float:
    """User + system CPU time of this process (all threads): what the work cost, less
    sensitive than wall time to the other jobs on a shared machine."""
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def measure(engine: str, path: str, memory_limit: str, threads: int) -> dict:
    """Run one path in this process; wall time, peak memory and the table's size."""
    from churn.roles import ColumnRoles
    from churn.settings import IntakeSettings

    roles = ColumnRoles(id="customer", event_date="day", amount="amount", amount_unit="order")
    settings = IntakeSettings(roles, snapshot="2024-12-31", inactivity_days=90)
    t0 = time.perf_counter()
    cpu0 = _cpu_seconds()
    read_s = 0.0
    if engine == "duckdb":
        from churn.eventlog import customer_table_from_log, open_log

        log = open_log(path, memory_limit=memory_limit, threads=threads)
        table = customer_table_from_log(log.table, settings)
    else:
        import pandas as pd

        from churn.shapes import build_customer_table

        frame = pd.read_parquet(path)
        read_s = time.perf_counter() - t0
        table = build_customer_table(frame, settings)
    seconds = time.perf_counter() - t0
    return {
        "engine": engine,
        "events": int(table.rows_in),
        "customers": int(table.n_customers),
        "churn_rate": float(table.churn_rate),
        "seconds": seconds,
        "cpu_seconds": _cpu_seconds() - cpu0,
        "read_seconds": read_s,
        "peak_gb": _peak_gb(),
    }


def run_child(engine: str, path: str, memory_limit: str, threads: int) -> dict:
    """:func:`measure` in a fresh process (so its peak memory is its own)."""
    cmd = [sys.executable, __file__, "measure", engine, path]
    cmd += ["--memory-limit", memory_limit, "--threads", str(threads)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def result_row(r: dict, memory_limit: str, threads: int) -> str:
    """One row of the bench/RESULTS.md table of this bench."""
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    millions = r["events"] / 1e6
    setting = f"memory_limit {memory_limit}, threads {threads}" if r["engine"] == "duckdb" else ""
    return (
        f"| {when} | {r['engine']} | {millions:,.0f}M | {r['customers']:,} | "
        f"{r['seconds']:.1f} | {r['seconds'] / millions:.2f} | {r['cpu_seconds']:.1f} | "
        f"{r['cpu_seconds'] / millions:.2f} | {r['peak_gb']:.2f} GB | "
        f"{load} | {platform.node()}, {os.cpu_count()} cores | {setting} |"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--events", default="10m")
    g.add_argument("--out", type=Path, required=True)
    for name in ("measure", "row"):
        m = sub.add_parser(name)
        m.add_argument("engine", choices=("duckdb", "pandas"))
        m.add_argument("path")
        m.add_argument("--memory-limit", default="3GB")
        m.add_argument("--threads", type=int, default=2)
    args = p.parse_args(argv)
    if args.cmd == "generate":
        generate(parse_size(args.events), args.out)
    elif args.cmd == "measure":
        print(json.dumps(measure(args.engine, args.path, args.memory_limit, args.threads)))
    else:
        r = run_child(args.engine, args.path, args.memory_limit, args.threads)
        print(json.dumps(r))
        print(result_row(r, args.memory_limit, args.threads))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
