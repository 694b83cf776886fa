"""Models bench (issue 18): tuned vs default vs references, and the first answer's speed.

```
python bench/models.py quality                 # Telco + generated data: AUC vs references
python bench/models.py speed --data /tmp/d     # 100k rows: CLI at-risk vs a bare script
python bench/models.py all --out bench/RESULTS.md
```

quality
    For the shared Telco file (../shared/data) and generated customers with known signal
    (a set of risky plans that is no interval of their codes, a warning sign that
    interacts with a plan and NPS, a non-linear tenure effect): 5-fold ROC AUC of
    ChurnLens's default LightGBM, the tuned one (``churn.model.tuning.tune`` within its
    budget, then the same folds) and logistic regression, all through
    ``churn.model.leaderboard``; against two references written here with plain
    LightGBM / scikit-learn on the same rows and folds: LightGBM with pandas categories,
    a grid of 8 settings, each with the number of trees chosen by 5-fold early stopping
    (``lightgbm.cv``), the best mean AUC kept (optimistic: chosen on the folds it is
    judged on); and a one-hot logistic regression.
speed
    On a generated 100k-row labelled file without dates (cross-validation) and the same
    customers with dates (time hold-out): ``python -m churn at-risk FILE --top 1000``
    end to end and a bare script (read the CSV with pandas, fit LightGBM on pandas
    categories, TreeSHAP on the top 1,000), in new processes, alternated; the app's
    path in-process through the library (read, roles, table, train, score, top-1,000
    reasons) with its phases; the tuning time at 100k rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TELCO = ROOT.parent / "shared" / "data" / "telco_customer_churn.csv"

BARE = r"""
import sys, time
t0 = time.perf_counter()
import numpy as np, pandas as pd, lightgbm as lgb, shap
df = pd.read_csv(sys.argv[1])
y = (df["churned"] == "Yes").astype(int).to_numpy()
drop = ["customer_id", "name", "email", "churned", "churn_reason", "signup_date",
        "cancel_date"]
X = df.drop(columns=[c for c in drop if c in df.columns])
for c in X.columns:
    if not pd.api.types.is_numeric_dtype(X[c]):
        X[c] = X[c].astype("category")
