"""Demo training course for ``flask seed demo`` (small text material, no files)."""

from decimal import Decimal

import sqlalchemy as sa

from exams.training import services
from exams.training.models import TrainingCourse
from portal.extensions import db
from portal.timeutil import to_local, utcnow

DEMO_TITLE = "执法辅助人员岗位须知"
DEMO_TEXT = (
    "<p>执法辅助人员不具有行政执法资格，不得单独从事行政执法活动。</p>"
    "<p>在行政执法人员的指导和监督下，执法辅助人员可以从事宣传教育、信息采集、"
    "接收或者受理申请、送达文书等辅助性事务。</p>"
    "<p>执法辅助人员应当持证上岗，按规定参加学习培训，接受考核考勤。</p>"
)


def seed_training_demo(actor, city):
    """Create and publish one demo course for the whole city (idempotent).

    :return: 1 when the course was created, 0 when it already existed.
    """
    year = to_local(utcnow()).year
    exists = sa.select(TrainingCourse.id).where(
        TrainingCourse.title == DEMO_TITLE, TrainingCourse.year == year
    )
    if db.session.scalar(exists):
        return 0
    course = services.create_course(
        actor,
        title=DEMO_TITLE,
        description="岗前培训：执法辅助人员的职责边界与工作纪律。",
        year=year,
        credit_hours=Decimal(2),
        for_auxiliary=True,
        for_officer=False,
        organisation_id=city.id,
        paper_id=None,
        quiz_minutes=30,
        quiz_attempts=3,
    )
    services.add_text_material(
        course, actor, title="职责边界", body=DEMO_TEXT, required_minutes=3
    )
    services.publish_course(course, actor, utcnow())
    return 1
