"""Reads for the results screens: the counted attempt per candidate of an
arrangement (exams.results.definition) as item-analysis input, and the latest item
statistics of a bank."""

import sqlalchemy as sa

from exams.attempts.models import Attempt
from exams.banks.models import Question, QuestionVersion
from exams.papers.models import BlueprintRule, ExamArrangement, Paper, PaperItem
from exams.results.analysis import (
    CandidateResult,
    ItemResponse,
    screen_statistics,
)
from exams.results.definition import counted_attempts
from portal.extensions import db


def analysis_min_n():
    """Minimum answers per item before difficulty flags (EXAM_ANALYSIS_MIN_N)."""
    from flask import current_app

    from exams.results.analysis import DEFAULT_MIN_N

    return int(current_app.config.get("EXAM_ANALYSIS_MIN_N", DEFAULT_MIN_N))


def arrangement_results(arrangement):
    """Graded results of an arrangement for item analysis: the counted attempt of
    each candidate (the same one the report and certificates use), items keyed by
    question id.

    :return: (list of :class:`exams.results.analysis.CandidateResult`,
        {question id: [option letters]}).
    """
    latest = counted_attempts(arrangement)
    versions = {}
    results, options = [], {}
    for attempt in latest.values():
        answers = {a.position: a for a in attempt.answers}
        items = {}
        for position, item in enumerate(attempt.candidate_paper.items):
            version_id = item["version_id"]
            if version_id not in versions:
                versions[version_id] = db.session.get(QuestionVersion, version_id)
            version = versions[version_id]
            answer = answers.get(position)
            response = answer.response if answer is not None else None
            choice = ()
            if version.type in ("single", "multiple") and isinstance(response, list):
                choice = tuple(str(letter) for letter in response)
                options[version.question_id] = sorted(version.spec.get("options", {}))
            items[str(version.question_id)] = ItemResponse(
                score=float(answer.score or 0) if answer is not None else 0.0,
                max_score=float(item["score"]),
                choice=choice,
            )
        results.append(
            CandidateResult(
                candidate=str(attempt.user_id), total=attempt.score, items=items
            )
        )
    return results, {str(k): v for k, v in options.items()}


def latest_item_stats(bank):
    """Item statistics of the bank's questions from the most recent arrangement
    that drew from the bank and has graded attempts.

    :return: ({question id (str): ItemStats}, the arrangement or None).
    """
    uses_bank = sa.or_(
        Paper.id.in_(
            sa.select(BlueprintRule.paper_id).where(BlueprintRule.bank_id == bank.id)
        ),
        Paper.id.in_(
            sa.select(PaperItem.paper_id)
            .join(QuestionVersion, PaperItem.question_version_id == QuestionVersion.id)
            .join(Question, QuestionVersion.question_id == Question.id)
            .where(Question.bank_id == bank.id)
        ),
    )
    arrangement = db.session.scalar(
        sa.select(ExamArrangement)
        .join(Paper, ExamArrangement.paper_id == Paper.id)
        .where(
            uses_bank,
            ExamArrangement.id.in_(
                sa.select(Attempt.arrangement_id).where(Attempt.status == "graded")
            ),
        )
        .order_by(ExamArrangement.window_end.desc())
        .limit(1)
    )
    if arrangement is None:
        return {}, None
    results, options = arrangement_results(arrangement)
    return screen_statistics(results, options, analysis_min_n()), arrangement
