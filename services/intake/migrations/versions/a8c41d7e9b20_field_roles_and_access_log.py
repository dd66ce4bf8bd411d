"""roles that fit field work: who recorded an assessment, who serves whom, who read what

Revision ID: a8c41d7e9b20
Revises: 3f0a9d1c2b7e
Create Date: 2026-12-02 08:20:00
"""
from alembic import op
import sqlalchemy as sa

revision = 'a8c41d7e9b20'
down_revision = '3f0a9d1c2b7e'
branch_labels = None
depends_on = None

_assessment = sa.table('assessment', sa.column('assessor', sa.String()), sa.column('recorded_by', sa.String()))


def upgrade() -> None:
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorded_by', sa.String(length=200), server_default='unknown', nullable=False))
    # Until now only the assessor could record an assessment.
    op.execute(_assessment.update().values(recorded_by=_assessment.c.assessor))
    op.create_table(
        'client_assignment',
        sa.Column('client_id', sa.Uuid(), nullable=False),
        sa.Column('staff_id', sa.String(length=200), nullable=False),
        sa.Column('municipality_code', sa.String(length=32), nullable=False),
        sa.Column('assigned', sa.Boolean(), nullable=False),
        sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('client_id', 'staff_id', name=op.f('pk_client_assignment')),
    )
    op.create_index(op.f('ix_client_assignment_staff_id'), 'client_assignment', ['staff_id'], unique=False)
    op.create_table(
        'assignments_known',
        sa.Column('municipality_code', sa.String(length=32), nullable=False),
        sa.Column('since', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('municipality_code', name=op.f('pk_assignments_known')),
    )
    op.create_table(
        'access_log',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Uuid(), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reader', sa.String(length=200), nullable=False),
        sa.Column('roles', sa.JSON(), nullable=False),
        sa.Column('what', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_access_log')),
    )
    op.create_index('ix_access_log_client_id_read_at', 'access_log', ['client_id', 'read_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_access_log_client_id_read_at', table_name='access_log')
    op.drop_table('access_log')
    op.drop_table('assignments_known')
    op.drop_index(op.f('ix_client_assignment_staff_id'), table_name='client_assignment')
    op.drop_table('client_assignment')
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_column('recorded_by')
