"""client search by index: name keys, phone keys, the duplicate check's indexes

Search looked for ``search_text LIKE '%...%'`` and the duplicate check read every client
of the municipality with a birth date unknown or a phone ending alike: both read the whole
municipality. Now each word of a client's name has a row per spelling key
(``client_name_key``), searched as a range of ``(municipality_code, key)``; the phone's
national number is ``client.phone_key``; the duplicate check finds birth dates and phones
through ``(municipality_code, birth_date)`` and ``(municipality_code, phone_key)``.
``search_text`` goes.

The keys of existing clients are computed with ``services.intake.clients.matching`` as it
is when this runs, batch by batch: the keys the running code searches with. A later change
to how keys are made needs a migration of its own that computes them again.

Revision ID: d27b5e0c4a91
Revises: 3f0a9d1c2b7e
Create Date: 2026-12-02 08:30:00
"""
from alembic import op
import sqlalchemy as sa

from services.intake.clients import matching

revision = 'd27b5e0c4a91'
down_revision = '3f0a9d1c2b7e'
branch_labels = None
depends_on = None

BATCH = 1000

_client = sa.table('client', sa.column('id', sa.Uuid()), sa.column('municipality_code', sa.String()),
                   sa.column('given_name', sa.String()), sa.column('family_name', sa.String()),
                   sa.column('birth_date', sa.Date()), sa.column('phone', sa.String()),
                   sa.column('phone_key', sa.String()), sa.column('search_text', sa.Text()))
_name_key = sa.table('client_name_key', sa.column('client_id', sa.Uuid()), sa.column('key', sa.String()),
                     sa.column('municipality_code', sa.String()), sa.column('undated', sa.Boolean()))


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    op.add_column('client', sa.Column('phone_key', sa.String(length=32), nullable=True))
    op.drop_column('client', 'search_text')  # ALTER TABLE ... DROP COLUMN: SQLite 3.35 or later
    op.drop_index(op.f('ix_client_municipality_code'), table_name='client')  # the first column of the next two
    op.create_index('ix_client_municipality_code_birth_date', 'client', ['municipality_code', 'birth_date'])
    op.create_index('ix_client_municipality_code_phone_key', 'client', ['municipality_code', 'phone_key'])
    op.create_table(
        'client_name_key',
        sa.Column('client_id', sa.Uuid(), nullable=False),
        # Byte order on PostgreSQL, as SQLite compares: a prefix is one range of the index.
        sa.Column('key', sa.String(length=64, collation='C') if postgresql else sa.String(length=64), nullable=False),
        sa.Column('municipality_code', sa.String(length=32), nullable=False),
        sa.Column('undated', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_client_name_key_client_id_client'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('client_id', 'key', name=op.f('pk_client_name_key')),
    )
    undated = sa.column('undated', sa.Boolean()).is_(True)
    op.create_index('ix_client_name_key_search', 'client_name_key', ['municipality_code', 'key', 'client_id'])
    op.create_index('ix_client_name_key_undated', 'client_name_key', ['municipality_code', 'key', 'client_id'],
                    postgresql_where=undated, sqlite_where=undated)
    _keys_of_every_client()


def _keys_of_every_client() -> None:
    bind, after = op.get_bind(), None
    while True:
        query = sa.select(_client.c.id, _client.c.municipality_code, _client.c.given_name, _client.c.family_name,
                          _client.c.birth_date, _client.c.phone).order_by(_client.c.id).limit(BATCH)
        rows = bind.execute(query if after is None else query.where(_client.c.id > after)).all()
        if not rows:
            return
        phones = [{'b_id': row.id, 'b_key': matching.phone_key(row.phone) or None} for row in rows if row.phone]
        if phones:
            bind.execute(_client.update().where(_client.c.id == sa.bindparam('b_id'))
                         .values(phone_key=sa.bindparam('b_key')), phones)
        bind.execute(_name_key.insert(), [
            {'client_id': row.id, 'key': key, 'municipality_code': row.municipality_code,
             'undated': row.birth_date is None}
            for row in rows for key in sorted(matching.name_keys(row.given_name, row.family_name))])
        after = rows[-1].id


def downgrade() -> None:
    op.drop_index('ix_client_name_key_undated', table_name='client_name_key')
    op.drop_index('ix_client_name_key_search', table_name='client_name_key')
    op.drop_table('client_name_key')
    op.drop_index('ix_client_municipality_code_phone_key', table_name='client')
    op.drop_index('ix_client_municipality_code_birth_date', table_name='client')
    op.create_index(op.f('ix_client_municipality_code'), 'client', ['municipality_code'])
    op.add_column('client', sa.Column('search_text', sa.Text(), server_default='', nullable=False))
    op.drop_column('client', 'phone_key')
    bind = op.get_bind()
    for row in bind.execute(sa.select(_client.c.id, _client.c.given_name, _client.c.family_name,
                                      _client.c.phone)).all():
        digits = ''.join(c for c in row.phone or '' if c.isdigit()).lstrip('0')
        bind.execute(_client.update().where(_client.c.id == row.id).values(
            search_text=f'{matching.fold(row.given_name)} {matching.fold(row.family_name)}|{digits}'))
