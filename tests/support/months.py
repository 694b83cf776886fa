"""The sample's October and November files, the October campaign, and their comparison
(risk bands from the campaign list's own risk: no model)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from churn.compare import compare_snapshots
from churn.roles import infer_roles
from churn.sample import CAMPAIGN_FILE, MONTHLY_FILES
from churn.settings import IntakeSettings
from churn.shapes import build_customer_table

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def sample_months():
    """(November's customer table, the October-to-November comparison)."""
    old_frame, new_frame = (pd.read_csv(SAMPLE / name) for name in MONTHLY_FILES[:2])
    campaign = pd.read_csv(SAMPLE / CAMPAIGN_FILE)
    settings = IntakeSettings(infer_roles(old_frame))
    old = build_customer_table(old_frame, settings)
    new = build_customer_table(new_frame, settings)
    risk = campaign.set_index(campaign["customer_id"].astype(str))["risk"]
    comp = compare_snapshots(old, new, old_risk=risk, new_risk=risk, contacted=campaign)
    return new, comp
