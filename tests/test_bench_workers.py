"""bench/workers.py: each heavy call's two ways (here, in a worker) give the same answer,
and the table it writes says which was faster."""

from __future__ import annotations

import pytest

from bench import workers as W
from churn import contain
from churn.roles import infer_roles
from churn.sample import generate_subscriptions
from churn.shapes import build_customer_table


@pytest.fixture(scope="module", autouse=True)
def _server():
    contain.start_server()
    yield


def test_every_call_gives_the_same_answer_both_ways():
    raw = generate_subscriptions(n=400, seed=2)
    table = build_customer_table(raw, infer_roles(raw))
    found = W.calls(table)
    assert [name.split(" (")[0] for name, *_ in found] == [
        "global drivers", "at-risk list", "report", "comparison of every model", "honest risks",
    ]  # fmt: skip
    for _, here, worker, same in found:
        same(here(), worker())  # raises when the worker's answer differs


def test_the_table_shows_both_times_and_the_difference():
    text = W.markdown([{"file": "f", "call": "c", "here": 1.0, "worker": 1.25}], repeat=3)
    assert "| f | c | 1.00 s | 1.25 s | +0.25 s |" in text
    assert "best of 3" in text
