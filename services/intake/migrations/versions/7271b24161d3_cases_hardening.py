"""cases hardening: a case's origin_ref is the id (a UUID) of the visit or group session it came from

Revision ID: 7271b24161d3
Revises: 086cb6fe511d
Create Date: 2026-12-15 11:00:00
"""
import uuid

from alembic import op
import sqlalchemy as sa

revision = '7271b24161d3'
down_revision = '086cb6fe511d'
branch_labels = None
depends_on = None

_case = sa.table('case', sa.column('id', sa.Uuid()), sa.column('origin', sa.String()),
                 sa.column('origin_ref', sa.String()), sa.column('description', sa.Text()),
                 sa.column('opened_at', sa.DateTime(timezone=True)))
_REFERENCED = ('visit', 'group_session')


def upgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('uq_case_visit')
    _keep_record_ids_only()
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.alter_column('origin_ref', existing_type=sa.String(length=64), type_=sa.Uuid(),
                              postgresql_using='origin_ref::uuid')
        batch_op.create_index('uq_case_visit', ['origin_ref'], unique=True, sqlite_where=sa.text("origin = 'visit'"), postgresql_where=sa.text("origin = 'visit'"))


def _keep_record_ids_only() -> None:
    """origin_ref was any text, copied into events. Kept: the id of a visit or group session, in
    one spelling (as the dialect stores a UUID: hex on SQLite), once per visit. Anything else
    moves into the case's description, which stays in intake."""
    connection = op.get_bind()
    visits: set[uuid.UUID] = set()
    rows = connection.execute(sa.select(_case).where(_case.c.origin_ref.is_not(None))
                              .order_by(_case.c.opened_at, _case.c.id)).all()
    for case in rows:
        ref = _uuid(case.origin_ref) if case.origin in _REFERENCED else None
        if ref is None or (case.origin == 'visit' and ref in visits):
            note = f"Reference given when the case was opened: {case.origin_ref}"
            changes = {'origin_ref': None, 'description': f"{case.description}\n\n{note}" if case.description else note}
        else:
            changes = {'origin_ref': ref.hex if connection.dialect.name == 'sqlite' else str(ref)}
            if case.origin == 'visit':
                visits.add(ref)
        connection.execute(_case.update().where(_case.c.id == case.id).values(**changes))


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def downgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('uq_case_visit')
        batch_op.alter_column('origin_ref', existing_type=sa.Uuid(), type_=sa.String(length=64),
                              postgresql_using='origin_ref::text')
        batch_op.create_index('uq_case_visit', ['origin_ref'], unique=True, sqlite_where=sa.text("origin = 'visit'"), postgresql_where=sa.text("origin = 'visit'"))
