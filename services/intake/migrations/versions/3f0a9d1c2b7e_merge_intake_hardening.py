"""one head again: clients, care plans and cases were hardened side by side

Revision ID: 3f0a9d1c2b7e
Revises: 5dd63d6f60ec, efce046eefbc, 7271b24161d3
Create Date: 2026-12-02 02:50:00
"""
revision = '3f0a9d1c2b7e'
down_revision = ('5dd63d6f60ec', 'efce046eefbc', '7271b24161d3')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
