"""Loading a file into the session: samples in one click, uploads from the Data page."""

from __future__ import annotations

from pathlib import Path

from churn.settings import DEFAULT_INACTIVITY_DAYS, IntakeSettings
from ui import cache
from ui.state import Confirmed, Dataset, set_confirmed, set_dataset

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"
SAMPLES = {
    "subscriptions": "subscriptions.csv",
    "subscriptions_ko": "subscriptions_ko.xlsx",
    "transactions": "transactions.csv",
}


def load_file(name: str, data: bytes, *, is_sample: bool = False) -> Dataset:
    """Make ``data`` the session's current file (earlier confirmation is dropped)."""
    ds = Dataset.from_bytes(name, data, is_sample=is_sample)
    set_dataset(ds)
    return ds


def load_server_log(pattern: str) -> Dataset:
    """Make the event log at the server path ``pattern`` the session's current file: a
    sample of it (read like an upload, so a failure keeps the current data) that remembers
    the path, so the customer table is aggregated from every file (``churn.eventlog``)."""
    from churn.eventlog import server_log_sample  # ibis: seconds to import

    log = server_log_sample(pattern)
    name = f"{log.pattern} ({log.files} files, sample)"
    ds = Dataset(name, log.data, log.fingerprint, log_source=log.pattern)
    cache.read_dataset(ds)
    set_dataset(ds)
    return ds


def confirm(ds: Dataset, roles, *, sheet=None, snapshot=None, inactivity_days=None) -> Confirmed:
    """Record the user's confirmed roles and settings for ``ds``."""
    n = inactivity_days or DEFAULT_INACTIVITY_DAYS
    settings = IntakeSettings(roles, sheet=sheet, snapshot=snapshot, inactivity_days=n)
    conf = Confirmed(ds.content_hash, settings)
    set_confirmed(conf)
    return conf


def load_sample(kind: str = "subscriptions") -> Confirmed:
    """Load a sample file and confirm its proposed roles: the app works with no upload."""
    path = SAMPLE_DIR / SAMPLES[kind]
    ds = Dataset.from_bytes(path.name, path.read_bytes(), is_sample=True)
    result = cache.read_dataset(ds)  # read first: a failure keeps the user's current data
    set_dataset(ds)
    roles = cache.propose_roles(ds.content_hash, ds.name, result.sheet, ds.data)
    conf = confirm(ds, roles, sheet=result.sheet)
    cache.customer_table(ds, conf)  # fail here, not on the next page
    from ui.workspace import autosave

    autosave("roles")
    return conf
