"""drop wishlists

Revision ID: 0003
Revises: 0002
Create Date: 2019-11-18 09:12:55
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade():
    op.drop_table("wishlists")


def downgrade():
    op.create_table(
        "wishlists",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("product_id", sa.Integer, sa.ForeignKey("products.id"), nullable=False),
        sa.Column("created_at", sa.DateTime),
    )
