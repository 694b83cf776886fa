"""Time the P(alive) fit (BG/NBD + Gamma-Gamma, ``churn.alive``) at 100k customers.

    python bench/alive.py                       # 100k customers, 3 runs, both logs
    python bench/alive.py --customers 20000 --repeat 1
    python bench/alive.py --pymc                # also pymc-marketing's MAP fit, if installed

Two logs of ``--customers`` customers: one drawn from BG/NBD and Gamma-Gamma themselves
(``churn.alive.simulate``; the fit should find the parameters again) and the e-commerce
order log of ``churn.sample.generate_transactions``. For each: the whole
``churn.alive.fit_alive`` (purchase days, summary, both fits, scores) against the bare
fit (``fit_bgnbd`` on the summary arrays). ``--pymc`` fits pymc-marketing's
``BetaGeoModel`` (flat priors, so MAP is the maximum-likelihood fit) on the same summary
in new processes: once with an empty pytensor cache and once warm. Prints one Markdown
table for bench/RESULTS.md. Standalone on purpose (``bench/run.py`` is the main bench).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TRUE = {"r": 0.25, "alpha": 4.8, "a": 0.75, "b": 2.2}  # near CDNOW's, alpha per week
SPEND = {"p": 6.0, "q": 3.7, "gamma": 15.0}

# The pymc-marketing fit, run with ``python -c`` in a new process; argv: summary.csv.
PYMC_SCRIPT = """
import json, sys, time, warnings
warnings.filterwarnings("ignore")
t0 = time.perf_counter()
import pandas as pd
from pymc_extras.prior import Prior
from pymc_marketing.clv import BetaGeoModel
t_import = time.perf_counter() - t0
s = pd.read_csv(sys.argv[1])
data = pd.DataFrame({"customer_id": range(len(s)), "frequency": s["frequency"],
                     "recency": s["recency"], "T": s["T"]})
flat = {k: Prior("HalfFlat") for k in ("r", "alpha", "a", "b")}
t1 = time.perf_counter()
model = BetaGeoModel(data=data, model_config=flat)
idata = model.fit(method="map", progressbar=False)
t_fit = time.perf_counter() - t1
post = idata.posterior
print(json.dumps({"import": t_import, "fit": t_fit,
                  **{k: float(post[k].values.ravel()[0]) for k in ("r", "alpha", "a", "b")}}))
"""


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def _timed(fn, repeat: int):
    runs, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), runs, out


def _import_time() -> float:
    code = (
        "import time; t = time.perf_counter(); import churn.alive; print(time.perf_counter() - t)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return float(proc.stdout.strip())


def _row(step: str, size: str, median: float, runs: list[float], note: str, target: str = ""):
    result = ""
    if target:
        result = "met" if median <= float(target.split()[1]) else "missed"
    spread = f"runs {min(runs):.3f}-{max(runs):.3f} s" if len(runs) > 1 else ""
    note = "; ".join(x for x in (note, spread) if x)
    print(
        f"| {step} | {size} | {median:.3f} | {target} | {result} | {len(runs)} | {_load()} | {note} |"
    )


def _logs(n: int):
    from churn.alive import BetaGeoParams, GammaGammaParams
    from churn.alive.simulate import simulate_purchases
    from churn.roles import ColumnRoles
    from churn.sample import generate_transactions

    sim = simulate_purchases(
        n, BetaGeoParams(**TRUE), GammaGammaParams(**SPEND), observed_days=728, seed=7
    )
    yield "BG/NBD draw", sim, ColumnRoles(id="customer_id", event_date="date", amount="amount")
    shop = generate_transactions(n_customers=n, seed=7)
    yield (
        "sample shop",
        shop,
        ColumnRoles(id="customer_id", event_date="order_date", amount="amount"),
    )


def _pymc(summary_csv: Path, cache: Path) -> dict:
    env = {**os.environ, "PYTENSOR_FLAGS": f"compiledir={cache}"}
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", PYMC_SCRIPT, str(summary_csv)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["process"] = time.perf_counter() - t0
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pymc", action="store_true", help="also time pymc-marketing (if installed)")
    args = ap.parse_args(argv)

    from churn.alive import fit_alive, fit_bgnbd, purchase_days, rfm_summary

    n = args.customers
    size = f"{n // 1000}k" if n % 1000 == 0 else str(n)
    print(
        f"`python bench/alive.py --customers {n} --repeat {args.repeat}`, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, load {_load()} at the start.\n"
    )
    print("| Step | Size | Median (s) | Target | Result | Runs | Load | Note |")
    print("|---|---|---:|---|---|---:|---:|---|")
    imp = [_import_time() for _ in range(args.repeat)]
    _row("import churn.alive (new process)", "-", statistics.median(imp), imp, "")
    summary_for_pymc = None
    for name, log, roles in _logs(n):
        med, runs, res = _timed(lambda log=log, roles=roles: fit_alive(log, roles), args.repeat)
        p = res.params
        note = (
            f"{name}: {len(log):,} purchases; r {p.r:.3f}, alpha {p.alpha:.3f}, a {p.a:.3f}, "
            f"b {p.b:.3f}"
        )
        if res.spend is not None:
            note += f"; p {res.spend.p:.2f}, q {res.spend.q:.2f}, gamma {res.spend.gamma:.2f}"
        _row("P(alive) fit, whole (fit_alive)", size, med, runs, note, target="<= 10 s")
        s = rfm_summary(purchase_days(log, roles))
        arrays = [s[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T")]
        med, runs, _ = _timed(lambda arrays=arrays: fit_bgnbd(*arrays), args.repeat)
        _row("BG/NBD fit alone (fit_bgnbd on the summary)", size, med, runs, name)
        if summary_for_pymc is None:
            summary_for_pymc = s
    if args.pymc and importlib.util.find_spec("pymc_marketing") is None:
        print("\npymc-marketing is not installed (`pip install pymc-marketing`): not timed.")
    elif args.pymc:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "summary.csv"
            summary_for_pymc[["frequency", "recency", "T"]].to_csv(path, index=False)
            for label in ("empty pytensor cache", "warm pytensor cache"):
                out = _pymc(path, Path(tmp) / "pytensor")
                note = (
                    f"BG/NBD draw, {label}; import {out['import']:.1f} s, whole process "
                    f"{out['process']:.1f} s; r {out['r']:.3f}, alpha {out['alpha']:.3f}, "
                    f"a {out['a']:.3f}, b {out['b']:.3f}"
                )
                _row(
                    "pymc-marketing BetaGeoModel MAP, flat priors",
                    size,
                    out["fit"],
                    [out["fit"]],
                    note,
                    target="<= 10 s",
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
