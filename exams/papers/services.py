"""Papers, blueprints and per-candidate paper generation (issue #4).

Services flush and never commit (STYLE R5).
"""

import hashlib
import random
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from exams.banks.models import KnowledgePoint, Question, QuestionVersion
from exams.papers.models import (
    ArrangementCandidate,
    BlueprintRule,
    CandidatePaper,
    ExamArrangement,
    Paper,
    PaperItem,
)
from portal import audit
from portal.auth.models import Role, User, UserRole
from portal.exceptions import InvalidState
from portal.extensions import db
from portal.notifications import events as notify_events
from portal.orgs.models import Domain, Organisation

CHOICE_TYPES = ("single", "multiple")


def rule_pool(rule):
    """Select the current versions a blueprint rule may draw from."""
    stmt = (
        sa.select(QuestionVersion)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .where(
            Question.is_active,
            Question.review_reason == "",
            QuestionVersion.type == rule.type,
            QuestionVersion.difficulty.between(
                rule.difficulty_min, rule.difficulty_max
            ),
        )
        .order_by(QuestionVersion.id)
    )
    if rule.bank_id:
        stmt = stmt.where(Question.bank_id == rule.bank_id)
    if rule.knowledge_point_id:
        point = db.session.get(KnowledgePoint, rule.knowledge_point_id)
        stmt = stmt.join(
            KnowledgePoint, QuestionVersion.knowledge_point_id == KnowledgePoint.id
        )
        stmt = stmt.where(
            sa.or_(
                KnowledgePoint.id == point.id,
                KnowledgePoint.path.startswith(point.path + "/", autoescape=True),
            )
        )
    return stmt


def validate_paper(paper):
    """Check a paper before it is used.

    Blueprint rules need a pool of at least ``pool_factor`` × the draw (exposure
    control) and rules are drawn without overlap; the scores must add up to the
    paper's total; the pass mark must not exceed it. Questions under 法条变更待复核
    are not drawn.

    :return: a list of Chinese error messages (empty = valid).
    """
    errors = []
    if paper.kind == "fixed":
        total = sum((item.score for item in paper.items), Decimal(0))
        if not paper.items:
            errors.append("固定试卷还没有试题")
    else:
        total = sum((rule.score_each * rule.count for rule in paper.rules), Decimal(0))
        if not paper.rules:
            errors.append("组卷规则为空")
        for rule in paper.rules:
            size = db.session.scalar(
                sa.select(sa.func.count()).select_from(rule_pool(rule).subquery())
            )
            needed = int((Decimal(rule.count) * paper.pool_factor).to_integral_value())
            if size < needed:
                errors.append(
                    f"规则{rule.position}：题库中符合条件的试题只有 {size} 道，"
                    f"抽 {rule.count} 道至少需要 {needed} 道（{paper.pool_factor} 倍）"
                )
    if total != paper.total_score:
        errors.append(
            f"各题分值合计 {total} 分，与试卷总分 {paper.total_score} 分不一致"
        )
    if paper.pass_mark > paper.total_score:
        errors.append("及格分不能高于总分")
    return errors


@dataclass(frozen=True)
class DrawnItem:
    version_id: int
    score: Decimal
    options: tuple[str, ...]  # displayed order of option letters (choice questions)


def draw(paper, seed, pools=None):
    """Draw one personal paper: questions, their order and option orders.

    Deterministic for a given ``seed`` and the same bank content.

    :param pools: optional ``{rule id: [versions]}`` loaded once by the caller when
        many papers are drawn (pre-generation); queried per rule otherwise.
    :return: a list of :class:`DrawnItem`.
    :raises InvalidState: a rule's pool is too small to draw from.
    """
    # Not for secrecy: a reproducible shuffle from a stored seed.
    rng = random.Random(seed)  # noqa: S311
    items = []
    if paper.kind == "fixed":
        items = [(item.version, item.score) for item in paper.items]
    else:
        taken = set()
        for rule in paper.rules:
            if pools:
                pool = pools[rule.id]
            else:
                pool = list(db.session.scalars(rule_pool(rule)))
            # Rules usually draw from disjoint pools (different types): filter only
            # when an earlier rule took questions this pool also holds.
            if taken and not taken.isdisjoint(v.id for v in pool):
                pool = [v for v in pool if v.id not in taken]
            if len(pool) < rule.count:
                raise InvalidState(f"规则{rule.position}的题目数量不足，无法抽题")
            for version in rng.sample(pool, rule.count):
                taken.add(version.id)
                items.append((version, rule.score_each))
    if paper.shuffle_questions:
        rng.shuffle(items)
    drawn = []
    for version, score in items:
        options = tuple(sorted((version.spec or {}).get("options", {})))
        if version.type in CHOICE_TYPES and paper.shuffle_options:
            options = tuple(rng.sample(options, len(options)))
        drawn.append(DrawnItem(version.id, score, options))
    return drawn


