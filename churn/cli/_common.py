"""Shared plumbing of the data commands: role flags -> ColumnRoles -> CustomerTable.

This module registers no command (its name starts with ``_``); ``summary`` and later
commands import :func:`roles_from_args`, :func:`settings_from_args` and
:func:`load_table_from_args` from here.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from churn.errors import ChurnDataError
from churn.eventlog.paths import is_log_source
from churn.roles import (
    SINGLE_ROLES,
    ColumnRoles,
    amount_unit_for,
    column_facts,
    infer_roles,
    keep_after_exit,
    label_key,
    label_text,
    normalize_label_values,
    tenure_unit,
)
from churn.settings import IntakeSettings
from churn.table import CustomerTable
from churn.text import msg

#: argparse attribute -> role, for the role flags of ``add_file_arguments``.
FLAG_ROLES = {
    "id_col": "id",
    "label": "label",
    "start": "start",
    "end": "end",
    "event_date": "event_date",
    "amount": "amount",
    "tenure": "tenure",
}


def _require_column(cols: list[str], col: str) -> None:
    if col not in cols:
        raise ChurnDataError(
            msg(
                "column '{column}' not found; columns are: {columns}",
                column=col,
                columns=", ".join(cols),
            )
        )


def label_values_from(
    series: pd.Series, churned_given: list[str] | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Churned and active values of a label column, honouring ``--churned-value``.

    Without ``churned_given`` the label vocabulary decides. With it, those values (matched
    case-insensitively) mean churned; the values the vocabulary calls active mean active,
    or, when it knows none, every other value does.
    """
    present = [v for v in dict.fromkeys(series.dropna().map(label_text)) if v is not None]
    if not churned_given:
        return normalize_label_values(present)
    by_key = {label_key(v): v for v in present}
    churned = []
    for v in churned_given:
        k = label_key(v)
        if k not in by_key:
            shown = ", ".join(f"'{p}'" for p in present[:20])
            raise ChurnDataError(
                msg(
                    "value '{value}' not found in column '{column}'; values are: {values}",
                    value=v,
                    column=series.name,
                    values=shown,
                )
            )
        churned.append(by_key[k])
    _, vocab_active = normalize_label_values(present)
    active = [v for v in vocab_active if v not in churned]
    if not active:
        active = [v for v in present if v not in churned]
    return tuple(churned), tuple(active)


def roles_from_args(
    frame: pd.DataFrame, args: argparse.Namespace, proposed: ColumnRoles | None = None
) -> ColumnRoles:
    """The proposed roles of ``frame``, overridden by every role flag given.

    Parameters
    ----------
    frame : DataFrame
        The file as read.
    args : argparse.Namespace
        Parsed arguments of a command that used ``churn.cli.add_file_arguments``.
    proposed : ColumnRoles, optional
        ``infer_roles(frame)`` when already known (the reading worker proposes them).

    Returns
    -------
    ColumnRoles

    Raises
    ------
    ChurnDataError
        A flag names a column the file does not have (``column 'X' not found; columns
        are: ...``), or a ``--churned-value`` the label column does not hold.
    """
    cols = [str(c) for c in frame.columns]
    roles = proposed if proposed is not None else infer_roles(frame)
    if getattr(args, "keep_after_exit", False):
        roles = keep_after_exit(roles)
    given: dict[str, str] = {}
    for attr, role in FLAG_ROLES.items():
        col = getattr(args, attr, None)
        if col:
            _require_column(cols, col)
            given[role] = col
    if (
        not given
        and not getattr(args, "churned_value", None)
        and not getattr(args, "dayfirst", None)
        and not getattr(args, "amount_unit", None)
    ):
        return roles

    changes: dict[str, Any] = {}
    replaced: list[tuple[str, str]] = []
    for role, col in given.items():
        old = getattr(roles, role)
        if old and old != col:
            replaced.append((old, f"was proposed as {role}; replaced by a flag"))
        changes[role] = col
    # A column given to one role leaves any other role it had.
    for role in SINGLE_ROLES:
        cur = getattr(roles, role)
        if role not in given and cur in given.values():
            changes[role] = None
    # The roles the user named decide the shape.
    if "event_date" not in given and ({"label", "start", "end"} & set(given)):
        changes["event_date"] = None
    label = changes.get("label", roles.label) if "label" in changes else roles.label
    churned_given = getattr(args, "churned_value", None)
    if churned_given and not label:
        raise ChurnDataError(
            msg("--churned-value needs a label column"), fix=msg("add --label COLUMN")
        )
    if label and ("label" in given or churned_given):
        series = frame[label].rename(label)
        changes["churned_values"], changes["active_values"] = label_values_from(
            series, churned_given
        )
    if "tenure" in given:
        changes["tenure_unit"] = tenure_unit(column_facts(frame[given["tenure"]], given["tenure"]))
    dayfirst = getattr(args, "dayfirst", None)
    if dayfirst:
        changes["dayfirst"] = dayfirst == "yes"
    changes.update(_amount_unit(frame, args, roles, changes))

    used = set(given.values())
    changes["features"] = tuple(c for c in roles.features if c not in used)
    changes["categorical"] = tuple(c for c in roles.categorical if c not in used)
    changes["personal"] = tuple(c for c in roles.personal if c not in used)
    excluded = [(c, r) for c, r in roles.excluded if c not in used]
    excluded += [(c, r) for c, r in replaced if c not in used and c not in dict(excluded)]
    changes["excluded"] = tuple(excluded)
    # An old role column that lost its role and is not otherwise listed is left out.
    return roles.with_(**changes)


