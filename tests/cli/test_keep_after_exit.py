"""``--keep-after-exit``: columns measured after the customer left stay out of the features
unless the flag keeps them (issue 17, item 4)."""

from __future__ import annotations

import pandas as pd

from churn.cli import _Parser, add_file_arguments
from churn.cli._common import roles_from_args
from tests.cli.helpers import ok_json
from tests.leakage_frames import recency_frame


def _args(*argv: str):
    p = _Parser(prog="summary")
    add_file_arguments(p)
    return p.parse_args(["file.csv", *argv])


def test_roles_from_args_keeps_them_only_with_the_flag():
    frame = recency_frame(n=800)
    default = roles_from_args(frame, _args())
    assert "recency" not in default.features
    assert dict(default.excluded)["recency"].startswith(
        "leakage suspect: measured after the customer left"
    )
    kept = roles_from_args(frame, _args("--keep-after-exit"))
    assert kept.features == (*default.features, "recency")
    assert "recency" not in dict(kept.excluded)
    # with other role flags too
    both = roles_from_args(frame, _args("--keep-after-exit", "--label", "churn"))
    assert "recency" in both.features


def test_summary_json_with_and_without_the_flag(tmp_path):
    path = tmp_path / "export.csv"
    recency_frame(n=800).to_csv(path, index=False)
    out = ok_json("summary", path, "--json")
    assert "recency" not in out["features"]
    assert out["excluded_columns"]["recency"].startswith(
        "leakage suspect: measured after the customer left"
    )
    kept = ok_json("summary", path, "--json", "--keep-after-exit")
    assert "recency" in kept["features"] and "recency" not in kept["excluded_columns"]
    assert pd.Index(kept["features"]).drop("recency").tolist() == out["features"]
