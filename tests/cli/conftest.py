"""Fixtures of the CLI tests: the hand-made files and one trained model file per module."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import SIX_CSV, customers_frame, ok


@pytest.fixture(scope="module")
def six_csv(tmp_path_factory) -> Path:
    """:data:`tests.cli.helpers.SIX_CSV` as a file."""
    path = tmp_path_factory.mktemp("six") / "subs.csv"
    path.write_text(SIX_CSV, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def customers_csv(tmp_path_factory) -> Path:
    """:func:`tests.cli.helpers.customers_frame` as a CSV file."""
    path = tmp_path_factory.mktemp("customers") / "customers.csv"
    customers_frame().to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def model_file(customers_csv, tmp_path_factory) -> Path:
    """A logistic model trained on ``customers_csv`` by ``train --save``, once per module."""
    path = tmp_path_factory.mktemp("model") / "customers.skops"
    proc = ok("train", customers_csv, "--model", "logistic", "--save", path)
    assert f"saved to {path}" in proc.stdout
    return path
