"""The knowledge-point tree: create, rename, move, merge, retire (audited).

The tree is global (one tree shared by every bank, as imports and blueprint rules
name points by path). ``path`` is denormalised (names from the root joined by
"/"), so a rename or move rewrites the paths of the whole subtree. Services flush,
never commit.
"""

import re

import sqlalchemy as sa

from exams.banks.models import KnowledgePoint, QuestionVersion
from portal import audit
from portal.exceptions import InvalidState, ValidationFailed
from portal.extensions import db

_BAD_NAME = re.compile(r"[/›＞>\\]")


def clean_name(name):
    """A point name: stripped, no path separators, 1–100 characters."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("知识点名称不能为空")
    if _BAD_NAME.search(name):
        raise ValidationFailed("知识点名称不能包含 / 或 ›（层级请用“上级知识点”选择）")
    if len(name) > 100:
        raise ValidationFailed("知识点名称最多 100 个字")
    return name


def normalise_path(path):
    """ "公共法律知识 › 行政处罚法" → "公共法律知识/行政处罚法"."""
    path = re.sub(r"[›＞>／\\»]", "/", path or "")
    return "/".join(part.strip() for part in path.split("/") if part.strip())


def by_path(path):
    return db.session.scalar(
        sa.select(KnowledgePoint).where(KnowledgePoint.path == normalise_path(path))
    )


def children(point):
    return db.session.scalars(
        sa.select(KnowledgePoint)
        .where(KnowledgePoint.parent_id == point.id)
        .order_by(KnowledgePoint.name)
    ).all()


def _path_for(name, parent):
    return f"{parent.path}/{name}" if parent else name


def _check_free(path, point=None):
    other = by_path(path)
    if other is not None and other is not point:
        state = "" if other.is_active else "（已停用，可在列表中重新启用）"
        raise InvalidState(f"知识点“{path}”已存在{state}")


def create(name, parent, actor, audited=True):
    """A new point under ``parent`` (``None`` = a root)."""
    name = clean_name(name)
    if parent is not None and not parent.is_active:
        raise InvalidState(f"上级知识点“{parent.path}”已停用")
    path = _path_for(name, parent)
    _check_free(path)
    point = KnowledgePoint(name=name, parent=parent, path=path)
    db.session.add(point)
    db.session.flush()
    if audited:
        audit.record("knowledge_point_created", actor, point, after={"path": path})
    return point


def ensure_path(path, actor):
    """The point at ``path``, creating it and any missing ancestors (import commit).

    :return: (point, number of points created).
    """
    parent, created = None, 0
    for name in normalise_path(path).split("/"):
        node = by_path(_path_for(name, parent))
        if node is None:
            node = create(name, parent, actor)
            created += 1
        parent = node
    return parent, created


def _repath(point):
    """Rewrite the paths of ``point`` and its subtree after a rename or move."""
    point.path = _path_for(point.name, point.parent)
    db.session.flush()
    for child in children(point):
        _repath(child)


def _is_within(point, ancestor):
    node = point
    while node is not None:
        if node.id == ancestor.id:
            return True
        node = node.parent
    return False


def rename(point, name, actor):
    name = clean_name(name)
    before = point.path
    _check_free(_path_for(name, point.parent), point)
    point.name = name
    _repath(point)
    audit.record(
        "knowledge_point_renamed", actor, point, before=before, after=point.path
    )
    return point


def move(point, parent, actor):
    """Put ``point`` (with its subtree) under ``parent`` (``None`` = root level).

    :raises InvalidState: ``parent`` is the point itself or inside its subtree.
    """
    if parent is not None and _is_within(parent, point):
        raise InvalidState("不能把知识点移到它自己或它的下级知识点之下")
    before = point.path
    _check_free(_path_for(point.name, parent), point)
    point.parent = parent
    _repath(point)
    audit.record("knowledge_point_moved", actor, point, before=before, after=point.path)
    return point


def merge(source, target, actor):
    """Merge ``source`` into ``target``: its questions (every version: the point is
    a classification, not content a candidate saw), blueprint rules and practice
    records follow; its children move under ``target`` (same-name children merge
    too); ``source`` is retired and kept for the history.

    :return: the number of question versions moved.
    """
    if source.id == target.id:
        raise InvalidState("请选择另一个知识点作为合并目标")
    if _is_within(target, source):
        raise InvalidState("不能合并到自己的下级知识点")
    if not target.is_active:
        raise InvalidState(f"目标知识点“{target.path}”已停用")
    moved = _merge_into(source, target)
    audit.record(
        "knowledge_point_merged",
        actor,
        source,
        before=source.path,
        after={"into": target.path, "question_versions": moved},
    )
    return moved


def _merge_into(source, target):
    from exams.papers.models import BlueprintRule
    from exams.practice.models import AnswerRecord

    moved = db.session.execute(
        sa.update(QuestionVersion)
        .where(QuestionVersion.knowledge_point_id == source.id)
        .values(knowledge_point_id=target.id)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    for model in (BlueprintRule, AnswerRecord):
        db.session.execute(
            sa.update(model)
            .where(model.knowledge_point_id == source.id)
            .values(knowledge_point_id=target.id)
            .execution_options(synchronize_session="fetch")
        )
    for child in children(source):
        twin = by_path(_path_for(child.name, target))
        if twin is not None:
            moved += _merge_into(child, twin)
        else:
            child.parent = target
            _repath(child)
    source.is_active = False
    db.session.flush()
    return moved


def retire(point, actor):
    """Retire a point: its questions keep it (history), nothing new may use it.

    :raises InvalidState: it still has active children.
    """
    if any(child.is_active for child in children(point)):
        raise InvalidState("请先停用或移走其下级知识点")
    point.is_active = False
    db.session.flush()
    audit.record("knowledge_point_retired", actor, point, after=point.path)


def enable(point, actor):
    if point.parent is not None and not point.parent.is_active:
        raise InvalidState(f"请先启用上级知识点“{point.parent.path}”")
    point.is_active = True
    db.session.flush()
    audit.record("knowledge_point_enabled", actor, point, after=point.path)


def active_points():
    return db.session.scalars(
        sa.select(KnowledgePoint)
        .where(KnowledgePoint.is_active)
        .order_by(KnowledgePoint.path)
    ).all()