def candidate_seed(arrangement, user_id):
    """Reproducible per-candidate seed (arrangement seed × arrangement × user)."""
    raw = f"{arrangement.seed}:{arrangement.id}:{user_id}".encode()
    return hashlib.sha256(raw).hexdigest()[:32]


def generate_candidate_paper(arrangement, user_id):
    """Return the candidate's stored paper, generating it on first call (idempotent).

    Drawn versions are marked used, so later edits create new versions and this
    paper keeps the one it showed.
    """
    existing = db.session.scalar(
        sa.select(CandidatePaper).where(
            CandidatePaper.arrangement_id == arrangement.id,
            CandidatePaper.user_id == user_id,
        )
    )
    if existing is not None:
        return existing
    paper = _personal_paper(arrangement, user_id)
    try:
        with db.session.begin_nested():
            db.session.add(paper)
            db.session.flush()
    except IntegrityError:
        # A second tab of the same candidate generated it a moment ago (the same
        # seed draws the same paper): use theirs.
        return db.session.scalar(
            sa.select(CandidatePaper).where(
                CandidatePaper.arrangement_id == arrangement.id,
                CandidatePaper.user_id == user_id,
            )
        )
    _mark_used([item["version_id"] for item in paper.items])
    return paper


def _personal_paper(arrangement, user_id, pools=None):
    """Draw and build (not add) the stored paper of one candidate."""
    seed = candidate_seed(arrangement, user_id)
    drawn = draw(arrangement.paper, seed, pools)
    return CandidatePaper(
        arrangement_id=arrangement.id,
        user_id=user_id,
        seed=seed,
        items=[
            {
                "version_id": d.version_id,
                "score": str(d.score),
                "options": list(d.options),
            }
            for d in drawn
        ],
    )


def _mark_used(version_ids):
    if version_ids:
        db.session.execute(
            sa.update(QuestionVersion)
            .where(
                QuestionVersion.id.in_(version_ids), QuestionVersion.is_used.is_(False)
            )
            .values(is_used=True)
        )


def pregenerate(arrangement, actor):
    """Generate the personal papers of every eligible, non-exempt candidate.

    :return: the number of papers generated now (existing ones are kept).
    """
    have = set(
        db.session.scalars(
            sa.select(CandidatePaper.user_id).where(
                CandidatePaper.arrangement_id == arrangement.id
            )
        )
    )
    users = [
        c.user_id
        for c in arrangement.candidates
        if not c.is_exempt and c.user_id not in have
    ]
    paper = arrangement.paper
    pools = {rule.id: list(db.session.scalars(rule_pool(rule))) for rule in paper.rules}
    created = [_personal_paper(arrangement, user_id, pools) for user_id in users]
    db.session.add_all(created)
    _mark_used({item["version_id"] for paper in created for item in paper.items})
    db.session.flush()
    audit.record(
        "papers_pregenerated", actor, arrangement, after={"papers": len(created)}
    )
    return len(created)


def enrol_candidates(arrangement, *, organisation=None, roles=(), domains=(), users=()):
    """Add eligible candidates by organisation subtree, role, domain or a list.

    Filters combine (AND); an explicit ``users`` list is added as well.

    :return: the number of candidates added (existing ones are kept).
    """
    stmt = sa.select(User).where(User.is_active_account)
    if organisation is not None:
        stmt = stmt.join(Organisation, User.organisation_id == Organisation.id).where(
            Organisation.path.startswith(organisation.path, autoescape=True)
        )
    if roles:
        stmt = stmt.where(
            User.id.in_(
                sa.select(UserRole.user_id).where(
                    UserRole.role.in_([Role(r).value for r in roles])
                )
            )
        )
    if domains:
        wanted = [d.id for d in domains]
        stmt = stmt.where(User.domains.any(Domain.id.in_(wanted)))
    filtered = organisation is not None or roles or domains
    selected = list(db.session.scalars(stmt)) if filtered else []
    selected += list(users)
    have = {c.user_id for c in arrangement.candidates}
    added = 0
    for user in selected:
        if user.id not in have:
            arrangement.candidates.append(ArrangementCandidate(user_id=user.id))
            have.add(user.id)
            added += 1
    db.session.flush()
    notify_events.exam_scheduled(arrangement)
    return added


