"""monthly tallies (knowledge entries asked about)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 00:10:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'monthly_tallies',
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('month', 'name'),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('monthly_tallies')
