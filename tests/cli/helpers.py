"""The one way the tests run the command line, and the small files the CLI tests share.

:func:`run_cli` runs ``python -m churn ARGS`` in a subprocess from the project folder, as a
user would; :func:`ok`, :func:`ok_json` and :func:`bad` add the checks every command's
tests make (exit 0; exit 2 with exactly one ``error:`` line on stderr).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
Z95 = 1.959963984540054


def run_cli(*args: object, timeout: int = 600) -> subprocess.CompletedProcess:
    """``python -m churn *args`` in a subprocess (cwd: the project, text output captured)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "churn", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=timeout,
    )


def ok(*args: object) -> subprocess.CompletedProcess:
    """Run a command that must succeed (exit 0, no traceback)."""
    proc = run_cli(*args)
    assert proc.returncode == 0, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    return proc


def ok_json(*args: object) -> dict:
    """Run a command that must succeed and print one JSON object; the object."""
    return json.loads(ok(*args).stdout)


def bad(*args: object) -> str:
    """Run a command that must refuse its input: exit 2 and exactly one line on stderr,
    ``error: ...`` (never a traceback). Returns that line."""
    proc = run_cli(*args)
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    return lines[0]


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The 95 % Wilson interval of k out of n, written out independently of churn."""
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


#: Six subscriptions, snapshot 2024-03-15 (``--id id --start signup --end cancel``).
#: By month: Dec 2023 F joins; Jan A, B join, F (active since Dec) leaves; Feb C, D join,
#: B (active since Jan) and C (joined in Feb) leave; Mar E joins, D (active since Feb)
#: leaves. Lifetimes: B 12 days, C 15, D 24, F 31 (churned); A 65, E 0 (still active).
SIX_CSV = """id,signup,cancel,fee,plan
A,2024-01-10,,10,pro
B,2024-01-20,2024-02-01,20,pro
C,2024-02-05,2024-02-20,30,pro
D,2024-02-10,2024-03-05,40,basic
E,2024-03-15,,50,basic
F,2023-12-31,2024-01-31,60,basic
"""
SIX_ROLES = ("--id", "id", "--start", "signup", "--end", "cancel", "--snapshot", "2024-03-15")


def customers_frame() -> pd.DataFrame:
    """120 customers K001..K120 to train on, every number fixed by the row number i (0..119).

    - plan: Basic for even i, Premium for odd i (60 each);
    - fee: Basic 10, 12, ..., 20 and Premium 50, 52, ..., 60 (each value 10 times), so the
      fee goes with the plan (eta squared 48000 / 49400 = 0.9717);
    - tickets: i % 10 (each value 12 times);
    - churned: tickets >= 6 (48 customers), flipped for the 14 rows with i % 9 == 0 (seven
      each way), so still 48 churned and 72 active (base rate 0.4).

    K005 (i = 4): Basic, fee 14, 4 tickets, active.
    """
    rows = []
    for i in range(120):
        basic = i % 2 == 0
        tickets = i % 10
        churned = (tickets >= 6) != (i % 9 == 0)
        rows.append(
            {
                "customer_id": f"K{i + 1:03d}",
                "name": f"Customer {i + 1}",
                "email": f"k{i + 1}@example.com",
                "plan": "Basic" if basic else "Premium",
                "fee": (10 if basic else 50) + 2 * ((i // 2) % 6),
                "tickets": tickets,
                "churned": "Yes" if churned else "No",
            }
        )
    return pd.DataFrame(rows)
