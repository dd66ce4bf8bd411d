"""care plans hardening: status history, staff ids, agreements outside the programme's period, funder optional

Revision ID: efce046eefbc
Revises: 086cb6fe511d
Create Date: 2026-12-15 10:00:00
"""
import uuid

from alembic import op
import sqlalchemy as sa

revision = 'efce046eefbc'
down_revision = '086cb6fe511d'
branch_labels = None
depends_on = None

_plan = sa.table('care_plan', sa.column('id', sa.Uuid()), sa.column('status', sa.String()),
                 sa.column('status_since', sa.Date()), sa.column('status_reason', sa.String()),
                 sa.column('starts_on', sa.Date()), sa.column('changed_at', sa.DateTime(timezone=True)))
_line = sa.table('care_plan_line', sa.column('id', sa.Uuid()), sa.column('preferred_worker', sa.String()))


def upgrade() -> None:
    op.create_table('care_plan_status_change',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('care_plan_id', sa.Uuid(), nullable=False),
    sa.Column('previous_status', sa.String(length=20), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['care_plan_id'], ['care_plan.id'], name=op.f('fk_care_plan_status_change_care_plan_id_care_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_plan_status_change'))
    )
    with op.batch_alter_table('care_plan_status_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_plan_status_change_care_plan_id'), ['care_plan_id'], unique=False)
    _history_of_plans_that_ran()
    with op.batch_alter_table('care_plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by', sa.String(length=200), server_default='unknown', nullable=False))
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outside_programme_period', sa.Boolean(), server_default=sa.text('false'),
                                      nullable=False))
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.alter_column('funder', existing_type=sa.String(length=300), nullable=True)
    _keep_staff_ids_only()
    with op.batch_alter_table('care_plan_line', schema=None) as batch_op:
        batch_op.alter_column('preferred_worker', existing_type=sa.String(length=64), type_=sa.Uuid(),
                              postgresql_using='preferred_worker::uuid')


def _history_of_plans_that_ran() -> None:
    """A plan that ran before the history was kept gets one entry, its current status from the
    day it took effect (who moved it is unknown), so that lists "as of" a day count it."""
    plans = op.get_bind().execute(sa.select(_plan).where(_plan.c.status != 'draft')).all()
    changes = sa.table('care_plan_status_change', sa.column('id', sa.Uuid()), sa.column('care_plan_id', sa.Uuid()),
                       sa.column('previous_status', sa.String()), sa.column('status', sa.String()),
                       sa.column('effective_on', sa.Date()), sa.column('reason', sa.String()),
                       sa.column('changed_at', sa.DateTime(timezone=True)), sa.column('changed_by', sa.String()))
    if plans:
        op.bulk_insert(changes, [{
            'id': uuid.uuid4(), 'care_plan_id': plan.id, 'previous_status': None, 'status': plan.status,
            'effective_on': plan.status_since or plan.starts_on, 'reason': plan.status_reason,
            'changed_at': plan.changed_at, 'changed_by': 'unknown'} for plan in plans])


def _keep_staff_ids_only() -> None:
    """A preferred worker was free text; only a staff id (a UUID) is kept, the rest is cleared
    (it was a hint to scheduling, never checked). As the dialect stores a UUID: hex on SQLite."""
    connection = op.get_bind()
    for line in connection.execute(sa.select(_line).where(_line.c.preferred_worker.is_not(None))).all():
        try:
            staff = uuid.UUID(line.preferred_worker)
            kept = staff.hex if connection.dialect.name == 'sqlite' else str(staff)
        except ValueError:
            kept = None
        connection.execute(_line.update().where(_line.c.id == line.id).values(preferred_worker=kept))


def downgrade() -> None:
    with op.batch_alter_table('care_plan_line', schema=None) as batch_op:
        batch_op.alter_column('preferred_worker', existing_type=sa.Uuid(), type_=sa.String(length=64),
                              postgresql_using='preferred_worker::text')
    op.execute(sa.text("UPDATE programme SET funder = '' WHERE funder IS NULL"))
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.alter_column('funder', existing_type=sa.String(length=300), nullable=False)
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.drop_column('outside_programme_period')
    with op.batch_alter_table('care_plan', schema=None) as batch_op:
        batch_op.drop_column('created_by')
    with op.batch_alter_table('care_plan_status_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_plan_status_change_care_plan_id'))
    op.drop_table('care_plan_status_change')
