"""heartbeat of the relay and consumer processes, read by /readyz

Revision ID: 9c9bc6d35ef8
Revises: 76083701266a
Create Date: 2026-12-08 10:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '9c9bc6d35ef8'
down_revision = '76083701266a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('heartbeat',
    sa.Column('process', sa.String(length=20), nullable=False),
    sa.Column('instance', sa.String(length=200), nullable=False),
    sa.Column('beat_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('process', 'instance', name=op.f('pk_heartbeat'))
    )


def downgrade() -> None:
    op.drop_table('heartbeat')