def adjust_candidate(
    arrangement, entry, actor, *, action, reason="", extra_minutes=0, makeup_until=None
):
    """Per-candidate adjustment (audited): 免考 with a reason, extra minutes, or a
    personal make-up deadline after the window.

    :raises InvalidState: a missing reason or a make-up deadline not after the window.
    """
    if action == "exempt":
        if not reason.strip():
            raise InvalidState("请填写免考理由")
        entry.is_exempt, entry.exempt_reason = True, reason.strip()
        after = {"exempt": reason.strip()}
    elif action == "extra":
        entry.extra_minutes = int(extra_minutes)
        after = {"extra_minutes": entry.extra_minutes}
    elif action == "makeup":
        if makeup_until is None or makeup_until <= arrangement.window_end:
            raise InvalidState("补考截止时间必须晚于考试结束时间")
        entry.makeup_until = makeup_until
        after = {"makeup_until": makeup_until.isoformat()}
    else:
        raise InvalidState("未知的调整类型")
    db.session.flush()
    audit.record(
        "candidate_adjusted",
        actor,
        arrangement,
        after={"user_id": entry.user_id, **after},
    )
    notify_events.candidate_adjusted(arrangement, entry, action)
    return entry


def exempt_candidate(arrangement, user, reason, actor):
    """Exempt a candidate (免考) with a reason (audited through
    :func:`adjust_candidate`)."""
    entry = next((c for c in arrangement.candidates if c.user_id == user.id), None)
    if entry is None:
        raise InvalidState("该人员不在本次考试名单中")
    return adjust_candidate(arrangement, entry, actor, action="exempt", reason=reason)


def may_take(arrangement, user_id, passed_arrangement_ids=frozenset()):
    """Whether a candidate may sit: enrolled, not exempt, and — for 资格-通用 —
    the prerequisite (资格-专门) passed."""
    entry = db.session.scalar(
        sa.select(ArrangementCandidate).where(
            ArrangementCandidate.arrangement_id == arrangement.id,
            ArrangementCandidate.user_id == user_id,
        )
    )
    if entry is None or entry.is_exempt:
        return False
    if (
        arrangement.prerequisite_id
        and arrangement.prerequisite_id not in passed_arrangement_ids
    ):
        return False
    return True


def add_fixed_items(paper, questions, score):
    """Add hand-picked questions (their current versions) to a fixed paper.

    :param questions: :class:`Question` objects.
    :param score: the score of each added question.
    :return: the number added (questions already on the paper are skipped).
    :raises InvalidState: the paper is not a fixed paper, or a question has no
        usable version.
    """
    if paper.kind != "fixed":
        raise InvalidState("只有固定试卷可以手工选题")
    have = {item.version.question_id for item in paper.items}
    added = 0
    for question in questions:
        if question.id in have:
            continue
        if question.current is None or not question.is_active:
            raise InvalidState(f"试题 {question.id} 不可用")
        paper.items.append(
            PaperItem(
                version=question.current, position=len(paper.items) + 1, score=score
            )
        )
        have.add(question.id)
        added += 1
    db.session.flush()
    return added


def create_blueprint_paper(
    name,
    rules,
    *,
    kind="blueprint",
    total=Decimal(100),
    pass_mark=Decimal(60),
    pool_factor=Decimal(2),
):
    """Create a paper: blueprint rules from dicts (bank_id, knowledge_point_id, type,
    difficulty_min, difficulty_max, count, score_each), or an empty fixed paper
    (``kind="fixed"``, questions added with :func:`add_fixed_items`)."""
    paper = Paper(
        name=name,
        kind=kind,
        total_score=total,
        pass_mark=pass_mark,
        pool_factor=pool_factor,
    )
    for position, rule in enumerate(rules, start=1):
        paper.rules.append(BlueprintRule(position=position, **rule))
    db.session.add(paper)
    db.session.flush()
    return paper


def create_arrangement(paper, **fields):
    """Create an exam arrangement; its random seed is fixed at creation."""
    arrangement = ExamArrangement(
        paper=paper, seed=random.SystemRandom().randrange(2**62), **fields
    )
    db.session.add(arrangement)
    db.session.flush()
    return arrangement
