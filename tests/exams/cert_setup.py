"""Building the qualification path and 年度审验 out of real banks, papers,
arrangements and attempts (shared by the certificate tests)."""

import itertools
from datetime import timedelta
from decimal import Decimal

from exams.attempts.services import save_answer, start_attempt, submit_attempt
from exams.banks.services import commit_import, ensure_bank, plan_import
from exams.formats.model import ImportedQuestion, ImportResult
from exams.papers.services import (
    create_arrangement,
    create_blueprint_paper,
    enrol_candidates,
)
from portal.actor import Actor
from portal.extensions import db

_serial = itertools.count(1)


def one_question_paper(label):
    """A paper of one 判断题 worth 100 points (pass mark 60) in its own bank, so a
    key correction touches only this paper. Returns (paper, question)."""
    bank = ensure_bank(f"CERT{next(_serial)}", f"{label}题库")
    row = ImportedQuestion(
        type="true_false", stem=f"{label}：行政处罚应当公开。", key=["对"], source="t"
    )
    plan = plan_import(ImportResult(questions=[row], format="xlsx"), bank)
    (question,) = commit_import(plan, bank, Actor.system())
    paper = create_blueprint_paper(
        f"{label}试卷",
        [
            {
                "bank_id": bank.id,
                "type": "true_false",
                "count": 1,
                "score_each": Decimal(100),
            }
        ],
        pool_factor=Decimal(1),
    )
    return paper, question


def arrangement(kind, users, start, *, name=None, prerequisite=None, hours=8, **kw):
    """An arrangement of ``kind`` open from ``start`` for ``hours`` with ``users``
    enrolled; results released immediately unless ``release_policy`` is given."""
    paper, question = one_question_paper(name or kind)
    fields = {
        "name": name or kind,
        "kind": kind,
        "window_start": start,
        "window_end": start + timedelta(hours=hours),
        "duration_minutes": 60,
        "attempts_allowed": 1,
        "makeup_attempts": 1,
        "release_policy": "immediate",
        "prerequisite_id": prerequisite.id if prerequisite is not None else None,
    }
    fields.update(kw)
    result = create_arrangement(paper, **fields)
    result.question = question
    enrol_candidates(result, users=users)
    db.session.flush()
    return result


def sit(exam, user, now, *, good=True):
    """Start, answer (right or wrong) and submit; return the graded attempt."""
    attempt = start_attempt(exam, user, now)
    save_answer(attempt, 0, ["对"] if good else ["错"], seq=1, now=now)
    submit_attempt(attempt, now + timedelta(minutes=5))
    db.session.flush()
    return attempt


def qualification_path(users, start, **general_fields):
    """资格考试: 专门 then 通用 (its prerequisite), both for ``users``."""
    special = arrangement("qual_special", users, start, name="专门法律知识考试")
    general = arrangement(
        "qual_general",
        users,
        start + timedelta(days=1),
        name="通用法律知识考试",
        prerequisite=special,
        **general_fields,
    )
    return special, general


def qualify(user, start, *, users=None, **general_fields):
    """Run ``user`` through the whole path (passing both); return the 通用 attempt."""
    special, general = qualification_path(users or [user], start, **general_fields)
    sit(special, user, start + timedelta(minutes=10))
    return sit(general, user, start + timedelta(days=1, minutes=10))
