"""Issue 19: the pages' numbers follow the report's rules. Every page is rendered with a
small generated dataset and a trained model, in English and Korean, and what it shows
(markdown, captions, alerts, metrics and every table cell as its column format shows it)
is scanned with the report's scanner (``tests.test_report_story.broken_numbers``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.support.shown import shown_number, shown_text
from tests.test_report_story import broken_numbers
from ui.i18n import LANG_KEY

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))
#: Pages that show tables before any button is pressed (the Model and What-if pages wait
#: for one; the Report and Changes pages for a build or a second file).
TABLE_PAGES = {
    "pages/1_Data.py", "pages/2_Churn_over_time.py", "pages/3_Segments.py",
    "pages/5_Explanations.py",
}  # fmt: skip


def session_values() -> dict:
    """Session values of a confirmed 300-customer sample and a logistic model."""
    from churn.io import read_table
    from churn.roles import infer_roles
    from churn.sample import generate_subscriptions
    from ui import cache_model as cm
    from ui.state import CONFIRMED, DATASET, MODEL, Confirmed, Dataset

    data = generate_subscriptions(n=300, seed=5).to_csv(index=False).encode()
    ds = Dataset.from_bytes("small.csv", data)
    roles = infer_roles(read_table(data, name=ds.name).frame)
    conf = Confirmed(ds.content_hash, None, roles)
    handle = cm.make_handle(conf, "logistic", tuple(roles.features), "cv")
    return {DATASET: ds, CONFIRMED: conf, MODEL: handle}


@pytest.fixture(scope="module")
def session() -> dict:
    return session_values()


def test_the_page_scan_reads_tables_as_shown_and_flags_a_bad_number():
    assert shown_number(0.8494 * 100, "%.1f %%") == "84.9 %"
    assert shown_number(84.94, "%.1f%%") == "84.9%"
    assert shown_number(0.8494, "percent") == "84.94%"  # Streamlit's own percent format
    assert shown_number(7151.751, "localized") == "7,151.751"
    assert shown_number(7151.751, None) == "7151.751"  # no format: no separators
    assert broken_numbers([shown_number(0.8494, "percent")], "en")  # the "84.94%"
    assert broken_numbers([shown_number(7151.751, None)], "en")
    assert broken_numbers(["84.9 %"], "ko") and not broken_numbers(["84.9%"], "ko")
    assert broken_numbers(["84.9 %", "7,151.75"], "en") == []


@pytest.mark.slow  # 16 page runs with a model trained in the first: about 33 s on 2 cores
@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("page", PAGES, ids=lambda p: Path(p).stem)
def test_page_numbers_follow_the_rules(page, lang, session):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in session.items():
        at.session_state[key] = value
    at.session_state[LANG_KEY] = lang
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    parts = shown_text(at)
    assert len(parts) > 3, parts
    assert broken_numbers(parts, lang) == []
    if page in TABLE_PAGES:  # the tables were read as shown
        assert at.dataframe and all(isinstance(d.value, pd.DataFrame) for d in at.dataframe)
