"""Settings travel with the model (issue 18, item 3): the value unit and the sheet are
part of the one settings object, and the Model page scores a new file with every
confirmed setting, saying what differs from the model's."""

from __future__ import annotations

import numpy as np

from churn.roles import ColumnRoles
from churn.settings import IntakeSettings, difference_note
from tests.test_settings import ROLES, logs, risks_cut_at, trained60  # noqa: F401


def test_the_value_unit_and_the_sheet_are_settings():
    roles = ColumnRoles(id="c", label="churn", amount="fee", amount_unit="year")
    s = IntakeSettings(roles, sheet="Customers")
    back = IntakeSettings.from_dict(s.to_dict())
    assert back == s and back.sheet == "Customers" and back.roles.amount_unit == "year"
    note = difference_note(s, s.with_(roles={"amount_unit": "month"}))
    assert note is not None and "column roles (amount_unit)" in note


def test_the_model_page_scores_a_new_file_with_every_confirmed_setting(logs, trained60):  # noqa: F811
    from ui import cache_model as cm
    from ui.state import Confirmed

    new = logs[1]
    data = new.to_csv(index=False).encode()
    conf = Confirmed("h", IntakeSettings(ROLES, inactivity_days=30))  # model: 60 days
    handle = {"key": "k", "model": "logistic", "features": trained60.features, "split": "cv"}
    scored, csv, notes = cm.score_upload(handle, trained60, conf, "new.csv", data)
    np.testing.assert_allclose(scored["risk"].to_numpy(), risks_cut_at(trained60, new, 30))
    (note,) = notes
    assert "inactivity window 30 days (trained: 60 days)" in note
    assert csv.startswith(b"\xef\xbb\xbf") or b"risk" in csv[:200]
    # the model's own settings: no note
    same = Confirmed("h", trained60.intake_settings())
    assert cm.score_upload(handle, trained60, same, "new.csv", data)[2] == ()
