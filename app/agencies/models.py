"""The tenant: a collection agency. Every tenant-owned row carries ``agency_id``."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, SmallInteger, String, text, true
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class Agency(db.Model):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    license_number: Mapped[str | None] = mapped_column(String(60))
    timezone: Mapped[str] = mapped_column(String(64), default="America/New_York")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    address_line1: Mapped[str] = mapped_column(String(200), default="")
    address_line2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2), default="US")
    # Every user must sign in with a second factor; off only where an admin turned it off (and in the demo).
    mfa_required: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Points per unit of each work-score factor (``app.accounts.workscore``); a factor not stored has its default
    work_score_weights: Mapped[dict | None] = mapped_column(JSON)
    # The agency's own contact limits and dispute policy (``app.compliance.settings``); a key not stored has its
    # default
    compliance_settings: Mapped[dict | None] = mapped_column(JSON)
    # Days an instalment may stay unpaid after its due date before the plan counts as broken (``app.plans``)
    plan_grace_days: Mapped[int] = mapped_column(SmallInteger, default=3, server_default=text("3"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Agency {self.slug}>"
