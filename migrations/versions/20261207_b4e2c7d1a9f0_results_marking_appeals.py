"""results (issue #12): result policy, 双评 settings and appeal period on
arrangements; answer_marks; result_appeals; training progress page id and video
watched ranges

Revision ID: b4e2c7d1a9f0
Revises: e17a9c3b5d21
Create Date: 2026-12-07 04:20:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b4e2c7d1a9f0"
down_revision = "e17a9c3b5d21"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("exam_arrangements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "result_policy",
                sa.String(length=8),
                server_default="best",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "double_marking",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "marking_tolerance",
                sa.Numeric(precision=6, scale=2),
                server_default="2",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("appeal_days", sa.Integer(), server_default="7", nullable=False)
        )
        batch_op.create_check_constraint(
            "result_policy_valid", "result_policy IN ('best', 'last', 'first')"
        )
        batch_op.create_check_constraint("marking_tolerance", "marking_tolerance >= 0")
        batch_op.create_check_constraint("appeal_days", "appeal_days >= 0")

    op.create_table(
        "result_appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("arrangement_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("score_before", sa.Numeric(precision=7, scale=2), nullable=True),
        sa.Column("score_after", sa.Numeric(precision=7, scale=2), nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'resolved', 'rejected')",
            name=op.f("ck_result_appeals_status_valid"),
        ),
        sa.CheckConstraint(
            "status <> 'rejected' OR decision_reason <> ''",
            name=op.f("ck_result_appeals_reject_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["arrangement_id"],
            ["exam_arrangements.id"],
            name=op.f("fk_result_appeals_arrangement_id_exam_arrangements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["attempts.id"],
            name=op.f("fk_result_appeals_attempt_id_attempts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_result_appeals_decided_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_result_appeals_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_appeals")),
        sa.UniqueConstraint("attempt_id", name=op.f("uq_result_appeals_attempt_id")),
    )
    with op.batch_alter_table("result_appeals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_result_appeals_arrangement_id"),
            ["arrangement_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_result_appeals_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "answer_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("marker_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("comment", sa.String(length=200), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('first', 'second', 'arbitration', 'revision', 'review')",
            name=op.f("ck_answer_marks_kind_valid"),
        ),
        sa.CheckConstraint("score >= 0", name=op.f("ck_answer_marks_score_positive")),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["answers.id"],
            name=op.f("fk_answer_marks_answer_id_answers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["result_appeals.id"],
            name=op.f("fk_answer_marks_appeal_id_result_appeals"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["marker_id"], ["users.id"], name=op.f("fk_answer_marks_marker_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_marks")),
    )
    with op.batch_alter_table("answer_marks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_answer_marks_answer_id"), ["answer_id"], unique=False
        )
    with op.batch_alter_table("training_material_progress", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("position", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("watched", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("training_material_progress", schema=None) as batch_op:
        batch_op.drop_column("watched")
        batch_op.drop_column("position")
        batch_op.drop_column("client")
    with op.batch_alter_table("answer_marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_marks_answer_id"))
    op.drop_table("answer_marks")
    with op.batch_alter_table("result_appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_result_appeals_user_id"))
        batch_op.drop_index(batch_op.f("ix_result_appeals_arrangement_id"))
    op.drop_table("result_appeals")
    with op.batch_alter_table("exam_arrangements", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_exam_arrangements_appeal_days"), type_="check"
        )
        batch_op.drop_constraint(
            batch_op.f("ck_exam_arrangements_marking_tolerance"), type_="check"
        )
        batch_op.drop_constraint(
            batch_op.f("ck_exam_arrangements_result_policy_valid"), type_="check"
        )
        batch_op.drop_column("appeal_days")
        batch_op.drop_column("marking_tolerance")
        batch_op.drop_column("double_marking")
        batch_op.drop_column("result_policy")
