"""Planner settings for one transaction, where PostgreSQL's defaults suit its other statements badly."""

from sqlalchemy import text

from app import pg
from app.extensions import db


def short_queries() -> None:
    """No JIT compilation for the rest of the transaction: its statements are short, and compiling them would
    take longer than running them. Nothing to set elsewhere."""
    if pg.active():
        db.session.execute(text("SET LOCAL jit = off"))
