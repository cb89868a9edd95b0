"""ticket lifecycle: channel, result and rating, reminders, contact and chat link, photos,
timeline actors and notes, and the first-contact privacy notice

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 01:20:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=16), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('status_changed_at', UTC, nullable=True))
        batch_op.add_column(sa.Column('finished_at', UTC, nullable=True))
        batch_op.add_column(sa.Column('rating', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rated_at', UTC, nullable=True))
        batch_op.add_column(sa.Column('reminded_for', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('contact_name', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('notify_channel', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('notify_recipient', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('personal_data_erased_at', UTC, nullable=True))
        batch_op.create_index('ix_ticket_received', ['received_at'], unique=False)
        batch_op.create_index(
            'ix_ticket_status_changed', ['status', 'status_changed_at'], unique=False
        )
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), nullable=False, server_default='status'))
        batch_op.add_column(sa.Column('actor', sa.String(length=80), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('internal_note', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('expected_on', sa.Date(), nullable=True))
    with op.batch_alter_table('conversation_states', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privacy_noticed_at', UTC, nullable=True))
    op.create_table(
        'ticket_photos',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('ticket_id', ID, nullable=False),
        sa.Column('storage_key', sa.String(length=80), nullable=False),
        sa.Column('content_type', sa.String(length=40), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('storage_key'),
    )
    with op.batch_alter_table('ticket_photos', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_photo_ticket', ['ticket_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('ticket_photos')
    with op.batch_alter_table('conversation_states', schema=None) as batch_op:
        batch_op.drop_column('privacy_noticed_at')
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.drop_column('expected_on')
        batch_op.drop_column('internal_note')
        batch_op.drop_column('actor')
        batch_op.drop_column('kind')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_status_changed')
        batch_op.drop_index('ix_ticket_received')
        for column in (
            'personal_data_erased_at', 'notify_recipient', 'notify_channel', 'contact_phone',
            'contact_name', 'reminded_for', 'rated_at', 'rating', 'finished_at',
            'status_changed_at', 'channel',
        ):
            batch_op.drop_column(column)
