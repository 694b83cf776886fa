"""Test helpers that start services for the tests (a throw-away PostgreSQL server)."""
