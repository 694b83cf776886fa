"""``python -m churn train FILE``: train a churn model, say how good it is, optionally save it."""

from __future__ import annotations

import argparse
from typing import Any

from churn.cli import Command, add_file_arguments, emit_json, register
from churn.cli._tuning import add_tune_arguments, train_from_args, tune_dict
from churn.model.monotone import decision_reason


def _add(p: argparse.ArgumentParser) -> None:
    add_file_arguments(p)
    p.add_argument("--model", default="lightgbm", metavar="NAME", help="model (default lightgbm)")
    p.add_argument(
        "--split",
        choices=("auto", "time", "cv"),
        default="auto",
        help="evaluation: time-based hold-out when start dates allow (auto), or k-fold CV",
    )
    p.add_argument(
        "--feature",
        action="append",
        metavar="COL",
        help="use only these feature columns (repeatable; default: the table's features)",
    )
    add_tune_arguments(p)
    p.add_argument("--save", metavar="PATH", help="write the trained model here (.skops)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def result_dict(trained: Any, leakage: list[tuple[str, str]], tuning: Any = None) -> dict[str, Any]:
    """The ``--json`` output of ``train`` (``tuning``: the ``--tune`` result, if any)."""
    m = trained.metrics
    keys = ("roc_auc", "pr_auc", "brier", "log_loss")
    return {
        "model": trained.name,
        "split": trained.split.to_dict(),
        "metrics": {k: m[k] for k in keys},
        "baselines": {
            "roc_auc": 0.5,
            "pr_auc": m["base_rate"],
            "brier": m["brier_baseline"],
            "log_loss": m["log_loss_baseline"],
        },
        "roc_auc_std": m.get("roc_auc_std"),
        "top_decile_lift": m["top_decile_lift"],
        "evaluated_customers": m["n"],
        "class_balance": trained.class_balance,
        "training_rows": trained.n_train,
        "fit_seconds": round(trained.fit_seconds, 3),
        "features": list(trained.features),
        "categorical": list(trained.categorical),
        "leakage": [{"column": c, "reason": r} for c, r in leakage],
        "monotone": [{**d, "reason": str(decision_reason(d))} for d in m.get("monotone") or []],
        "tuning": tune_dict(tuning),
    }


def _run(args: argparse.Namespace) -> int:
    from churn.cli._common import load_table_from_args
    from churn.model import choose_split, leakage_suspects, save_model

    _, _, table = load_table_from_args(args)
    split = choose_split(table, prefer=args.split)
    trained, tuning = train_from_args(
        table, args, model=args.model, features=args.feature, split=split
    )
    if args.save:
        save_model(trained, args.save)
    out = result_dict(trained, leakage_suspects(table), tuning)
    if args.json:
        emit_json(out)
        return 0
    m = trained.metrics
    print(f"model {trained.label}: {trained.split.description}")
    print(
        f"ROC AUC {m['roc_auc']:.3f} (guessing 0.5), PR AUC {m['pr_auc']:.3f} "
        f"(base rate {m['base_rate']:.3f}), Brier {m['brier']:.3f} "
        f"(base rate only {m['brier_baseline']:.3f}), top-decile lift {m['top_decile_lift']:.2f}"
    )
    print(trained.class_balance["handling"])
    print(f"features ({len(trained.features)}): {', '.join(trained.features)}")
    for d in out["monotone"]:
        print(d["reason"])
    if tuning is not None:
        print(str(tuning.summary()))
    for c, r in leakage_suspects(table):
        print(f"left out as possible leakage: {c} ({r})")
    if args.save:
        print(f"saved to {args.save}")
    return 0


register(Command("train", "train a churn model and report how good it is", _add, _run))
