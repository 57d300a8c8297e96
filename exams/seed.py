"""Demo question bank, papers and exams for ``flask seed demo``.

A city-wide bank of 公共法律知识 questions on the 行政处罚法 (2021 revision), open for
practice; a mock exam open to every officer and auxiliary staff member for 60 days with
results and answers shown at once; and the qualification path (专门 → 通用) for
officers, so the demo shows the certificate journey.
"""

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from exams.banks.services import (
    commit_import,
    ensure_bank,
    ensure_default_knowledge_points,
    plan_import,
)
from exams.formats.model import ImportedQuestion, ImportResult
from exams.papers.models import ExamArrangement
from exams.papers.services import (
    create_arrangement,
    create_blueprint_paper,
    enrol_candidates,
)
from portal.auth.models import Role
from portal.auth.roles import LEARNERS
from portal.extensions import db
from portal.laws.models import Law
from portal.timeutil import utcnow

BANK_CODE = "DEMO-XZCF"
KP = "公共法律知识/行政处罚法"
LAW = "《中华人民共和国行政处罚法》"

# (stem, options, key, article, explanation)
SINGLE = [
    (
        "限制人身自由的行政处罚，只能由哪一类规范设定？",
        {"A": "法律", "B": "行政法规", "C": "地方性法规", "D": "部门规章"},
        "A",
        "第十条",
        "限制人身自由的行政处罚，只能由法律设定。",
    ),
    (
        "地方性法规可以设定除限制人身自由、（　）以外的行政处罚。",
        {"A": "罚款", "B": "吊销营业执照", "C": "没收违法所得", "D": "责令停产停业"},
        "B",
        "第十二条",
        "地方性法规不得设定限制人身自由和吊销营业执照的行政处罚。",
    ),
    (
        "对当事人的同一个违法行为，不得给予（　）的行政处罚。",
        {
            "A": "两次以上罚款",
            "B": "警告并罚款",
            "C": "罚款并没收违法所得",
            "D": "责令改正并罚款",
        },
        "A",
        "第二十九条",
        "一事不二罚：同一个违法行为不得给予两次以上罚款的行政处罚。",
    ),
    (
        "不满多少周岁的未成年人有违法行为的，不予行政处罚？",
        {"A": "十二周岁", "B": "十四周岁", "C": "十六周岁", "D": "十八周岁"},
        "B",
        "第三十条",
        "不满十四周岁的不予处罚，责令监护人加以管教；已满十四周岁不满十八周岁的，应当从轻或者减轻处罚。",
    ),
    (
        "违法行为在（　）内未被发现的，一般不再给予行政处罚。",
        {"A": "六个月", "B": "一年", "C": "二年", "D": "三年"},
        "C",
        "第三十六条",
        "一般时效为二年；涉及公民生命健康安全、金融安全且有危害后果的，延长至五年。",
    ),
    (
        "除法律另有规定外，实施行政处罚的执法人员不得少于几人？",
        {"A": "一人", "B": "两人", "C": "三人", "D": "五人"},
        "B",
        "第四十二条",
        "行政处罚应当由具有行政执法资格的执法人员实施，执法人员不得少于两人。",
    ),
    (
        "适用简易程序当场作出行政处罚决定的，对公民的罚款上限是多少？",
        {"A": "五十元", "B": "一百元", "C": "二百元", "D": "五百元"},
        "C",
        "第五十一条",
        "对公民处以二百元以下、对法人或者其他组织处以三千元以下罚款或者警告的，可以当场作出决定。",
    ),
    (
        "除另有规定外，行政机关应当自行政处罚案件立案之日起多少日内作出行政处罚决定？",
        {"A": "三十日", "B": "六十日", "C": "九十日", "D": "一百二十日"},
        "C",
        "第六十条",
        "一般应当自立案之日起九十日内作出决定；法律、法规、规章另有规定的，从其规定。",
    ),
    (
        "当事人要求听证的，应当在行政机关告知后几日内提出？",
        {"A": "三日", "B": "五日", "C": "七日", "D": "十五日"},
        "B",
        "第六十四条",
        "当事人要求听证的，应当在行政机关告知后五日内提出。",
    ),
    (
        "当事人到期不缴纳罚款的，每日按罚款数额的多少加处罚款？",
        {"A": "百分之一", "B": "百分之二", "C": "百分之三", "D": "百分之五"},
        "C",
        "第七十二条",
        "每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额。",
    ),
]

