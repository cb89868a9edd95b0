"""the confidential corruption track: integrity officers' keys, the office's receipt salt,
sealed reports with their keys, exclusions, additions, evidence and timeline, the
append-only audit chain and receipt-code attempts

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 03:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = sa.DateTime(timezone=True)

APPEND_ONLY_FUNCTION = """
CREATE FUNCTION integrity_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'integrity_audit is append-only: % refused', TG_OP;
END
$$
"""
APPEND_ONLY_TRIGGER = """
CREATE TRIGGER integrity_audit_append_only
BEFORE UPDATE OR DELETE ON integrity_audit
FOR EACH ROW EXECUTE FUNCTION integrity_audit_append_only()
"""


def _sealed_keys(table: str, owner: str, owner_table: str, index: str) -> None:
    op.create_table(
        table,
        sa.Column(owner, ID, nullable=False),
        sa.Column('officer_id', ID, nullable=False),
        sa.Column('sealed_key', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint([owner], [f'{owner_table}.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['officer_id'], ['integrity_officers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint(owner, 'officer_id'),
    )
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(index, ['officer_id'], unique=False)


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'integrity_officers',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('public_key', sa.LargeBinary(length=32), nullable=False),
        sa.Column('encrypted_private_key', sa.LargeBinary(length=80), nullable=False),
        sa.Column('salt', sa.LargeBinary(length=16), nullable=False),
        sa.Column('opslimit', sa.BigInteger(), nullable=False),
        sa.Column('memlimit', sa.BigInteger(), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    op.create_table(
        'integrity_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('receipt_salt', sa.LargeBinary(length=16), nullable=False),
        sa.Column('receipt_opslimit', sa.BigInteger(), nullable=False),
        sa.Column('receipt_memlimit', sa.BigInteger(), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'corruption_reports',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('receipt_hash', sa.LargeBinary(length=32), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('received_at', UTC, nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('extended_to', sa.Date(), nullable=True),
        sa.Column('status_changed_at', UTC, nullable=True),
        sa.Column('finished_at', UTC, nullable=True),
        sa.Column('ciphertext', sa.LargeBinary(), nullable=False),
        sa.Column('notify_ciphertext', sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('receipt_hash'),
    )
    with op.batch_alter_table('corruption_reports', schema=None) as batch_op:
        batch_op.create_index('ix_corruption_open_due', ['status', 'due_on'], unique=False)
        batch_op.create_index('ix_corruption_received', ['received_at'], unique=False)
    _sealed_keys(
        'corruption_report_keys', 'report_id', 'corruption_reports', 'ix_corruption_key_officer'
    )
    op.create_table(
        'corruption_exclusions',
        sa.Column('report_id', ID, nullable=False),
        sa.Column('officer_name', sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(['report_id'], ['corruption_reports.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('report_id', 'officer_name'),
    )
    op.create_table(
        'corruption_additions',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('report_id', ID, nullable=False),
        sa.Column('at', UTC, nullable=False),
        sa.Column('ciphertext', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['report_id'], ['corruption_reports.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('corruption_additions', schema=None) as batch_op:
        batch_op.create_index(
            'ix_corruption_addition_report', ['report_id', 'id'], unique=False
        )
    _sealed_keys(
        'corruption_addition_keys',
        'addition_id',
        'corruption_additions',
        'ix_corruption_addition_key_officer',
    )
    op.create_table(
        'corruption_evidence',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('draft_key', sa.String(length=64), nullable=False),
        sa.Column('report_id', ID, nullable=True),
        sa.Column('at', UTC, nullable=False),
        sa.Column('ciphertext', sa.LargeBinary(), nullable=False),
        sa.Column('content_type', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['report_id'], ['corruption_reports.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('draft_key'),
    )
    with op.batch_alter_table('corruption_evidence', schema=None) as batch_op:
        batch_op.create_index(
            'ix_corruption_evidence_report', ['report_id', 'at'], unique=False
        )
    _sealed_keys(
        'corruption_evidence_keys',
        'evidence_id',
        'corruption_evidence',
        'ix_corruption_evidence_key_officer',
    )
    op.create_table(
        'corruption_events',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('report_id', ID, nullable=False),
        sa.Column('at', UTC, nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('public_note', sa.Text(), nullable=False),
        sa.Column('internal_note_ciphertext', sa.LargeBinary(), nullable=True),
        sa.Column('expected_on', sa.Date(), nullable=True),
        sa.Column('actor_officer_id', ID, nullable=True),
        sa.ForeignKeyConstraint(['report_id'], ['corruption_reports.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(
            ['actor_officer_id'], ['integrity_officers.id'], ondelete='SET NULL'
        ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('corruption_events', schema=None) as batch_op:
        batch_op.create_index('ix_corruption_event_report', ['report_id', 'id'], unique=False)
    op.create_table(
        'integrity_audit',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('at', UTC, nullable=False),
        sa.Column('officer_name', sa.String(length=80), nullable=False),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('report_id', sa.BigInteger(), nullable=True),
        sa.Column('detail', sa.String(length=200), nullable=False),
        sa.Column('prev_hash', sa.LargeBinary(length=32), nullable=False),
        sa.Column('hash', sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('prev_hash'),
    )
    with op.batch_alter_table('integrity_audit', schema=None) as batch_op:
        batch_op.create_index('ix_integrity_audit_report', ['report_id'], unique=False)
    op.create_table(
        'integrity_attempts',
        sa.Column('user_ref', sa.String(length=64), nullable=False),
        sa.Column('window_start', UTC, nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('user_ref'),
    )
    with op.batch_alter_table('integrity_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_integrity_attempt_window', ['window_start'], unique=False)
    if op.get_context().dialect.name == 'postgresql':
        op.execute(APPEND_ONLY_FUNCTION)
        op.execute(APPEND_ONLY_TRIGGER)


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_context().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS integrity_audit_append_only ON integrity_audit')
        op.execute('DROP FUNCTION IF EXISTS integrity_audit_append_only()')
    for table in (
        'integrity_attempts',
        'integrity_audit',
        'corruption_events',
        'corruption_evidence_keys',
        'corruption_evidence',
        'corruption_addition_keys',
        'corruption_additions',
        'corruption_exclusions',
        'corruption_report_keys',
        'corruption_reports',
        'integrity_settings',
        'integrity_officers',
    ):
        op.drop_table(table)