m = lgb.LGBMClassifier(n_estimators=200, learning_rate=0.05, num_leaves=15, verbose=-1, n_jobs=1)
m.fit(X, y)
top = np.argsort(-m.predict_proba(X)[:, 1])[:1000]
shap.TreeExplainer(m).shap_values(X.iloc[top])
print(time.perf_counter() - t0)
"""


# ----------------------------------------------------------------------------- data
def generated(n: int = 20_000, seed: int = 0) -> pd.DataFrame:
    """Customers with known signal and interactions (see the module doc)."""
    rng = np.random.default_rng(seed)
    plan = rng.choice(list("abcdefghij"), n)
    risky = np.isin(plan, ["b", "e", "h"])
    tickets = rng.poisson(1.5, n)
    nps = rng.integers(0, 11, n)
    tenure = rng.uniform(1, 72, n)
    logins = rng.poisson(10, n)
    region = rng.choice(["north", "south", "east", "west"], n)
    fee = np.round(rng.normal(50, 15, n), 2)
    logit = (
        -1.3
        + 1.2 * risky
        + 0.5 * tickets
        + 0.4 * tickets * risky
        - 0.18 * (nps - 5)
        - 0.15 * (nps >= 9) * tickets
        + 1.0 * np.exp(-tenure / 8)
        - 0.04 * (logins - 10)
        + 0.01 * (fee - 50)
    )
    churned = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame(
        {
            "customer_id": [f"G{i:06d}" for i in range(n)],
            "plan": plan,
            "region": region,
            "support_tickets": tickets,
            "nps": nps,
            "tenure_months": tenure.round(1),
            "logins_30d": logins,
            "monthly_fee": fee,
            "churned": np.where(churned, "Yes", "No"),
        }
    )


def table_of(frame: pd.DataFrame):
    from churn.roles import infer_roles
    from churn.shapes import build_customer_table

    return build_customer_table(frame, infer_roles(frame))


# ----------------------------------------------------------------------------- quality
def reference_auc(table, feats, cats, folds) -> dict[str, float]:
    """Plain LightGBM (pandas categories, grid + lightgbm.cv early stopping) and a one-hot
    logistic regression on the same rows and folds."""
    import lightgbm as lgb
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from churn.model import label_vector

    y = label_vector(table)
    frame = table.frame.loc[y.index, list(feats)].copy()
    for c in feats:
        if c in cats:
            frame[c] = frame[c].astype(str).astype("category")
        else:
            frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(float)
    yv = y.to_numpy()
    best = 0.0
    t0 = time.perf_counter()
    for leaves in (7, 15, 31, 63):
        for child in (20, 50):
            params = {
                "objective": "binary",
                "metric": "auc",
                "learning_rate": 0.05,
                "num_leaves": leaves,
                "min_child_samples": child,
                "verbose": -1,
                "num_threads": 1,
                "seed": 0,
            }
            ds = lgb.Dataset(frame, yv, categorical_feature=list(cats), free_raw_data=False)
            res = lgb.cv(
                params,
                ds,
                num_boost_round=1000,
                folds=folds,
                callbacks=[lgb.early_stopping(50, verbose=False)],
            )
            best = max(best, float(np.max(res["valid auc-mean"])))
    lgb_seconds = time.perf_counter() - t0
    nums = [c for c in feats if c not in cats]
    prep = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), nums),
            ("cat", OneHotEncoder(handle_unknown="ignore"), list(cats)),
        ]
    )
    aucs = []
    Xs = frame.copy()
    for c in cats:
        Xs[c] = Xs[c].astype(str)
    for tr, te in folds:
        lr = make_pipeline(prep, LogisticRegression(max_iter=3000))
        lr.fit(Xs.iloc[tr], yv[tr])
        aucs.append(roc_auc_score(yv[te], lr.predict_proba(Xs.iloc[te])[:, 1]))
    return {"lgbm_ref": best, "lgbm_ref_seconds": lgb_seconds, "logit_ref": float(np.mean(aucs))}


def reliability_gap(y: np.ndarray, s: np.ndarray) -> float:
    """Mean |predicted - observed| over the reliability chart's 10 bins, weighted by the
    customers in each (the expected calibration error)."""
    from churn.model import calibration_frame

    f = calibration_frame(y, s)
    return float(np.average((f["mean_predicted"] - f["observed_rate"]).abs(), weights=f["n"]))


def calibration_rows(table, params: dict | None) -> list[dict[str, Any]]:
    """The default and tuned LightGBM trained as the app does (5-fold out-of-fold scores),
    then ``churn.model.calibration_of``: Brier score and reliability gap of the raw scores
    and of the calibration the check chose (each score re-mapped out of fold)."""
    from churn.model import calibration_of, choose_split, train

    rows = []
    for label, p in (("default", None), ("tuned", params)):
        if label == "tuned" and not p:
            continue  # the search found nothing better: the default stays
        tm = train(table, model="lightgbm", split=choose_split(table, prefer="cv"), params=p)
        cal = calibration_of(tm)
        pred = tm.predictions[tm.predictions["score"].notna()]
        y = pred["churned"].to_numpy(dtype=float)
        raw = pred["score"].to_numpy(dtype=float)
        rows.append(
            {
                "model": label,
                "method": cal.method,
                "brier_raw": float(np.mean((raw - y) ** 2)),
                "brier_calibrated": float(np.mean((cal.cross_fitted - y) ** 2)),
                "gap_raw": reliability_gap(y, raw),
                "gap_calibrated": reliability_gap(y, cal.cross_fitted),
                "cv_brier": cal.cv_brier,
            }
        )
    return rows


def quality_rows(budget: float, only: str | None = None) -> list[dict[str, Any]]:
    from churn.model import feature_frame, label_vector, leaderboard, resolve_features
    from churn.model.splits import cv_folds
    from churn.model.training import feature_copies
    from churn.model.tuning import tune

    sets = []
    if TELCO.is_file():
        sets.append(("Telco (7,043)", pd.read_csv(TELCO)))
    if only == "telco":
        sets = sets[:1]
    if only != "telco":
        sets.append(("generated, signal + interactions (20,000)", generated()))
    if only == "generated":
        sets = sets[-1:]
    rows = []
    for name, frame in sets:
        table = table_of(frame)
        feats, cats = resolve_features(table)
        y = label_vector(table)
        X = feature_frame(table.frame.loc[y.index], feats, cats)
        folds = cv_folds(y.to_numpy(), 5, 0, feature_copies(X, y.to_numpy()))
        t0 = time.perf_counter()
        result = tune(table, budget_seconds=budget)
        tune_s = time.perf_counter() - t0
        board = leaderboard(
            table,
            models=["lightgbm", "logistic"],
            tuned=result.params if result.improved else None,
        ).set_index("model")
        ref = reference_auc(table, feats, cats, folds)
        tuned_auc = board["roc_auc"].get("lightgbm_tuned", board.loc["lightgbm", "roc_auc"])
        rows.append(
            {
                "data": name,
                "default": board.loc["lightgbm", "roc_auc"],
                "tuned": tuned_auc,
                "logistic": board.loc["logistic", "roc_auc"],
                "brier_default": board.loc["lightgbm", "brier"],
                "brier_tuned": board["brier"].get("lightgbm_tuned", board.loc["lightgbm", "brier"]),
                **ref,
                "tune_seconds": tune_s,
                "budget": budget,
                "params": result.params,
                "trials": len(result.trials),
                "calibration": calibration_rows(table, result.params if result.improved else None),
                "load": os.getloadavg()[0],
            }
        )
        print(json.dumps(rows[-1], default=str), flush=True)
    return rows


# ----------------------------------------------------------------------------- speed
def make_speed_data(folder: Path, n: int = 100_000) -> dict[str, Path]:
    from churn.sample import generate_subscriptions

    folder.mkdir(parents=True, exist_ok=True)
    dated, undated = folder / f"subs_{n}.csv", folder / f"customers_{n}.csv"
    if not (dated.is_file() and undated.is_file()):
        df = generate_subscriptions(n)
        df.to_csv(dated, index=False, date_format="%Y-%m-%d")
        df.drop(columns=df.select_dtypes("datetime").columns).to_csv(undated, index=False)
    return {"without dates": undated, "with dates": dated}


def _wall(cmd: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-500:])
    return time.perf_counter() - t0


APP_PATH = r"""
import json, sys, time
t = [time.perf_counter()]
from churn.io import read_table
from churn.roles import infer_roles
from churn.shapes import build_customer_table
from churn.model import train, score
from churn.explain import at_risk_list
t.append(time.perf_counter())
frame = read_table(sys.argv[1]).frame
table = build_customer_table(frame, infer_roles(frame)); t.append(time.perf_counter())
tm = train(table); t.append(time.perf_counter())
risk = score(tm, table); t.append(time.perf_counter())
at_risk_list(tm, table, risk, top=1000); t.append(time.perf_counter())
d = [b - a for a, b in zip(t, t[1:])]
print(json.dumps({"imports": d[0], "read_table": d[1], "train": d[2], "score": d[3],
                  "reasons": d[4], "split": tm.split.kind, "folds": tm.split.folds}))
