"""Altair chart builders: result frames in, ``alt.Chart`` out (pages only display them).

One module per area (``over_time``, ``segments``, ``model``, ``explain``...), so each
page's charts sit together; ``import altair`` happens inside these modules only.
"""
