"""Customer models that were added after the big models.py got too big to review (2018)."""
import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from shop.models import Base

LOYALTY_TIERS = (
    ("gold", 5000),
    ("silver", 1000),
    ("bronze", 0),
)


class CustomerNote(Base):
    __tablename__ = "customer_notes"

    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    admin_user_id = Column(Integer, ForeignKey("admin_users.id"))
    body = Column(Text, nullable=False)
    created_at = Column(DateTime, default=datetime.datetime.utcnow)

    customer = relationship("Customer")


class LoyaltyAccount(Base):
    __tablename__ = "loyalty_accounts"

    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False, unique=True)
    points = Column(Integer, default=0, nullable=False)
    tier = Column(String(20), default="bronze", nullable=False)
    updated_at = Column(DateTime, default=datetime.datetime.utcnow)

    def recompute_tier(self):
        for name, minimum in LOYALTY_TIERS:
            if self.points >= minimum:
                self.tier = name
                return name
        return self.tier
