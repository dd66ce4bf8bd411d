"""clients hardening: the day a client's status took effect, phones in E.164

Revision ID: 5dd63d6f60ec
Revises: 086cb6fe511d
Create Date: 2026-12-15 11:00:00
"""
from alembic import op
import phonenumbers
import sqlalchemy as sa

revision = '5dd63d6f60ec'
down_revision = '086cb6fe511d'
branch_labels = None
depends_on = None

_client = sa.table('client', sa.column('id', sa.Uuid()), sa.column('municipality_code', sa.String()),
                   sa.column('phone', sa.String()), sa.column('search_text', sa.Text()))


def upgrade() -> None:
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_since', sa.Date(), nullable=True))
    _phones_in_e164()


def _phones_in_e164() -> None:
    """Phones were kept as typed (0888123401): now in E.164 (+359888123401), read in the country
    the municipality's code starts with, and searched by those digits. A number that cannot
    exist stays as typed, shown but never dialled, until a coordinator corrects it."""
    bind = op.get_bind()
    for row in bind.execute(sa.select(_client).where(_client.c.phone.is_not(None))).all():
        phone = _e164(row.phone, row.municipality_code.split('-', 1)[0])
        if phone and phone != row.phone:
            names = row.search_text.split('|', 1)[0]
            bind.execute(_client.update().where(_client.c.id == row.id)
                         .values(phone=phone, search_text=f'{names}|{phone[1:]}'))


def _e164(phone: str, country: str) -> str | None:
    try:
        number = phonenumbers.parse(phone, country if country in phonenumbers.SUPPORTED_REGIONS else None)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) \
        if phonenumbers.is_valid_number(number) else None


def downgrade() -> None:
    # Phones stay in E.164: the spelling the earlier code stored for "+359 888 123 401" too.
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_column('status_since')
