"""Papers, blueprints and per-candidate paper generation (issue #4).

Services flush and never commit (STYLE R5).
"""

import hashlib
import random
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from exams.banks.models import TYPE_LABELS, KnowledgePoint, Question, QuestionVersion
from exams.papers.models import (
    MULTIPLE_POLICIES,
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


TYPE_ORDER = {t: i for i, t in enumerate(TYPE_LABELS)}


def draw(paper, seed, pools=None, avoid=frozenset()):
    """Draw one personal paper: questions, their order and option orders.

    Deterministic for a given ``seed`` and the same bank content. Questions come
    grouped by type in the bank's order of types (单选, 多选, 判断, 填空, 简答,
    案例); inside a type a blueprint paper's order is shuffled (when the paper
    shuffles) and a fixed paper keeps the administrator's order.

    :param pools: optional ``{rule id: [versions]}`` loaded once by the caller when
        many papers are drawn (pre-generation); queried per rule otherwise.
    :param avoid: version ids of the candidate's earlier sittings: a 补考 draws
        other questions where the rule's pool allows, and repeats only what it
        must (fewest possible).
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
            chosen = _sample_avoiding(rng, pool, rule.count, avoid)
            for version in chosen:
                taken.add(version.id)
                items.append((version, rule.score_each))
        if paper.shuffle_questions:
            rng.shuffle(items)
    # Sections by type (stable: the order inside a type is kept).
    items.sort(key=lambda pair: TYPE_ORDER.get(pair[0].type, len(TYPE_ORDER)))
    drawn = []
    for version, score in items:
        options = tuple(sorted((version.spec or {}).get("options", {})))
        if version.type in CHOICE_TYPES and paper.shuffle_options:
            options = tuple(rng.sample(options, len(options)))
        drawn.append(DrawnItem(version.id, score, options))
    return drawn


def _sample_avoiding(rng, pool, count, avoid):
    """``count`` versions of ``pool``: new ones first, earlier ones only to fill."""
    if not avoid:
        return rng.sample(pool, count)
    fresh = [v for v in pool if v.id not in avoid]
    if len(fresh) >= count:
        return rng.sample(fresh, count)
    seen = [v for v in pool if v.id in avoid]
    return fresh + rng.sample(seen, count - len(fresh))


@dataclass(frozen=True)
class Section:
    """A heading of a paper (一、单项选择题) and the positions under it."""

    number: str
    title: str
    type: str
    count: int
    score: Decimal


SECTION_TITLES = {
    "single": "单项选择题",
    "multiple": "多项选择题",
    "true_false": "判断题",
    "fill_blank": "填空题",
    "essay": "简答题",
    "case": "案例分析题",
}
CHINESE_NUMERALS = "一二三四五六七八九十"


def sections(types_and_scores):
    """Section headings for a sequence of ``(type, score)`` in paper order.

    :return: ``{first position of a section: Section}`` (a template prints the
        heading before that position).
    """
    starts, order = {}, []
    for position, (qtype, score) in enumerate(types_and_scores):
        if not order or order[-1][0] != qtype:
            order.append([qtype, position, 0, Decimal(0)])
        order[-1][2] += 1
        order[-1][3] += Decimal(score)
    for index, (qtype, first, count, total) in enumerate(order):
        number = CHINESE_NUMERALS[index] if index < 10 else str(index + 1)
        starts[first] = Section(
            number, SECTION_TITLES.get(qtype, qtype), qtype, count, total
        )
    return starts


def candidate_seed(arrangement, user_id, sitting=1):
    """Reproducible per-candidate seed (arrangement seed × arrangement × user ×
    sitting; the first sitting keeps the seed papers always had)."""
    raw = f"{arrangement.seed}:{arrangement.id}:{user_id}"
    if sitting > 1:
        raw += f":{sitting}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _stored_paper(arrangement_id, user_id, sitting):
    return db.session.scalar(
        sa.select(CandidatePaper).where(
            CandidatePaper.arrangement_id == arrangement_id,
            CandidatePaper.user_id == user_id,
            CandidatePaper.sitting == sitting,
        )
    )


def generate_candidate_paper(arrangement, user_id, sitting=1):
    """Return the candidate's stored paper of a sitting, generating it on first
    call (idempotent).

    A later sitting (补考) avoids the questions of the candidate's earlier papers
    where the pool allows; ``repeated`` counts those it had to reuse (a fixed
    paper repeats every item). Drawn versions are marked used, so later edits
    create new versions and this paper keeps the one it showed.
    """
    existing = _stored_paper(arrangement.id, user_id, sitting)
    if existing is not None:
        return existing
    avoid = set()
    if sitting > 1:
        for earlier in db.session.scalars(
            sa.select(CandidatePaper.items).where(
                CandidatePaper.arrangement_id == arrangement.id,
                CandidatePaper.user_id == user_id,
                CandidatePaper.sitting < sitting,
            )
        ):
            avoid.update(item["version_id"] for item in earlier)
    paper = _personal_paper(arrangement, user_id, sitting=sitting, avoid=avoid)
    try:
        with db.session.begin_nested():
            db.session.add(paper)
            db.session.flush()
    except IntegrityError:
        # A second tab of the same candidate generated it a moment ago (the same
        # seed draws the same paper): use theirs.
        return _stored_paper(arrangement.id, user_id, sitting)
    _mark_used([item["version_id"] for item in paper.items])
    return paper


def _personal_paper(arrangement, user_id, pools=None, sitting=1, avoid=frozenset()):
    """Draw and build (not add) the stored paper of one candidate's sitting."""
    seed = candidate_seed(arrangement, user_id, sitting)
    drawn = draw(arrangement.paper, seed, pools, avoid=avoid)
    return CandidatePaper(
        arrangement_id=arrangement.id,
        user_id=user_id,
        sitting=sitting,
        repeated=sum(1 for d in drawn if d.version_id in avoid),
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
                CandidatePaper.arrangement_id == arrangement.id,
                CandidatePaper.sitting == 1,
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
    if arrangement.status == "published":  # a draft tells nobody yet
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
    ensure_editable(paper)
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


# Changing papers (issue #12) ------------------------------------------------------
#
# A paper is *used* once any personal paper has been drawn from it (by
# pre-generation or by a candidate's start): from then on its rules, items and
# settings are what those candidates sat, and results, item analysis and
# certificates refer to them. A used paper is therefore never changed; it is
# copied (复制为新试卷) and the copy is edited. An arrangement that has not drawn
# any paper yet may still switch papers by being re-created.

PAPER_SETTINGS = ("name", "total_score", "pass_mark", "pool_factor", "multiple_policy")


def paper_used(paper):
    """Whether any personal paper was drawn from ``paper``."""
    return (
        db.session.scalar(
            sa.select(CandidatePaper.id)
            .join(ExamArrangement, CandidatePaper.arrangement_id == ExamArrangement.id)
            .where(ExamArrangement.paper_id == paper.id)
            .limit(1)
        )
        is not None
    )


USED_REFUSAL = "试卷已被使用（已生成考生试卷），不能再修改；请“复制为新试卷”后修改副本"


def ensure_editable(paper):
    """:raises InvalidState: the paper is used (with the Chinese reason)."""
    if paper_used(paper):
        raise InvalidState(USED_REFUSAL)


def update_paper_settings(paper, actor, **fields):
    """Change name, total, pass mark, pool factor or 多选 policy (audited).

    :raises InvalidState: the paper is used, or the pass mark exceeds the total.
    """
    ensure_editable(paper)
    unknown = set(fields) - set(PAPER_SETTINGS)
    if unknown:
        raise InvalidState("不能修改这些项目：" + "、".join(sorted(unknown)))
    total = fields.get("total_score", paper.total_score)
    if fields.get("pass_mark", paper.pass_mark) > total:
        raise InvalidState("及格分不能高于总分")
    if fields.get("multiple_policy", paper.multiple_policy) not in MULTIPLE_POLICIES:
        raise InvalidState("多选题计分方式无效")
    before = {k: str(getattr(paper, k)) for k in fields}
    for name, value in fields.items():
        setattr(paper, name, value)
    db.session.flush()
    after = {k: str(getattr(paper, k)) for k in fields}
    changed = [k for k in fields if before[k] != after[k]]
    if changed:
        audit.record(
            "paper_edited",
            actor,
            paper,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return changed


RULE_FIELDS = (
    "bank_id",
    "knowledge_point_id",
    "type",
    "difficulty_min",
    "difficulty_max",
    "count",
    "score_each",
)


def _rule_dict(rule):
    return {k: str(getattr(rule, k)) for k in RULE_FIELDS}


def add_rule(paper, actor, **fields):
    """Add a blueprint rule (audited). :raises InvalidState: used or invalid."""
    ensure_editable(paper)
    if paper.kind != "blueprint":
        raise InvalidState("只有随机抽题试卷有组卷规则")
    _check_rule(fields)
    rule = BlueprintRule(position=len(paper.rules) + 1, **fields)
    paper.rules.append(rule)
    db.session.flush()
    audit.record("paper_edited", actor, paper, after={"添加规则": _rule_dict(rule)})
    return rule


def _check_rule(fields):
    low, high = fields.get("difficulty_min", 1), fields.get("difficulty_max", 5)
    if low > high:
        raise InvalidState("难度上限不能低于下限")
    if fields.get("count", 1) < 1:
        raise InvalidState("抽题数至少为 1")
    if fields.get("score_each", 1) <= 0:
        raise InvalidState("每题分值必须大于 0")


def update_rule(paper, rule, actor, **fields):
    """Change a blueprint rule (audited). :raises InvalidState: used or invalid."""
    ensure_editable(paper)
    if rule.paper_id != paper.id:
        raise InvalidState("规则不属于该试卷")
    merged = {k: getattr(rule, k) for k in RULE_FIELDS} | fields
    _check_rule(merged)
    before = _rule_dict(rule)
    for name, value in fields.items():
        setattr(rule, name, value)
    db.session.flush()
    audit.record(
        "paper_edited",
        actor,
        paper,
        before={f"规则{rule.position}": before},
        after={f"规则{rule.position}": _rule_dict(rule)},
    )
    return rule


def remove_rule(paper, rule, actor):
    """Remove a blueprint rule and renumber the rest (audited)."""
    ensure_editable(paper)
    if rule.paper_id != paper.id:
        raise InvalidState("规则不属于该试卷")
    before = _rule_dict(rule)
    paper.rules.remove(rule)
    for position, other in enumerate(paper.rules, start=1):
        other.position = position
    db.session.flush()
    audit.record("paper_edited", actor, paper, before={"删除规则": before})


def move_item(paper, item, delta, actor):
    """Move a fixed paper's question up (-1) or down (+1) (audited)."""
    ensure_editable(paper)
    items = list(paper.items)
    index = next((i for i, it in enumerate(items) if it.id == item.id), None)
    if index is None:
        raise InvalidState("试题不在该试卷中")
    target = index + delta
    if not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    _renumber(paper, items)
    audit.record(
        "paper_edited",
        actor,
        paper,
        after={"调整顺序": f"试题 {item.version.question_id} 移至第 {target + 1} 位"},
    )
    return True


def _renumber(paper, items):
    # Positions are not unique in the schema; two passes keep it simple anyway.
    for position, it in enumerate(items, start=1):
        it.position = position
    db.session.flush()
    db.session.expire(paper, ["items"])


def remove_item(paper, item, actor):
    """Remove a question from a fixed paper and renumber the rest (audited)."""
    ensure_editable(paper)
    if item.paper_id != paper.id:
        raise InvalidState("试题不在该试卷中")
    question_id = item.version.question_id
    items = [it for it in paper.items if it.id != item.id]
    paper.items.remove(item)
    db.session.flush()
    _renumber(paper, items)
    audit.record("paper_edited", actor, paper, before={"移除试题": question_id})


def copy_paper(paper, actor, name=None):
    """复制为新试卷: settings, rules and items (same versions), unused (audited)."""
    copy = Paper(
        name=(name or f"{paper.name}（副本）")[:200],
        kind=paper.kind,
        total_score=paper.total_score,
        pass_mark=paper.pass_mark,
        pool_factor=paper.pool_factor,
        multiple_policy=paper.multiple_policy,
        shuffle_questions=paper.shuffle_questions,
        shuffle_options=paper.shuffle_options,
        organisation_id=paper.organisation_id,
    )
    for rule in paper.rules:
        copy.rules.append(
            BlueprintRule(
                position=rule.position, **{k: getattr(rule, k) for k in RULE_FIELDS}
            )
        )
    for item in paper.items:
        copy.items.append(
            PaperItem(
                question_version_id=item.question_version_id,
                position=item.position,
                score=item.score,
            )
        )
    db.session.add(copy)
    db.session.flush()
    audit.record(
        "paper_copied", actor, copy, label=copy.name, after={"来源试卷": paper.id}
    )
    return copy


def search_questions(bank_ids, *, bank_id=None, qtype=None, point_id=None, text=""):
    """Active questions (current versions) for picking into a fixed paper.

    :param bank_ids: the banks the administrator may use (a ``Select`` or list).
    :return: a ``Select`` of ``(Question, QuestionVersion)``, newest first.
    """
    stmt = (
        sa.select(Question, QuestionVersion)
        .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .where(Question.is_active, Question.bank_id.in_(bank_ids))
        .order_by(Question.id.desc())
    )
    if bank_id:
        stmt = stmt.where(Question.bank_id == bank_id)
    if qtype:
        stmt = stmt.where(QuestionVersion.type == qtype)
    if point_id:
        point = db.session.get(KnowledgePoint, point_id)
        if point is not None:
            stmt = stmt.join(
                KnowledgePoint, QuestionVersion.knowledge_point_id == KnowledgePoint.id
            ).where(
                sa.or_(
                    KnowledgePoint.id == point.id,
                    KnowledgePoint.path.startswith(point.path + "/", autoescape=True),
                )
            )
    text = (text or "").strip()
    if text:
        if text.isdigit():
            stmt = stmt.where(
                sa.or_(
                    Question.id == int(text),
                    QuestionVersion.stem.contains(text, autoescape=True),
                )
            )
        else:
            stmt = stmt.where(QuestionVersion.stem.contains(text, autoescape=True))
    return stmt
