"""baseline: the schema as it was in production in March 2019

Revision ID: 0001
Revises:
Create Date: 2019-03-11 10:02:41
"""
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    # The baseline is schema.sql; this migration only stamps the database.
    op.execute("SELECT 1")


def downgrade():
    pass
