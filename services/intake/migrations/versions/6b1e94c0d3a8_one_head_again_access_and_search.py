"""one head again: the access log and search by index were built side by side

Revision ID: 6b1e94c0d3a8
Revises: a8c41d7e9b20, d27b5e0c4a91
Create Date: 2026-12-02 09:40:00
"""
revision = '6b1e94c0d3a8'
down_revision = ('a8c41d7e9b20', 'd27b5e0c4a91')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
