"""Streamlit-only helpers shared by the pages (the library ``churn`` never imports this)."""
