"""client likeness keys: the duplicate check compares a newcomer with fewer namesakes

The duplicate check compared a newcomer with every client of the municipality sharing a
word of the name (every Maria): at 500,000 clients a hundred or more rows for a newcomer
with a birth date, thousands for one without. It now looks clients up by likeness keys
(``client_likeness_key``: a word's key joined to the first consonant of another word's),
which names alike enough to compare share. ``client_name_key`` serves search alone and
loses ``undated`` and its partial index, which move to the likeness keys.

The keys of existing clients are computed with ``services.intake.clients.matching`` as it
is when this runs, batch by batch, as in d27b5e0c4a91.

Revision ID: fcd9078e7afd
Revises: 6b1e94c0d3a8
Create Date: 2026-12-02 11:40:00
"""
from alembic import op
import sqlalchemy as sa

from services.intake.clients import matching

revision = 'fcd9078e7afd'
down_revision = '6b1e94c0d3a8'
branch_labels = None
depends_on = None

BATCH = 1000

_client = sa.table('client', sa.column('id', sa.Uuid()), sa.column('municipality_code', sa.String()),
                   sa.column('given_name', sa.String()), sa.column('family_name', sa.String()),
                   sa.column('birth_date', sa.Date()))
_likeness_key = sa.table('client_likeness_key', sa.column('client_id', sa.Uuid()), sa.column('key', sa.String()),
                         sa.column('municipality_code', sa.String()), sa.column('undated', sa.Boolean()))
_name_key = sa.table('client_name_key', sa.column('client_id', sa.Uuid()), sa.column('undated', sa.Boolean()))
_UNDATED = sa.column('undated', sa.Boolean()).is_(True)


def upgrade() -> None:
    op.create_table(
        'client_likeness_key',
        sa.Column('client_id', sa.Uuid(), nullable=False),
        sa.Column('key', sa.String(length=66), nullable=False),
        sa.Column('municipality_code', sa.String(length=32), nullable=False),
        sa.Column('undated', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_client_likeness_key_client_id_client'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('client_id', 'key', name=op.f('pk_client_likeness_key')),
    )
    op.create_index('ix_client_likeness_key_all', 'client_likeness_key', ['municipality_code', 'key', 'client_id'])
    op.create_index('ix_client_likeness_key_undated', 'client_likeness_key', ['municipality_code', 'key', 'client_id'],
                    postgresql_where=_UNDATED, sqlite_where=_UNDATED)
    _likeness_keys_of_every_client()
    op.drop_index('ix_client_name_key_undated', table_name='client_name_key')
    op.drop_column('client_name_key', 'undated')  # ALTER TABLE ... DROP COLUMN: SQLite 3.35 or later


def _likeness_keys_of_every_client() -> None:
    bind, after = op.get_bind(), None
    while True:
        query = sa.select(_client.c.id, _client.c.municipality_code, _client.c.given_name, _client.c.family_name,
                          _client.c.birth_date).order_by(_client.c.id).limit(BATCH)
        rows = bind.execute(query if after is None else query.where(_client.c.id > after)).all()
        if not rows:
            return
        keys = [{'client_id': row.id, 'key': key, 'municipality_code': row.municipality_code,
                 'undated': row.birth_date is None}
                for row in rows for key in sorted(matching.likeness_keys(row.given_name, row.family_name))]
        if keys:
            bind.execute(_likeness_key.insert(), keys)
        after = rows[-1].id


def downgrade() -> None:
    op.add_column('client_name_key', sa.Column('undated', sa.Boolean(), server_default=sa.false(), nullable=False))
    undated_clients = sa.select(_client.c.id).where(_client.c.birth_date.is_(None))
    op.get_bind().execute(_name_key.update().where(_name_key.c.client_id.in_(undated_clients)).values(undated=True))
    op.create_index('ix_client_name_key_undated', 'client_name_key', ['municipality_code', 'key', 'client_id'],
                    postgresql_where=_UNDATED, sqlite_where=_UNDATED)
    op.drop_index('ix_client_likeness_key_undated', table_name='client_likeness_key')
    op.drop_index('ix_client_likeness_key_all', table_name='client_likeness_key')
    op.drop_table('client_likeness_key')
