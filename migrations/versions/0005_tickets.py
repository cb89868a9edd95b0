"""general-complaint tickets, their timeline and per-fiscal-year sequences

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 00:45:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'ticket_sequences',
        sa.Column('year_be', sa.Integer(), nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('year_be'),
    )
    op.create_table(
        'tickets',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('year_be', sa.Integer(), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('owner_ref', sa.String(length=64), nullable=False),
        sa.Column('category', sa.String(length=40), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('place', sa.Text(), nullable=False),
        sa.Column('latitude', sa.Float(), nullable=True),
        sa.Column('longitude', sa.Float(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('extended_to', sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('year_be', 'sequence', name='uq_ticket_code'),
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_owner', ['owner_ref', 'id'], unique=False)
        batch_op.create_index('ix_ticket_open_due', ['status', 'due_on'], unique=False)
    op.create_table(
        'ticket_events',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('ticket_id', ID, nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('public_note', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_event_ticket', ['ticket_id', 'id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('ticket_events')
    op.drop_table('tickets')
    op.drop_table('ticket_sequences')
