"""municipality replica keeps the time of its event as as_of, like every replica;
scheduling plans in the municipality's time zone and has no use for its language

Revision ID: 5b1f0c2d7e41
Revises: 0d846f6c528c
Create Date: 2026-12-01 22:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '5b1f0c2d7e41'
down_revision = '0d846f6c528c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('municipality') as batch:
        batch.alter_column('registered_at', new_column_name='as_of')
        batch.drop_column('language')


def downgrade() -> None:
    with op.batch_alter_table('municipality') as batch:
        batch.alter_column('as_of', new_column_name='registered_at')
        batch.add_column(sa.Column('language', sa.String(length=2), nullable=False, server_default='bg'))
