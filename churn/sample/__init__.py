"""Seeded generators of the sample data in ``data/sample/`` and of benchmark-sized data.

Three files make the app useful with no upload at all:

* ``subscriptions.csv``: one row per customer of a fictional Korean subscription
  service, with signup and cancel dates, plan, contract, fee and the warning signs the
  domain brief names. Churn is simulated from a hazard that depends on those signs in a
  non-linear way (thresholds, levels, interactions, tenure, unobserved noise); every
  planted effect is listed in :data:`VOLUNTARY_EFFECTS` and in ``data/sample/README.md``.
* ``subscriptions_ko.xlsx``: the same customers as a Korean marketer's Excel export
  (Korean headers and labels, a data-dictionary sheet first, real Excel dates).
* ``transactions.csv``: an e-commerce order log with acquisition cohorts and customers
  who go quiet, for the inactivity definition of churn.

Everything is vectorised with numpy (a million customers in a few seconds, a
ten-million-row event log in seconds) and reproducible: the same seed gives the same
frame and the same bytes on disk. Regenerate with ``python -m churn.sample``.

Import from ``churn.sample`` itself; the submodules are where the code lives:

- :mod:`~churn.sample.subscriptions` -- the fictional business (plans, regions, the
  planted effects) and :func:`generate_subscriptions`.
- :mod:`~churn.sample.transactions` -- :func:`generate_transactions` (the order log) and
  :func:`generate_event_log` (benchmark-sized logs).
- :mod:`~churn.sample.files` -- the Korean export (:func:`to_korean`,
  :func:`write_korean_xlsx`), :func:`write_samples`; ``__main__.py`` is the command
  ``python -m churn.sample``.
- :mod:`~churn.sample.monthly` -- three monthly snapshots and a campaign with a hold-out
  whose true effect is known (:func:`generate_monthly`, :func:`write_monthly`).
- :mod:`~churn.sample.helpers` -- random draws, ids and days shared by the generators.
"""

from __future__ import annotations

from churn.sample.files import (
    KOREAN_COLUMNS,
    SHEET_DATA,
    SHEET_DICTIONARY,
    SUBSCRIPTIONS_CSV,
    SUBSCRIPTIONS_XLSX,
    TRANSACTIONS_CSV,
    to_korean,
    write_korean_xlsx,
    write_samples,
)
from churn.sample.monthly import (
    CAMPAIGN_FILE,
    MONTHLY_FILES,
    MONTHLY_SNAPSHOTS,
    MonthlySample,
    generate_monthly,
    write_monthly,
)
from churn.sample.subscriptions import (
    ANNUAL_DISCOUNT,
    ANNUAL_SHARE,
    CHANNELS,
    CHURNED_KO,
    CONTRACTS,
    EMAIL_DOMAINS,
    GIVEN_NAMES,
    INVOLUNTARY_CHANCE,
    OWNERS,
    PLAN_FEE,
    PLANS,
    REASON_PAYMENT,
    REASONS,
    REGIONS,
    SNAPSHOT,
    SURNAMES,
    VOLUNTARY_EFFECTS,
    YES_NO,
    generate_subscriptions,
)
from churn.sample.transactions import (
    CATEGORIES,
    generate_event_log,
    generate_transactions,
)

__all__ = [
    "ANNUAL_DISCOUNT",
    "ANNUAL_SHARE",
    "CAMPAIGN_FILE",
    "CATEGORIES",
    "CHANNELS",
    "CHURNED_KO",
    "CONTRACTS",
    "EMAIL_DOMAINS",
    "GIVEN_NAMES",
    "INVOLUNTARY_CHANCE",
    "KOREAN_COLUMNS",
    "MONTHLY_FILES",
    "MONTHLY_SNAPSHOTS",
    "OWNERS",
    "PLANS",
    "PLAN_FEE",
    "REASONS",
    "REASON_PAYMENT",
    "REGIONS",
    "SHEET_DATA",
    "SHEET_DICTIONARY",
    "SNAPSHOT",
    "SUBSCRIPTIONS_CSV",
    "SUBSCRIPTIONS_XLSX",
    "SURNAMES",
    "TRANSACTIONS_CSV",
    "VOLUNTARY_EFFECTS",
    "YES_NO",
    "MonthlySample",
    "generate_event_log",
    "generate_monthly",
    "generate_subscriptions",
    "generate_transactions",
    "to_korean",
    "write_korean_xlsx",
    "write_monthly",
    "write_samples",
]
