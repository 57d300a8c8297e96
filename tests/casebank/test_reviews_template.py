"""Scoring templates: the default, validation (Chinese errors), versioning."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from casebank.reviews.defaults import DEFAULT_TEMPLATE
from casebank.reviews.models import SECTIONS, CaseReview, ScoreTemplate
from casebank.reviews.template_text import TemplateErrors, dump, parse
from portal.audit.models import AuditLog
from portal.extensions import db
from tests.casebank.review_support import add_case, login


def test_default_template_covers_every_section_with_100_points():
    """Does the default template have the eight sections, 100 points, veto items
    in 执法主体/事实认定/证据/程序/法律适用, and items within their section's points?"""
    parsed = parse(DEFAULT_TEMPLATE)
    assert [s.name for s in parsed.sections] == list(SECTIONS)
    assert sum(s.points for s in parsed.sections) == 100
    assert (parsed.excellent_min, parsed.pass_min) == (90, 60)
    vetoes = {s.name for s in parsed.sections for i in s.items if i.veto}
    assert vetoes == {"执法主体", "事实认定", "证据", "程序", "法律适用"}
    for section in parsed.sections:
        assert all(i.max_deduction <= section.points for i in section.items)
        # Every point of a section can be lost.
        assert sum(i.max_deduction for i in section.items) >= section.points
    # The text form round-trips.
    assert parse(dump(parsed)) == parsed


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("# 归档 5", "# 归档 6"), "各维度分值合计应为100分，现为101分"),
        (("# 归档 5", "# 卷宗 5"), "维度“卷宗”不存在"),
        (
            ("- 文书签名、日期或印章缺漏 | 2", "- 文书签名 | 12"),
            "超过所在维度“文书制作”的分值10分",
        ),
        (("- 文书签名、日期或印章缺漏 | 2", "- 文书签名 | 0.3"), "可有0.5分"),
        (("优秀 90", "优秀 50"), "“合格”分数线应低于“优秀”分数线"),
        (
            ("- 法律法规名称未使用全称或书写错误 | 2", "- 名称 | 1"),
            "维度“法律适用”各扣分项的最高扣分合计14分，少于维度分值15分",
        ),
        (("# 证据 15", "证据 15"), "无法识别"),
    ],
)
def test_invalid_templates_are_refused_with_chinese_errors(edit, message):
    """Is each inconsistency reported, in Chinese, naming the problem?"""
    old, new = edit
    assert old in DEFAULT_TEMPLATE
    with pytest.raises(TemplateErrors) as info:
        parse(DEFAULT_TEMPLATE.replace(old, new, 1))
    assert any(message in e for e in info.value.errors), info.value.errors


def test_missing_section_and_empty_section_are_reported():
    text = (
        "\n".join(
            line
            for line in DEFAULT_TEMPLATE.splitlines()
            if not line.startswith("- 未一案一卷")
            and "卷宗封面" not in line
            and "证据材料漏装，或组卷" not in line
        )
        .replace("# 裁量 10", "# 裁量 15")
        .replace("# 归档 5", "# 归档 0")
    )
    parse(text)  # a 0-point section may have no item
    with pytest.raises(TemplateErrors) as info:
        parse(text.replace("# 归档 0", "").replace("# 裁量 15", "# 裁量 10"))
    assert "缺少维度：归档" in info.value.errors
    with pytest.raises(TemplateErrors) as info:
        parse(text.replace("# 归档 0", "# 归档 5").replace("# 裁量 15", "# 裁量 10"))
    assert "维度“归档”有5分，但没有扣分项" in info.value.errors


def test_publishing_a_new_version_keeps_started_reviews_on_theirs(app, world):
    """Does editing publish version 2 (audited), and does a review started on
    version 1 keep scoring against version 1?"""
    case = add_case(
        world.agency, text="甲区城管局\n行政处罚决定书\n罚款500元。\n", check=False
    )
    client = login(app, "supervision_staff")
    page = client.get(f"/casebank/cases/{case.id}/review").get_data(as_text=True)
    v1 = db.session.scalar(sa.select(ScoreTemplate))
    assert v1.version == 1
    assert "第1版" in page
    first_item = v1.sections[0].items[-1]
    response = client.post(
        f"/casebank/cases/{case.id}/review",
        data={
            "version": "0",
            "template_id": str(v1.id),
            "action": "save",
            f"points-{first_item.id}": "1",
            f"note-{first_item.id}": "略",
        },
    )
    assert response.status_code == 302

    form = client.get("/casebank/review-templates/new").get_data(as_text=True)
    assert "# 执法主体 10" in form
    edited = DEFAULT_TEMPLATE.replace("# 归档 5", "# 归档 4").replace(
        "# 裁量 10", "# 裁量 11"
    )
    response = client.post("/casebank/review-templates/new", data={"text": edited})
    assert response.status_code == 302
    v2 = db.session.scalar(sa.select(ScoreTemplate).where(ScoreTemplate.version == 2))
    assert {s.name: s.points for s in v2.sections}["归档"] == 4
    published = db.session.scalars(
        sa.select(AuditLog.target_id)
        .where(AuditLog.action == "review_template_published")
        .order_by(AuditLog.id)
    ).all()
    assert published == [str(v1.id), str(v2.id)]

    review = db.session.scalar(sa.select(CaseReview))
    assert review.template_id == v1.id
    page = client.get(f"/casebank/cases/{case.id}/review").get_data(as_text=True)
    assert "第1版" in page
    assert review.score == Decimal(99)
    # A new case starts on version 2.
    other = add_case(
        world.agency, text="甲区城管局\n决定书二\n罚款600元。\n", check=False
    )
    page = client.get(f"/casebank/cases/{other.id}/review").get_data(as_text=True)
    assert "第2版" in page


def test_invalid_edit_shows_every_error_and_keeps_the_text(app, world):
    client = login(app, "sys_admin")
    bad = DEFAULT_TEMPLATE.replace("# 归档 5", "# 归档 7").replace(
        "# 证据 15", "# 证据 x"
    )
    response = client.post("/casebank/review-templates/new", data={"text": bad})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "维度行的格式应为" in page
    assert "各维度分值合计应为100分" in page
    assert "# 归档 7" in page  # the text is shown back
    assert db.session.scalar(sa.select(sa.func.count(ScoreTemplate.id))) == 1


def test_seed_demo_publishes_the_default_template_once(app, demo_seeded):
    from portal.seed import seed_demo

    seed_demo(users=8)
    db.session.commit()
    versions = db.session.scalars(sa.select(ScoreTemplate)).all()
    assert [v.version for v in versions] == [1]
    assert dump(versions[0]) == dump(parse(DEFAULT_TEMPLATE))


def test_staff_dashboard_links_to_statistics_and_template(app, world):
    page = login(app, "supervision_staff").get("/dashboard").get_data(as_text=True)
    assert 'href="/casebank/dashboard"' in page
    assert 'href="/casebank/review-templates"' in page
    page = login(app, "agency_handler").get("/dashboard").get_data(as_text=True)
    assert 'href="/casebank/dashboard"' not in page
