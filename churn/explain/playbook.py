"""The playbook: drivers mapped to suggested actions.

``churn/playbook.csv`` maps drivers to actions (see :func:`load_playbook`); a consultant
may edit it or pass their own file. Reasons that raise risk and match a playbook row are
*actionable*; fixed traits (region, channel, account owner) match no row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.languages import LANGUAGES, norm_lang
from churn.text import msg

PLAYBOOK_PATH = Path(__file__).parent.with_name("playbook.csv")  # churn/playbook.csv
PLAYBOOK_COLUMNS = (
    "key",
    "warning_sign",
    "pattern",
    "when",
    "action_en",
    "action_ko",
    "why_en",
    "why_ko",
)
#: The languages of the texts (:data:`churn.languages.LANGUAGES`); the playbook has an
#: ``action_<lang>`` and a ``why_<lang>`` column for each.
LANGS = tuple(LANGUAGES)


# --------------------------------------------------------------------------- playbook
@dataclass(frozen=True)
class Playbook:
    """Drivers -> suggested actions, in file order (the first matching row wins).

    Attributes
    ----------
    rows : the playbook frame (:data:`PLAYBOOK_COLUMNS`).
    """

    rows: pd.DataFrame = field(repr=False)

    def default(self) -> pd.Series:
        """The row used when no reason is actionable (key ``default``, else the last)."""
        d = self.rows[self.rows["key"] == "default"]
        return d.iloc[0] if len(d) else self.rows.iloc[-1]

    def match(self, column: str) -> pd.Series | None:
        """The playbook row for a column, or None when the column is a fixed trait."""
        from churn.segments import norm_name, recognise_warning_signs

        sign = recognise_warning_signs([column]).get(column)
        name = norm_name(column)
        for _, row in self.rows.iterrows():
            if row["key"] == "default":
                continue
            if sign and row["warning_sign"] == sign:
                return row
            pat = row["pattern"]
            if pat and re.search(pat, name):
                return row
        return None

    def action(self, key: str, lang: str = "en") -> str:
        """The action text of the row ``key`` in ``lang``."""
        row = self.rows[self.rows["key"] == key].iloc[0]
        return str(row[f"action_{norm_lang(lang)}"])


def load_playbook(path: str | Path | None = None) -> Playbook:
    """Read the playbook CSV (default: ``churn/playbook.csv``, UTF-8).

    Columns: ``key`` (unique name), ``warning_sign`` (optional: a sign of
    :data:`churn.segments.WARNING_SIGNS`; columns recognised as that sign match),
    ``pattern`` (optional regular expression searched in the lower-cased column name,
    with ``_ - . /`` read as spaces; English and Korean), ``when`` (which values make the
    reason actionable: ``high`` = above the median, ``low`` = below it or missing,
    ``yes`` = a yes-like value, ``any``, or ``value:REGEX`` matched against the value's
    text), ``action_en``, ``action_ko``, ``why_en``, ``why_ko``. Rows are tried in file
    order; the row with key ``default`` is the action when no reason is actionable.

    Raises
    ------
    ChurnDataError
        A column is missing, a key repeats, a ``when`` or ``pattern`` is invalid.
    """
    path = Path(path) if path is not None else PLAYBOOK_PATH
    rows = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in PLAYBOOK_COLUMNS if c not in rows.columns]
    if missing:
        raise ChurnDataError(
            msg("the playbook file lacks the columns {missing}.", missing=", ".join(missing)),
            fix=msg("give it the columns {columns}.", columns=", ".join(PLAYBOOK_COLUMNS)),
        )
    rows = rows[list(PLAYBOOK_COLUMNS)].apply(lambda s: s.str.strip())
    if rows["key"].duplicated().any() or (rows["key"] == "").any():
        raise ChurnDataError(
            msg("every playbook row needs a unique key."),
            fix=msg("rename the repeated key."),
            column="key",
        )
    for _, r in rows.iterrows():
        w = r["when"]
        if not (w in ("high", "low", "yes", "any") or w.startswith("value:")):
            raise ChurnDataError(
                msg("row '{key}' has when = '{when}'.", key=r["key"], when=w),
                fix=msg("use high, low, yes, any or value:REGEX."),
                column="when",
            )
        for pat in (r["pattern"], w[6:] if w.startswith("value:") else ""):
            try:
                re.compile(pat)
            except re.error as exc:
                raise ChurnDataError(
                    msg(
                        "row '{key}' has an invalid pattern ({error}).",
                        key=r["key"],
                        error=str(exc),
                    ),
                    fix=msg("write a valid regular expression."),
                    column="pattern",
                ) from exc
    if rows.empty:
        raise ChurnDataError(
            msg("the playbook file has no rows."), fix=msg("add at least a default row.")
        )
    return Playbook(rows.reset_index(drop=True))


def playbook_table(playbook: Playbook | None = None, lang: str = "en") -> pd.DataFrame:
    """The playbook as shown on the page: ``key``, ``warning_sign``, ``when``, ``action``,
    ``why`` in ``lang``."""
    pb = playbook or load_playbook()
    r = pb.rows
    lg = norm_lang(lang)
    return pd.DataFrame(
        {
            "key": r["key"],
            "matches": np.where(r["warning_sign"] != "", r["warning_sign"], r["pattern"]),
            "when": r["when"],
            "action": r[f"action_{lg}"],
            "why": r[f"why_{lg}"],
        }
    )