"""


def speed_rows(data: Path, repeat: int) -> list[dict[str, Any]]:
    files = make_speed_data(data)
    rows = []
    for name, path in files.items():
        bare, cli, app = [], [], []
        for _ in range(repeat):  # alternated, so load changes hit all three alike
            bare.append(_wall([sys.executable, "-c", BARE, str(path)]))
            out = data / "at_risk.csv"
            cli.append(
                _wall(
                    [sys.executable, "-m", "churn", "at-risk", str(path), "--top", "1000",
                     "-o", str(out)]
                )
            )  # fmt: skip
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            t0 = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-c", APP_PATH, str(path)],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
            )  # fmt: skip
            wall = time.perf_counter() - t0
            phases = json.loads(proc.stdout.strip().splitlines()[-1])
            app.append((wall, phases))
        med = statistics.median
        app_wall = med(a for a, _ in app)
        inproc = med(sum(v for k, v in p.items() if k not in ("imports", "split", "folds"))
                     for _, p in app)  # fmt: skip
        phases = app[len(app) // 2][1]
        rows.append(
            {
                "file": name,
                "bare": med(bare),
                "cli": med(cli),
                "cli_ratio": med(cli) / med(bare),
                "app_process": app_wall,
                "app_inprocess": inproc,
                "phases": phases,
                "runs": {"bare": bare, "cli": cli},
                "load": os.getloadavg()[0],
            }
        )
        print(json.dumps(rows[-1], default=str), flush=True)
    return rows


def tune_speed(data: Path) -> dict[str, Any]:
    import lightgbm  # noqa: F401  (loaded in the app already: not the search's time)
    import sklearn.metrics  # noqa: F401

    from churn.model.tuning import tune

    path = make_speed_data(data)["without dates"]
    table = table_of(pd.read_csv(path))
    t0 = time.perf_counter()
    result = tune(table)
    out = {
        "seconds": time.perf_counter() - t0,
        "inner_seconds": result.seconds,
        "budget": result.budget_seconds,
        "trials": len(result.trials),
        "stopped": result.stopped,
        "default_auc": result.default_auc,
        "tuned_auc": result.tuned_auc,
        "load": os.getloadavg()[0],
    }
    print(json.dumps(out), flush=True)
    return out


# ----------------------------------------------------------------------------- report
def cv_words(briers: dict[str, float]) -> str:
    """The check's cross-validated Brier scores, none / sigmoid / isotonic."""
    return " / ".join(f"{briers[m]:.4f}" if m in briers else "-" for m in CV_METHODS)


CV_METHODS = ("none", "sigmoid", "isotonic")