MULTIPLE = [
    (
        "下列哪些属于《行政处罚法》规定的行政处罚种类？",
        {"A": "警告、通报批评", "B": "罚款", "C": "行政拘留", "D": "责令改正"},
        ["A", "B", "C"],
        "第九条",
        "责令改正是行政命令，不是行政处罚（见第二十八条）。",
    ),
    (
        "当事人有下列哪些情形的，应当从轻或者减轻行政处罚？",
        {
            "A": "主动消除或者减轻违法行为危害后果的",
            "B": "受他人胁迫或者诱骗实施违法行为的",
            "C": "主动供述行政机关尚未掌握的违法行为的",
            "D": "违法所得数额较大的",
        },
        ["A", "B", "C"],
        "第三十二条",
        "违法所得数额较大不是从轻、减轻情节。",
    ),
    (
        "行政机关拟作出下列哪些行政处罚决定，应当告知当事人有要求听证的权利？",
        {
            "A": "较大数额罚款",
            "B": "吊销许可证件",
            "C": "责令停产停业",
            "D": "警告",
        },
        ["A", "B", "C"],
        "第六十三条",
        "警告不属于应当告知听证权利的情形。",
    ),
    (
        "行政机关在作出行政处罚决定之前，应当告知当事人哪些内容？",
        {
            "A": "拟作出的行政处罚内容",
            "B": "事实、理由、依据",
            "C": "依法享有的陈述、申辩、要求听证等权利",
            "D": "执法人员的家庭住址",
        },
        ["A", "B", "C"],
        "第四十四条",
        "告知内容包括处罚内容及事实、理由、依据和当事人享有的权利。",
    ),
    (
        "下列哪些情形，在作出行政处罚决定前应当由从事行政处罚决定法制审核的人员进行法制审核？",
        {
            "A": "涉及重大公共利益的",
            "B": "直接关系当事人或者第三人重大权益，经过听证程序的",
            "C": "案件情况疑难复杂、涉及多个法律关系的",
            "D": "适用简易程序当场作出的警告",
        },
        ["A", "B", "C"],
        "第五十八条",
        "当场作出的警告适用简易程序，不在法制审核的法定情形之列。",
    ),
]

TRUE_FALSE = [
    (
        "违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。",
        True,
        "第三十三条",
        "初次违法且危害后果轻微并及时改正的，可以不予行政处罚。",
    ),
    (
        "行政机关可以因当事人陈述、申辩而给予更重的处罚。",
        False,
        "第四十五条",
        "行政机关不得因当事人陈述、申辩而给予更重的处罚。",
    ),
    (
        "作出罚款决定的行政机关应当与收缴罚款的机构分离。",
        True,
        "第六十七条",
        "罚缴分离：除依法当场收缴的罚款外，作出罚款决定的机关及其执法人员不得自行收缴罚款。",
    ),
    (
        "执法人员在调查或者进行检查时，无需向当事人出示执法证件。",
        False,
        "第五十五条",
        "执法人员应当主动向当事人或者有关人员出示执法证件。",
    ),
    (
        "行政处罚裁量基准应当向社会公布。",
        True,
        "第三十四条",
        "行政机关可以依法制定行政处罚裁量基准，规范行使裁量权；裁量基准应当向社会公布。",
    ),
]

FILL_BLANK = [
    (
        "证据可能灭失或者以后难以取得的情况下，经行政机关负责人批准，可以先行登记保存，并应当在____日内及时作出处理决定。",
        [["七", "7"]],
        "第五十六条",
        "先行登记保存后应当在七日内作出处理决定。",
    ),
    (
        "行政处罚决定书应当在宣告后当场交付当事人；当事人不在场的，行政机关应当在____日内送达当事人。",
        [["七", "7"]],
        "第六十一条",
        "当事人不在场的，应当在七日内依照《民事诉讼法》的有关规定送达。",
    ),
]


