"""core tables: inbound events, conversation state, outbox

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 20:58:01.550938

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('conversation_states',
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('user_ref', sa.String(length=64), nullable=False),
    sa.Column('flow', sa.String(length=64), nullable=True),
    sa.Column('step', sa.String(length=64), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_event_ts', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('channel', 'user_ref')
    )
    op.create_table('inbound_events',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('event_key', sa.String(length=64), nullable=False),
    sa.Column('user_ref', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('message', sa.JSON(), nullable=True),
    sa.Column('reply_token', sa.String(length=255), nullable=True),
    sa.Column('event_ts', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'event_key', name='uq_inbound_channel_event')
    )
    with op.batch_alter_table('inbound_events', schema=None) as batch_op:
        batch_op.create_index('ix_inbound_status_received', ['status', 'received_at'], unique=False)
        batch_op.create_index('ix_inbound_user_pending', ['user_ref', 'status', 'event_ts'], unique=False)

    op.create_table('outbox_messages',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('retry_key', sa.String(length=36), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('user_ref', sa.String(length=64), nullable=False),
    sa.Column('recipient', sa.String(length=255), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.Column('reply_token', sa.String(length=255), nullable=True),
    sa.Column('reply_token_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('source_event_id', ID, nullable=True),
    sa.ForeignKeyConstraint(['source_event_id'], ['inbound_events.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('retry_key')
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_outbox_user', ['user_ref', 'id'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_user')
        batch_op.drop_index('ix_outbox_due')

    op.drop_table('outbox_messages')
    with op.batch_alter_table('inbound_events', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_user_pending')
        batch_op.drop_index('ix_inbound_status_received')

    op.drop_table('inbound_events')
    op.drop_table('conversation_states')