def markdown(quality, speed, tuning, started) -> str:
    from bench.run import machine  # the one description of the machine the benches share

    m = machine()
    cpu, cores = m["cpu"], m["cores"]
    lines = [
        f"## Models: tuning, monotone warning signs, speed (issue 18, {started:%Y-%m-%d %H:%M} UTC)",
        "",
        f"`python bench/models.py {' '.join(sys.argv[1:]) or 'all'}`. Machine: {cpu}, {cores} cores, Python "
        f"{platform.python_version()}; shared with other work: load average "
        f"{os.getloadavg()[0]:.1f} at the end (per-row load below).",
        "",
    ]
    if quality:
        lines += [
            "### ROC AUC against references (5-fold, same rows and folds)",
            "",
            "| Data | Default | Tuned | Reference LightGBM (tuned, 5-fold) | Tuned - ref | "
            "Logistic | Reference logistic | Brier default / tuned | Tuning s (budget) | Load |",
            "|---|---:|---:|---:|---:|---:|---:|---|---|---:|",
        ]
        for r in quality:
            lines.append(
                f"| {r['data']} | {r['default']:.4f} | {r['tuned']:.4f} | {r['lgbm_ref']:.4f} "
                f"| {r['tuned'] - r['lgbm_ref']:+.4f} | {r['logistic']:.4f} | "
                f"{r['logit_ref']:.4f} | {r['brier_default']:.4f} / {r['brier_tuned']:.4f} | "
                f"{r['tune_seconds']:.1f} ({r['budget']:.0f}) | {r['load']:.1f} |"
            )
        lines += [
            "",
            "Tuned settings: " + "; ".join(f"{r['data']}: {r['params']}" for r in quality),
            "",
            "### Calibration (5-fold out-of-fold scores; the map `churn.model.calibration` "
            "chose, each score re-mapped out of fold)",
            "",
            "| Data | Model | Calibration chosen | Brier raw | Brier calibrated | "
            "Reliability gap raw | Reliability gap calibrated | CV Brier none / sigmoid / "
            "isotonic |",
            "|---|---|---|---:|---:|---:|---:|---|",
        ]
        for r in quality:
            for c in r.get("calibration", []):
                lines.append(
                    f"| {r['data']} | {c['model']} | {c['method']} | {c['brier_raw']:.4f} | "
                    f"{c['brier_calibrated']:.4f} | {c['gap_raw']:.4f} | "
                    f"{c['gap_calibrated']:.4f} | {cv_words(c['cv_brier'])} |"
                )
        lines += [
            "",
            "Reliability gap: mean |predicted - observed churn| over the reliability chart's "
            "10 bins, weighted by customers (expected calibration error).",
            "",
        ]
    if speed:
        lines += [
            "### The first answer: 100k labelled customers, top 1,000 with reasons",
            "",
            "| File | Bare script (s) | `churn at-risk` (s) | CLI / bare | App path, process (s) "
            "| App path, in-process (s) | Phases in-process (s) | Load |",
            "|---|---:|---:|---:|---:|---:|---|---:|",
        ]
        for r in speed:
            p = r["phases"]
            ph = (
                f"imports {p['imports']:.1f}, read+table {p['read_table']:.1f}, train "
                f"{p['train']:.1f} ({p['split']}, {p['folds']} folds), score {p['score']:.1f}, "
                f"reasons {p['reasons']:.1f}"
            )
            lines.append(
                f"| {r['file']} | {r['bare']:.1f} | {r['cli']:.1f} | {r['cli_ratio']:.2f}x | "
                f"{r['app_process']:.1f} | {r['app_inprocess']:.1f} | {ph} | {r['load']:.1f} |"
            )
        lines.append("")
    if tuning:
        lines += [
            f"Tuning at 100k rows (no dates): {tuning['seconds']:.1f} s "
            f"({tuning['inner_seconds']:.1f} s from its own clock) for a "
            f"{tuning['budget']:.0f} s budget, {tuning['trials']} fits, stopped: "
            f"{tuning['stopped'] or 'no'}; validation ROC AUC default "
            f"{tuning['default_auc']:.4f}, tuned {tuning['tuned_auc']:.4f} (load "
            f"{tuning['load']:.1f}).",
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("what", choices=("quality", "speed", "all"))
    p.add_argument("--data", default="/tmp/churnlens-bench-models")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--budget", type=float, default=20.0)
    p.add_argument("--out", help="append the section to this markdown file")
    p.add_argument("--only", choices=("telco", "generated"), help="quality on one data set")
    args = p.parse_args(argv)
    started = dt.datetime.now(dt.UTC)
    quality = quality_rows(args.budget, args.only) if args.what in ("quality", "all") else []
    speed = speed_rows(Path(args.data), args.repeat) if args.what in ("speed", "all") else []
    tuning = tune_speed(Path(args.data)) if args.what in ("speed", "all") else None
    text = markdown(quality, speed, tuning, started)
    print(text)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as f:
            f.write("\n" + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