def _amount_unit(
    frame: pd.DataFrame, args: argparse.Namespace, roles: ColumnRoles, changes: dict[str, Any]
) -> dict[str, Any]:
    """``amount_unit`` from ``--amount-unit``; for a column given with ``--amount`` alone,
    the unit its name and values suggest (None when unclear: figures then say so)."""
    unit = getattr(args, "amount_unit", None)
    amount = changes.get("amount", roles.amount) if "amount" in changes else roles.amount
    if unit:
        if not amount:
            raise ChurnDataError(
                msg("--amount-unit needs an amount column"), fix=msg("add --amount COLUMN")
            )
        return {"amount_unit": unit}
    if not amount:
        return {"amount_unit": None}
    if amount != roles.amount:
        events = roles.with_(**changes).shape == "events"
        return {"amount_unit": amount_unit_for(frame, amount, events=events).unit}
    return {}


def load_table_from_args(args: argparse.Namespace) -> tuple[Any, ColumnRoles, CustomerTable]:
    """Read ``args.file``, settle the roles and build the customer table.

    Returns
    -------
    (ReadResult, ColumnRoles, CustomerTable)
    """
    from churn.shapes import build_customer_table

    if is_log_source(args.file, getattr(args, "table", None)):  # aggregated where it lives
        return load_log_from_args(args)
    result, settings = read_file_from_args(args)
    return result, settings.roles, build_customer_table(result.frame, settings)


@dataclass(frozen=True)
class LogRead:
    """What a command sees of an event log aggregated where it lives: its name (a URL
    with the password masked), a sample of its rows (roles and checks) and no sheet."""

    name: str
    frame: pd.DataFrame
    sheet: str | None = None
    sampled: bool = True  # ``frame`` is a sample: no P(alive) fit on it


#: Rows of a log read into pandas to propose and check the roles.
LOG_SAMPLE_ROWS = 10_000


def load_log_from_args(args: argparse.Namespace) -> tuple[LogRead, ColumnRoles, CustomerTable]:
    """``args.file`` as an event log read where it lives (a folder or glob of Parquet/CSV
    files, or a URL with ``--table``): roles from a sample and the flags, then the customer
    table aggregated by the engine (DuckDB for files). Only customers come back."""
    from churn.eventlog import customer_table_from_log, open_log  # ibis: seconds to import

    log = open_log(args.file, getattr(args, "table", None))
    sample = log.table.limit(LOG_SAMPLE_ROWS).to_pandas()
    if len(sample) == 0:
        raise ChurnDataError(
            msg("'{name}' holds no data rows", name=log.shown), fix=msg("check the file")
        )
    roles = roles_from_args(sample, args, infer_roles(sample))
    if not roles.event_date:
        raise ChurnDataError(
            msg("a folder, pattern or table is read as an event log, and no event date was found"),
            fix=msg("add --event-date COLUMN (and --id COLUMN)"),
        )
    settings = settings_from_args(args, IntakeSettings(roles))
    table = customer_table_from_log(log.table, settings)
    return LogRead(log.shown, sample), roles, table


def read_file_from_args(args: argparse.Namespace) -> tuple[Any, IntakeSettings]:
    """Read ``args.file`` in the contained worker and settle the roles and settings.

    Returns
    -------
    (ReadResult, IntakeSettings)

    Raises
    ------
    ChurnDataError
        The file is missing, a folder, or holds no data rows; a flag names a column the
        file does not have.
    """
    from churn.contain import read_contained

    path = Path(args.file)
    if not path.exists():
        raise ChurnDataError(
            msg("file '{file}' not found", file=args.file), fix=msg("check the path")
        )
    if path.is_dir():
        raise ChurnDataError(
            msg("'{file}' is a folder, not a file", file=args.file), fix=msg("give a file")
        )
    # In a worker process: a file that crashes a reader is one error line, not a crash.
    result, proposed = read_contained(path, name=path.name, sheet=getattr(args, "sheet", None))
    frame = result.frame
    if frame.shape[1] == 0 or len(frame) == 0:
        raise ChurnDataError(
            msg("'{name}' holds no data rows", name=path.name), fix=msg("check the file")
        )
    roles = roles_from_args(frame, args, proposed)
    return result, settings_from_args(args, IntakeSettings(roles, sheet=result.sheet))


def settings_from_args(args: argparse.Namespace, base: IntakeSettings) -> IntakeSettings:
    """``base`` with the settings the flags give: ``--snapshot``, ``--inactivity-days``
    and ``--sheet`` (a flag left out keeps ``base``'s value)."""
    changes: dict[str, Any] = {}
    for flag in ("snapshot", "inactivity_days", "sheet"):
        value = getattr(args, flag, None)
        if value is not None:
            changes[flag] = value
    return base.with_(**changes) if changes else base
