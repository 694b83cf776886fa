"""The portable event-log aggregation (churn.eventlog) equals the pandas path row for row,
on DuckDB (Parquet and CSV files), PostgreSQL and Spark; sources, URLs and server paths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churn.errors import ChurnDataError
from churn.eventlog import (
    customer_table_from_log,
    mask_url,
    open_log,
    resolve_url,
    server_files,
)
from churn.roles import ColumnRoles
from churn.settings import IntakeSettings
from churn.shapes import build_customer_table

ROLES = ColumnRoles(id="customer", event_date="day", amount="amount", amount_unit="order")


def make_log(n: int = 2000, k: int = 200, seed: int = 7) -> pd.DataFrame:
    """A random log plus edge cases: a one-event customer, a customer whose amounts are
    all missing, one whose only event is after the chosen snapshot, a blank id, a missing
    date, and padded ids that are the same customer."""
    rng = np.random.default_rng(seed)
    days = np.datetime64("2023-01-01") + rng.integers(0, 700, n).astype("timedelta64[D]")
    amount = np.round(rng.gamma(2.0, 20.0, n), 2)
    amount[rng.random(n) < 0.1] = np.nan
    log = pd.DataFrame(
        {
            "customer": [f"C{c:04d}" for c in rng.integers(0, k, n)],
            "day": days.astype("datetime64[ns]"),
            "amount": amount,
        }
    )
    edge = pd.DataFrame(
        {
            "customer": ["ONE", "NOAMT", "NOAMT", "LATE", "", "C0001", " PAD", "PAD "],
            "day": pd.to_datetime(
                [
                    "2023-06-01",
                    "2023-02-01",
                    "2024-08-01",
                    "2025-06-01",
                    "2024-01-01",
                    None,
                    "2024-03-01",
                    "2024-09-01",
                ]
            ),
            "amount": [5.0, np.nan, np.nan, 3.0, 1.0, 2.0, 4.0, np.nan],
        }
    )
    return pd.concat([log, edge], ignore_index=True)


def expected(log: pd.DataFrame, settings: IntakeSettings):
    table = build_customer_table(log, settings)
    return table, table.frame.sort_values("customer_id").reset_index(drop=True)


def assert_same(got, want, want_frame: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got.frame, want_frame)
    assert got.notes == want.notes
    assert got.features == want.features
    assert got.excluded == want.excluded
    assert got.rows_in == want.rows_in
    assert got.snapshot == want.snapshot


SETTINGS = [
    IntakeSettings(ROLES, snapshot="2024-09-30", inactivity_days=60),
    IntakeSettings(ROLES.with_(amount=None, amount_unit=None), inactivity_days=90),
]


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return make_log()


@pytest.mark.parametrize("settings", SETTINGS, ids=["snapshot-amount", "latest-no-amount"])
def test_duckdb_parquet_folder_equals_pandas(tmp_path, log, settings):
    half = len(log) // 2
    log.iloc[:half].to_parquet(tmp_path / "part-0.parquet")
    log.iloc[half:].to_parquet(tmp_path / "part-1.parquet")
    want, frame = expected(log, settings)
    got = customer_table_from_log(open_log(str(tmp_path)).table, settings)
    assert_same(got, want, frame)
    # the edge cases are there, with the pandas path's values
    row = got.frame.set_index("customer_id")
    assert row.loc["ONE", "frequency"] == 1
    assert "LATE" not in row.index or settings.snapshot is None
    assert row.loc["PAD", "frequency"] == 2
    if settings.roles.amount:
        assert np.isnan(row.loc["NOAMT", "monetary"])
        assert row.loc["NOAMT", "spend_before_cutoff"] == 0.0


def test_duckdb_csv_glob_equals_pandas(tmp_path, log):
    settings = SETTINGS[0]
    log.to_csv(tmp_path / "a.csv", index=False)
    want, frame = expected(log, settings)
    got = customer_table_from_log(open_log(str(tmp_path / "*.csv")).table, settings)
    assert_same(got, want, frame)
    assert got.frame["churned"].value_counts(dropna=False).to_dict() == (
        want.frame["churned"].value_counts(dropna=False).to_dict()
    )


def postgres_table(url: str, log: pd.DataFrame, name: str) -> None:
    """``log`` as the table ``name`` (with psycopg: ibis 12's create_table emits an empty
    DROP with sqlglot 30)."""
    import psycopg

    rows = [
        (c, None if pd.isna(d) else d.to_pydatetime(), None if pd.isna(a) else float(a))
        for c, d, a in log[["customer", "day", "amount"]].itertuples(index=False)
    ]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {name}")
        conn.execute(f"CREATE TABLE {name} (customer text, day timestamp, amount double precision)")
        with conn.cursor() as cur:
            cur.executemany(f"INSERT INTO {name} VALUES (%s, %s, %s)", rows)


def test_postgres_equals_pandas(postgres_url, log):
    import ibis

    postgres_table(postgres_url, log, "events_23")
    con = ibis.connect(postgres_url)
    settings = SETTINGS[0]
    want, frame = expected(log, settings)
    got = customer_table_from_log(open_log(postgres_url, "events_23").table, settings)
    assert_same(got, want, frame)
    settings = SETTINGS[1]
    want, frame = expected(log, settings)
    got = customer_table_from_log(con.table("events_23"), settings)
    assert_same(got, want, frame)


@pytest.mark.slow  # a JVM and a local Spark session: 30 s idle, minutes on a busy machine
def test_spark_equals_pandas(log):
    import ibis
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[1]")
        .appName("churnlens-test")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    try:
        spark.createDataFrame(log.astype({"day": "datetime64[us]"})).createOrReplaceTempView(
            "events_23"
        )
        t = ibis.pyspark.connect(spark).table("events_23")
        want, frame = expected(log, SETTINGS[0])  # snapshot, amount: every column
        assert_same(customer_table_from_log(t, SETTINGS[0]), want, frame)
    finally:
        spark.stop()


def test_mask_url_and_password_from_environment(monkeypatch):
    assert mask_url("postgresql://ann:s3cret@db:5432/shop") == "postgresql://ann:***@db:5432/shop"
    assert mask_url("postgresql://ann@db/shop") == "postgresql://ann@db/shop"
    with pytest.raises(ChurnDataError) as err:
        resolve_url("postgresql://ann:s3cret@db/shop")
    assert "s3cret" not in str(err.value) and "ann:***@db" in str(err.value)
    monkeypatch.setenv("CHURNLENS_DB_PASSWORD", "p@ss word")
    url, shown = resolve_url("postgresql://ann@db/shop")
    assert url == "postgresql://ann:p%40ss%20word@db/shop"
    assert shown == "postgresql://ann@db/shop"
    monkeypatch.setenv("SHOP_URL", "postgresql://ann:x9@db/shop")
    assert resolve_url("env:SHOP_URL") == (
        "postgresql://ann:x9@db/shop",
        "postgresql://ann:***@db/shop",
    )


def test_database_error_never_shows_the_password(monkeypatch):
    monkeypatch.setenv("CHURNLENS_DB_PASSWORD", "hunter2")
    with pytest.raises(ChurnDataError) as err:
        open_log("postgresql://ann@127.0.0.1:1/shop", "events")
    assert "hunter2" not in str(err.value)
    assert "cannot read table 'events'" in str(err.value)


def test_a_file_whose_name_looks_like_a_pattern_is_a_file(tmp_path):
    from churn.eventlog.paths import is_log_source

    named = tmp_path / "sales [2024].csv"
    named.write_text("customer,day\n1,2024-01-01\n")
    assert not is_log_source(str(named))  # read as one file, the usual way
    assert is_log_source(str(tmp_path / "sales*.csv"))  # a pattern with no such file
    assert is_log_source(str(tmp_path))  # a folder


def test_source_errors(tmp_path):
    with pytest.raises(ChurnDataError, match="no Parquet or CSV file"):
        open_log(str(tmp_path))
    (tmp_path / "a.csv").write_text("customer,day\n1,2024-01-01\n")
    pd.DataFrame({"customer": ["1"]}).to_parquet(tmp_path / "b.parquet")
    with pytest.raises(ChurnDataError, match="several kinds"):
        open_log(str(tmp_path))
    with pytest.raises(ChurnDataError, match="needs a table name"):
        open_log("postgresql://ann@db/shop")
    t = open_log(str(tmp_path / "*.csv")).table
    with pytest.raises(ChurnDataError, match="'amount' is not in the event log"):
        customer_table_from_log(t, IntakeSettings(ROLES))


def test_server_paths_are_off_by_default_and_stay_inside_the_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("CHURNLENS_SERVER_DATA", raising=False)
    with pytest.raises(ChurnDataError, match="reading files on the server is off"):
        server_files("logs")
    root = tmp_path / "allowed"
    (root / "logs").mkdir(parents=True)
    make_log(50, 5).to_parquet(root / "logs" / "p.parquet")
    secret = tmp_path / "secret.csv"
    secret.write_text("customer,day\n1,2024-01-01\n")
    (root / "logs" / "link.csv").symlink_to(secret)
    monkeypatch.setenv("CHURNLENS_SERVER_DATA", str(root))
    assert server_files("logs/*.parquet")[1] == [str(root / "logs" / "p.parquet")]
    for bad in ("../secret.csv", str(secret), "/etc/*.conf", "logs/*.csv"):
        with pytest.raises(ChurnDataError, match="outside the folder"):
            server_files(bad)


def _summary(capsys, argv: list[str]) -> dict:
    import json

    from churn.cli import main

    assert main(["summary", *argv, "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def test_cli_summary_of_a_parquet_folder_and_a_database_table(tmp_path, log, capsys, postgres_url):
    log.iloc[:1000].to_parquet(tmp_path / "a.parquet")
    log.iloc[1000:].to_parquet(tmp_path / "b.parquet")
    flags = ["--id", "customer", "--event-date", "day", "--amount", "amount"]
    flags += ["--amount-unit", "order", "--snapshot", "2024-09-30", "--inactivity-days", "60"]
    want = build_customer_table(log, SETTINGS[0])
    for source in ([str(tmp_path)], [str(tmp_path / "*.parquet")]):
        s = _summary(capsys, source + flags)
        assert (s["shape"], s["rows"], s["customers"]) == ("events", len(log), len(want.frame))
        assert (s["churned"], s["labelled"]) == (want.n_churned, want.n_labelled)
        assert s["notes"] == list(want.notes)
    postgres_table(postgres_url, log, "events_cli")
    s = _summary(capsys, [postgres_url, "--table", "events_cli"] + flags)
    assert (s["rows"], s["customers"], s["churned"]) == (len(log), len(want.frame), want.n_churned)


def test_cli_refuses_a_typed_password_and_masks_it(capsys):
    from churn.cli import main

    code = main(["summary", "postgresql://ann:s3cret@127.0.0.1:1/db", "--table", "t"])
    err = capsys.readouterr().err
    assert code == 2
    assert "s3cret" not in err and "postgresql://ann:***@127.0.0.1:1/db" in err
    assert "CHURNLENS_DB_PASSWORD" in err


@pytest.mark.parametrize("kind", ["int64", "float64"])
def test_numeric_ids_clean_like_the_pandas_path(tmp_path, kind):
    log = pd.DataFrame(
        {
            "customer": np.array([1, 2, 2, 3, 10, 10], dtype=kind),
            "day": pd.to_datetime(
                ["2024-01-05", "2024-02-01", "2024-06-20", "2024-06-29", "2023-12-01", "2024-03-03"]
            ),
            "amount": [10.0, None, 5.0, 2.5, 1.0, 1.0],
        }
    )
    log.to_parquet(tmp_path / "ids.parquet")
    settings = IntakeSettings(ROLES, snapshot="2024-06-30", inactivity_days=30)
    want, frame = expected(log, settings)
    got = customer_table_from_log(open_log(str(tmp_path)).table, settings)
    assert_same(got, want, frame)
    assert got.frame["customer_id"].tolist() == ["1", "10", "2", "3"]
    assert got.frame["churned"].tolist()[:3] == [1.0, 1.0, 0.0]
