"""The command line reports copies of a customer under another id, and trains without
letting a copy be scored by a model that saw its twin (``summary`` and ``train``)."""

from __future__ import annotations

from tests.cli.helpers import ok, ok_json
from tests.test_duplicates import K, with_copies


def test_summary_lists_the_copies_with_count_and_example_ids(tmp_path):
    df, picked = with_copies()
    path = tmp_path / "copies.csv"
    df.to_csv(path, index=False)
    s = ok_json("summary", path, "--json")
    (issue,) = [i for i in s["issues"] if i["code"] == "duplicate_rows"]
    assert (issue["severity"], issue["column"], issue["count"]) == ("warning", None, K)
    assert f"'c{picked[0]:04d}' = 'k0000'" in issue["message"]
    text = ok("summary", path).stdout
    assert f"warning: {K} customers are exact copies of another customer" in text


def test_train_keeps_copies_in_one_fold_and_says_so(tmp_path):
    df, _ = with_copies()
    path = tmp_path / "copies.csv"
    df.to_csv(path, index=False)
    out = ok_json("train", path, "--split", "cv", "--model", "logistic", "--json")
    assert (out["split"]["kind"], out["split"]["copies"], out["split"]["copy_sets"]) == (
        "cv",
        K,
        K,
    )
    text = ok("train", path, "--split", "cv", "--model", "logistic").stdout
    assert f"{K} customers are exact copies of another one" in text.splitlines()[0]