def demo_questions(with_legal_basis):
    """The demo questions as an import would read them.

    :param with_legal_basis: link each question to its article (needs the law
        library); otherwise the article is named in the explanation only.
    """

    def basis(article, explanation):
        if with_legal_basis:
            return f"{LAW}{article}", explanation
        return "", f"{explanation}（依据：{LAW}{article}）"

    rows = [
        ("single", f"单选{n}", stem, options, [key], [], article, note, 2)
        for n, (stem, options, key, article, note) in enumerate(SINGLE, 1)
    ]
    rows += [
        ("multiple", f"多选{n}", stem, options, key, [], article, note, 3)
        for n, (stem, options, key, article, note) in enumerate(MULTIPLE, 1)
    ]
    rows += [
        ("true_false", f"判断{n}", stem, {}, ["对" if t else "错"], [], art, note, 2)
        for n, (stem, t, art, note) in enumerate(TRUE_FALSE, 1)
    ]
    rows += [
        ("fill_blank", f"填空{n}", stem, {}, [], blanks, article, note, 3)
        for n, (stem, blanks, article, note) in enumerate(FILL_BLANK, 1)
    ]
    questions = []
    for qtype, source, stem, options, key, blanks, article, note, level in rows:
        legal, note = basis(article, note)
        questions.append(
            ImportedQuestion(
                type=qtype,
                stem=stem,
                options=options,
                key=key,
                blanks=blanks,
                explanation=note,
                difficulty=level,
                knowledge_point=KP,
                legal_basis=legal,
                source=source,
            )
        )
    return questions


# (type, count, score each): 40 + 30 + 20 + 10 = 100 points.
RULES = (
    ("single", 10, 4),
    ("multiple", 5, 6),
    ("true_false", 5, 4),
    ("fill_blank", 2, 5),
)

EXAMS = (
    # (name, kind, duration, roles, release, show answers, attempts)
    ("行政处罚法模拟考试（演示）", "mock", 30, LEARNERS, True, 3),
    ("城管专门法律知识考试（演示）", "qual_special", 45, (Role.OFFICER,), False, 1),
    ("通用法律知识考试（演示）", "qual_general", 45, (Role.OFFICER,), False, 1),
)


def seed_exams_demo(actor, city):
    """Create the demo bank and exams for the whole city (idempotent).

    :return: the number of questions created (0 when the bank already existed).
    """
    bank = ensure_bank(BANK_CODE, "行政处罚法（演示题库）")
    if bank.questions:
        return 0
    ensure_default_knowledge_points()
    bank.description = "演示数据：依据 2021 年修订的《中华人民共和国行政处罚法》。"
    bank.is_practice_open = True
    has_laws = db.session.scalar(sa.select(Law.id).limit(1)) is not None
    plan = plan_import(
        ImportResult(questions=demo_questions(has_laws), format="xlsx"), bank
    )
    questions = commit_import(plan, bank, actor)
    rules = [
        {
            "bank_id": bank.id,
            "type": qtype,
            "count": count,
            "score_each": Decimal(score),
        }
        for qtype, count, score in RULES
    ]
    now = utcnow().replace(second=0, microsecond=0)
    previous = None
    for name, kind, minutes, roles, show_answers, attempts in EXAMS:
        paper = create_blueprint_paper(name, rules, pool_factor=Decimal(1))
        arrangement = create_arrangement(
            paper,
            name=name,
            kind=kind,
            window_start=now - timedelta(days=1),
            window_end=now + timedelta(days=60),
            duration_minutes=minutes,
            attempts_allowed=attempts,
            makeup_attempts=0 if kind == "mock" else 1,
            release_policy="immediate",
            show_answers=show_answers,
            organisation_id=city.id,
            prerequisite_id=previous.id if kind == "qual_general" else None,
        )
        enrol_candidates(arrangement, organisation=city, roles=roles)
        previous = arrangement
    db.session.flush()
    return len(questions)


def demo_arrangements():
    """The demo arrangements, by name (for tests and the seed's summary)."""
    names = [name for name, *_ in EXAMS]
    return {
        a.name: a
        for a in db.session.scalars(
            sa.select(ExamArrangement).where(ExamArrangement.name.in_(names))
        )
    }
