"""shared-helpers: one document_counters table for every document number

The 监督意见书 yearly counter (opinion_counters) and the 受理编号 daily counter
(suggestion_counters) become rows of document_counters (kind, period); their last
values are copied, so numbering goes on where it stopped. Certificates draw from
the same table (kind ``certificate:<prefix>``); their existing numbers are the
floor the service passes, so no rows are needed for them here.

Revision ID: 5a1c0e7d9b23
Revises: 701539981dc5
Create Date: 2026-12-07 01:40:00.000000

"""
from datetime import date

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5a1c0e7d9b23'
down_revision = '701539981dc5'
branch_labels = None
depends_on = None

counters = sa.table(
    'document_counters',
    sa.column('kind', sa.String),
    sa.column('period', sa.String),
    sa.column('last_value', sa.Integer),
)


def upgrade():
    op.create_table(
        'document_counters',
        sa.Column('kind', sa.String(length=64), nullable=False),
        sa.Column('period', sa.String(length=16), nullable=False),
        sa.Column('last_value', sa.Integer(), nullable=False),
        sa.CheckConstraint(
            'last_value > 0', name=op.f('ck_document_counters_last_positive')
        ),
        sa.PrimaryKeyConstraint('kind', 'period', name=op.f('pk_document_counters')),
    )
    bind = op.get_bind()
    rows = [
        {'kind': 'opinion', 'period': str(year), 'last_value': value}
        for year, value in bind.execute(
            sa.text('SELECT year, last_value FROM opinion_counters')
        )
    ]
    for day, value in bind.execute(
        sa.text('SELECT day, last_value FROM suggestion_counters')
    ):
        if isinstance(day, str):  # SQLite returns the stored text
            day = date.fromisoformat(day)
        rows.append(
            {'kind': 'suggestion', 'period': f'{day:%Y%m%d}', 'last_value': value}
        )
    if rows:
        op.bulk_insert(counters, rows)
    op.drop_table('opinion_counters')
    op.drop_table('suggestion_counters')


def downgrade():
    op.create_table(
        'suggestion_counters',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('last_value', sa.Integer(), nullable=False),
        sa.CheckConstraint(
            'last_value > 0', name=op.f('ck_suggestion_counters_last_positive')
        ),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_suggestion_counters')),
    )
    op.create_table(
        'opinion_counters',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('last_value', sa.Integer(), nullable=False),
        sa.CheckConstraint(
            'last_value > 0', name=op.f('ck_opinion_counters_last_positive')
        ),
        sa.PrimaryKeyConstraint('year', name=op.f('pk_opinion_counters')),
    )
    bind = op.get_bind()
    opinions, suggestions = [], []
    for kind, period, value in bind.execute(
        sa.text('SELECT kind, period, last_value FROM document_counters')
    ):
        if kind == 'opinion':
            opinions.append({'year': int(period), 'last_value': value})
        elif kind == 'suggestion':
            day = date(int(period[:4]), int(period[4:6]), int(period[6:]))
            suggestions.append({'day': day, 'last_value': value})
    if opinions:
        op.bulk_insert(
            sa.table('opinion_counters', sa.column('year', sa.Integer),
                     sa.column('last_value', sa.Integer)),
            opinions,
        )
    if suggestions:
        op.bulk_insert(
            sa.table('suggestion_counters', sa.column('day', sa.Date),
                     sa.column('last_value', sa.Integer)),
            suggestions,
        )
    op.drop_table('document_counters')
