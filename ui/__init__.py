"""The Streamlit shell around the library (``churn`` never imports this).

Imports point one way, bottom to top (``python -m tools.measure`` checks for cycles):

- ``i18n`` (translations), ``errors`` (the error boundary), ``nav`` (the list of pages);
- ``state``: session keys, ``Dataset`` / ``Confirmed`` and typed accessors;
- ``cache`` and ``cache_<page>``: the only places that cache; they wrap library calls
  and never draw;
- ``widgets`` (shared widgets), ``workspace`` (saved workspaces; the one owner of
  autosave), ``intake`` (loading a file or a sample);
- ``shell``: ``bootstrap()``, which every page calls first;
- ``pages``: one controller per page, whose ``render()`` holds the page's widgets and
  text; the files in ``pages/`` and ``app.py`` only call it.
"""
