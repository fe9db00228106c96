"""Tests of what only PostgreSQL does (``app/pg``), with their SQLite counterparts."""
