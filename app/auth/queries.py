"""Read-only lists of users."""

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db


def list_users(viewer: User) -> list[User]:
    """Every user of the viewer's agency, by name."""
    stmt = select(User).where(User.agency_id == viewer.agency_id).order_by(User.full_name, User.id)
    return list(db.session.scalars(stmt))
