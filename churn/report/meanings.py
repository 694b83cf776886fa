"""What each model metric means, in one plain line (the report's model section)."""

from __future__ import annotations

from churn.text import Text, msg

__all__ = ["metric_meaning"]


def _meanings() -> dict[str, Text]:
    return {
        "n": msg("Customers whose risk was scored by a model that did not learn from them."),
        "n_churned": msg("How many of those customers left."),
        "base_rate": msg("The share who left: what guessing scores on PR AUC."),
        "roc_auc": msg(
            "The chance that a customer who left gets a higher risk than one who stayed "
            "(0.5 is guessing, 1 is perfect)."
        ),
        "roc_auc_std": msg("How much ROC AUC moved between folds: small means stable."),
        "pr_auc": msg(
            "How pure the riskiest lists are, averaged over list lengths; compare it with "
            "the churn rate."
        ),
        "brier": msg("Average squared gap between the risk and what happened: lower is better."),
        "brier_baseline": msg(
            "The Brier score of giving everyone the churn rate: the model should be lower."
        ),
        "log_loss": msg("How surprised the model is by what happened: lower is better."),
        "log_loss_baseline": msg(
            "The log loss of giving everyone the churn rate: the model should be lower."
        ),
        "top_decile_lift": msg(
            "How many times more common churn is among the riskiest 10 % than overall."
        ),
        "threshold": msg("Risk from which a customer counts as flagged."),
        "tp": msg("Customers who left and were flagged."),
        "fp": msg("Customers flagged who stayed."),
        "tn": msg("Customers who stayed and were not flagged."),
        "fn": msg("Customers who left without being flagged."),
        "precision": msg("Of the flagged customers, the share who left."),
        "recall": msg("Of the customers who left, the share flagged."),
    }


def metric_meaning(name: str) -> Text | None:
    """The one-line meaning of a metric of :func:`churn.model.evaluate` (None if unknown)."""
    return _meanings().get(name)
