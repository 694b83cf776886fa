"""``python -m churn compare OLD NEW``: who moved, who left, and did the campaign work.

The roles are proposed (or given with the role flags) on OLD and reused on NEW, which
must have the same columns. Risks come from ``--model-file``, from ``--risk-column`` (a
score column both files have), or from the model ``--model`` trained on OLD.
``--contacted FILE`` is the at-risk export of OLD with its ``hold_out`` column.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from churn.cli import Command, add_file_arguments, register, respond
from churn.errors import ChurnDataError
from churn.languages import DEFAULT_LANGUAGE, LANGUAGES
from churn.text import msg


def _add(p: argparse.ArgumentParser) -> None:
    add_file_arguments(p)
    p.add_argument("new", metavar="NEW", help="the later snapshot (same columns as FILE)")
    p.add_argument("--contacted", metavar="FILE", help="the campaign list (at-risk export)")
    p.add_argument(
        "--contacted-id", metavar="COL", help="its customer id column (default customer_id)"
    )
    p.add_argument(
        "--model-file", metavar="PATH", help="a saved ChurnLens model to score both snapshots"
    )
    p.add_argument(
        "--model", default="lightgbm", metavar="NAME", help="model trained on FILE (lightgbm)"
    )
    p.add_argument("--risk-column", metavar="COL", help="a score column both files have")
    p.add_argument("--no-reasons", action="store_true", help="skip the reasons of the moves")
    p.add_argument("--top", type=int, default=10, metavar="N", help="top customers by value (10)")
    p.add_argument(
        "--lang", choices=list(LANGUAGES), default=DEFAULT_LANGUAGE, help="language of reasons"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _read(path: str, sheet=None):
    from churn.contain import read_contained

    file = Path(path)
    if not file.is_file():
        raise ChurnDataError(msg("file '{file}' not found", file=path), fix=msg("check the path"))
    result, _ = read_contained(file, name=file.name, sheet=sheet, propose=False)
    return result.frame


def _run(args: argparse.Namespace) -> int:
    from churn.cli._common import read_file_from_args
    from churn.compare import check_reusable, column_changes, compare_snapshots
    from churn.model import load_model, train
    from churn.shapes import build_customer_table

    if args.top < 1:
        raise ChurnDataError(msg("--top must be at least 1."), fix=msg("give a positive number."))
    result, settings = read_file_from_args(args)
    new_frame = _read(args.new, args.sheet)
    check_reusable(settings, new_frame)
    old = build_customer_table(result.frame, settings)
    # --snapshot is the old file's date; the new file's is its own latest date
    new = build_customer_table(new_frame, settings.with_(snapshot=None))
    contacted = _read(args.contacted) if args.contacted else None
    trained = None
    if not args.risk_column:
        trained = load_model(args.model_file) if args.model_file else train(old, args.model)
    comp = compare_snapshots(
        old,
        new,
        trained=trained,
        risk_column=args.risk_column,
        contacted=contacted,
        contacted_id=args.contacted_id,
        top=args.top,
        reasons=not args.no_reasons,
        lang=args.lang,
    )
    payload = {
        "old": {"file": args.file, "snapshot": old.snapshot, "customers": old.n_customers},
        "new": {"file": args.new, "snapshot": new.snapshot, "customers": new.n_customers},
        "columns": column_changes(result.frame, new_frame),
        "model": None if trained is None else trained.label,
        **comp.to_dict(),
    }
    return respond(args, payload, _print)


def _print(out: dict) -> None:
    c = out["counts"]
    print(
        f"{out['old']['file']} -> {out['new']['file']}: {c['stayed']:,} stayed, "
        f"{c['left']:,} left ({c['left_missing']:,} no longer in the file), {c['new']:,} new"
    )
    if out["transitions"]:
        print(f"moved into the high-risk band: {out['moved_into_high_count']:,}")
    lst = out["at_risk_list"]
    if lst:
        print(
            f"old at-risk list: {lst['listed']:,} customers, {lst['hits']:,} of them left; "
            f"precision {_pct(lst['precision'])}, recall {_pct(lst['recall'])} "
            f"(everyone: {_pct(lst['base_rate'])} left)"
        )
    if out["campaign"]:
        for sentence in out["campaign"]["sentences"]:
            print(sentence)
    for note in out["notes"]:
        print(note)


def _pct(x) -> str:
    return "n/a" if x is None or x != x else f"{x:.1%}"


register(
    Command(
        "compare",
        "compare two snapshots: who moved into high risk, who left, how the at-risk list "
        "did, and whether the campaign worked",
        _add,
        _run,
    )
)
