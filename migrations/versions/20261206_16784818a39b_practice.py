"""practice: sessions, answer log, 错题本; question_banks.is_practice_open

Revision ID: 16784818a39b
Revises: da7e110872c9
Create Date: 2026-12-06 12:46:33.125989

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '16784818a39b'
down_revision = 'da7e110872c9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('practice_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("(status = 'in_progress') = (finished_at IS NULL)", name=op.f('ck_practice_sessions_finished_at_set')),
    sa.CheckConstraint("mode IN ('knowledge_point', 'random', 'mistakes', 'weak')", name=op.f('ck_practice_sessions_mode_valid')),
    sa.CheckConstraint("status IN ('in_progress', 'finished')", name=op.f('ck_practice_sessions_status_valid')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_practice_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_sessions'))
    )
    with op.batch_alter_table('practice_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('mistake_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('wrong_count', sa.Integer(), nullable=False),
    sa.Column('last_wrong_at', sa.DateTime(), nullable=False),
    sa.Column('correct_streak', sa.Integer(), nullable=False),
    sa.Column('mastered_at', sa.DateTime(), nullable=True),
    sa.Column('key_visible', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("source IN ('practice', 'exam')", name=op.f('ck_mistake_entries_source_valid')),
    sa.CheckConstraint('correct_streak >= 0', name=op.f('ck_mistake_entries_streak_valid')),
    sa.CheckConstraint('wrong_count >= 1', name=op.f('ck_mistake_entries_wrong_count_positive')),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_mistake_entries_question_id_questions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mistake_entries_user_id_users')),
    sa.ForeignKeyConstraint(['version_id'], ['question_versions.id'], name=op.f('fk_mistake_entries_version_id_question_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mistake_entries')),
    sa.UniqueConstraint('user_id', 'question_id', name=op.f('uq_mistake_entries_user_id'))
    )
    with op.batch_alter_table('mistake_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mistake_entries_user_id'), ['user_id'], unique=False)

    op.create_table('answer_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('knowledge_point_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=True),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('feedback', sa.String(length=200), nullable=False),
    sa.Column('key_shown', sa.Boolean(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(source = 'exam') = (attempt_id IS NOT NULL)", name=op.f('ck_answer_records_exam_attempt')),
    sa.CheckConstraint("(source = 'practice') = (session_id IS NOT NULL)", name=op.f('ck_answer_records_practice_session')),
    sa.CheckConstraint("source IN ('practice', 'exam')", name=op.f('ck_answer_records_source_valid')),
    sa.CheckConstraint('position >= 0', name=op.f('ck_answer_records_position_valid')),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_answer_records_attempt_id_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['knowledge_point_id'], ['knowledge_points.id'], name=op.f('fk_answer_records_knowledge_point_id_knowledge_points')),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_answer_records_question_id_questions')),
    sa.ForeignKeyConstraint(['session_id'], ['practice_sessions.id'], name=op.f('fk_answer_records_session_id_practice_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_answer_records_user_id_users')),
    sa.ForeignKeyConstraint(['version_id'], ['question_versions.id'], name=op.f('fk_answer_records_version_id_question_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_records')),
    sa.UniqueConstraint('attempt_id', 'position', name=op.f('uq_answer_records_attempt_id')),
    sa.UniqueConstraint('session_id', 'position', name=op.f('uq_answer_records_session_id'))
    )
    with op.batch_alter_table('answer_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_records_attempt_id'), ['attempt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_records_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_records_session_id'), ['session_id'], unique=False)
        batch_op.create_index('ix_answer_records_user_answered', ['user_id', 'answered_at'], unique=False)

    with op.batch_alter_table('question_banks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_practice_open', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('question_banks', schema=None) as batch_op:
        batch_op.alter_column('is_practice_open', server_default=None)



def downgrade():
    with op.batch_alter_table('question_banks', schema=None) as batch_op:
        batch_op.drop_column('is_practice_open')

    with op.batch_alter_table('answer_records', schema=None) as batch_op:
        batch_op.drop_index('ix_answer_records_user_answered')
        batch_op.drop_index(batch_op.f('ix_answer_records_session_id'))
        batch_op.drop_index(batch_op.f('ix_answer_records_question_id'))
        batch_op.drop_index(batch_op.f('ix_answer_records_attempt_id'))

    op.drop_table('answer_records')
    with op.batch_alter_table('mistake_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mistake_entries_user_id'))

    op.drop_table('mistake_entries')
    with op.batch_alter_table('practice_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_sessions_user_id'))

    op.drop_table('practice_sessions')
