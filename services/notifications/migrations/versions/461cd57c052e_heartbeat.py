"""heartbeat of the relay and consumer processes, read by /readyz

Revision ID: 461cd57c052e
Revises: 7c3e9a1d2f58
Create Date: 2026-12-08 10:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '461cd57c052e'
down_revision = '7c3e9a1d2f58'
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
