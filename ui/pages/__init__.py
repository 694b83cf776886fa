"""Page controllers: one module per page, each with a ``render()`` that draws the page's
widgets and text.

The files Streamlit runs (``app.py`` and ``pages/<n>_<Name>.py``) are a few lines each:
``ui.shell.bootstrap("<ns>")``, then ``render()`` of their controller inside the error
boundary (``ui.errors.boundary``). A controller gets its numbers from the cached wrappers
in ``ui/cache*.py`` and draws them with ``ui.widgets``; it never caches by itself.

- ``home``: the pitch, the dataset's status and a line per page (``app.py``);
- ``data``: upload or sample, how the file was read, the confirm step; its role editor,
  label mapping and dates are in ``data_roles`` (each proposal's reason and the rate
  each choice of an unclear label value gives, in ``data_evidence``; the amount's unit,
  and the captions that name it on the other pages, in ``data_amount``; the switch that
  keeps columns measured after the customer left and the notes on kept features, in
  ``data_leakage``), the draft table and its checks (snapshot, inactivity preview,
  validation issues) in ``data_table``; after Confirm, P(alive) beside the inactivity
  rule (event logs) and the customer table with its downloads in ``data_alive``;
- ``over_time``: churn by period, cohorts, survival and the six-month forecast; for an
  event log, BG/NBD's tracking chart and the P(alive) map in ``over_time_alive``;
- ``segments``: churn, value, RFM, clusters and warning signs by segment, as lazy tabs;
  table settings and translated names in ``segments_tables``;
- ``model``: settings, training, quality, leaderboard, the campaign decision, scores;
- ``explain``: drivers, the at-risk list, one customer's reasons, the playbook;
- ``whatif``: one customer's what-if, suggestions, scenarios, and a segment campaign;
  its sentences in ``whatif_words``;
- ``report``: sections, language and the HTML / Excel downloads.
- ``changes``: two monthly snapshots compared: moves between risk bands, who left and
  the old at-risk list's precision, the campaign against its hold-out, top value.
"""
