"""municipality replica keeps the time of its event as as_of, like every replica

Revision ID: 7c3e9a1d2f58
Revises: b331239852fc
Create Date: 2026-12-01 22:20:00
"""
from alembic import op

revision = '7c3e9a1d2f58'
down_revision = 'b331239852fc'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('municipality') as batch:
        batch.alter_column('registered_at', new_column_name='as_of')


def downgrade() -> None:
    with op.batch_alter_table('municipality') as batch:
        batch.alter_column('as_of', new_column_name='registered_at')
