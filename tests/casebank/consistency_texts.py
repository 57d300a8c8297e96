"""Decision texts for the archive-comparison tests: one 城管 item (CG-003, 渣土车辆
未密闭, 一般 tier 5,000–12,000 元 of the demo catalogue), varying the party, the
number, the date, the fine and the stated circumstances."""

import json
from datetime import date

CN_DIGITS = "零一二三四五六七八九"
CODE = "INCONSISTENT_WITH_SIMILAR"
# Fines of ordinary cases inside the 一般 tier of CG-003 (5,000–12,000 元).
ORDINARY_FINES = [7000, 7500, 8000, 8200, 8500, 9000]

ORDINARY = (
    "本局综合考虑以下情节：当事人车辆遗撒路面面积约20平方米，发生在城市主干道；"
    "当事人积极配合调查，如实陈述违法事实。据此，对当事人在罚款幅度内予以处罚。"
)
AGGRAVATING = (
    "本局综合考虑以下情节：当事人车辆遗撒路面面积约20平方米；当事人经责令改正后"
    "拒不改正，且一年内第二次因同类违法行为被查处，依法予以从重处罚。"
)
MITIGATING = (
    "本局综合考虑以下情节：当事人系初次违法，当日即主动消除危害后果，积极配合调查，"
    "依据《中华人民共和国行政处罚法》第三十二条的规定，依法予以从轻处罚。"
)
NO_REASON = "本局决定："


def _cn_year(year: int) -> str:
    return "".join(CN_DIGITS[int(d)] for d in str(year))


def decision(
    n: int,
    fine: int,
    *,
    reasons: str = ORDINARY,
    decided: date = date(2025, 5, 20),
    agency: str = "江城市临江区城市管理综合行政执法局",
    organisation: bool = True,
    officers: tuple[tuple[str, str], ...] = (),
) -> str:
    """A 渣土遗撒 decision numbered ``n`` with a fine of ``fine`` yuan."""
    party = (
        f"当事人：江城市第{n}土石方运输有限公司\n统一社会信用代码：91420112MA49T{n:04d}\n"
        f"法定代表人：吴某{n}"
        if organisation
        else f"当事人：张某{n}，男，身份证号码42010219800101{n:04d}"
    )
    people = "\n".join(
        f"执法人员：{name}（执法证号：{cert}）" for name, cert in officers
    )
    month, day = decided.month, decided.day
    return f"""{agency}
行 政 处 罚 决 定 书
江临城管罚决字〔{decided.year}〕第{n:03d}号

{party}
地址：江城市临江区金港路{n}号

    本局于{decided.year}年{month}月{max(1, day - 10)}日对当事人运输渣土车辆\
未采取密闭措施防止物料遗撒一案立案调查。现查明：

    当事人所属重型自卸货车装载渣土行驶，车厢顶部篷布未完全覆盖，未采取密闭措施，\
致使渣土沿临江大道遗撒，遗撒路面面积约20平方米。

    以上事实，有现场检查笔录、现场照片、询问笔录等证据证实。

    本局认为，当事人运输渣土的车辆未采取密闭措施防止物料遗撒，违反了《中华人民共和国大气污染防治法》第七十条第一款的规定。

    {reasons}

    依据《中华人民共和国大气污染防治法》第一百一十六条的规定，本局决定：
    一、责令当事人立即改正违法行为；
    二、对当事人处以罚款人民币{fine}元。

{people}

{agency}
{decided.year}年{month}月{day}日
"""


def add_cases(runner, tmp_path, cases, agency="甲区城管局"):
    """``flask casebank add-cases`` on ``cases`` (name, text) as ``agency``, with
    ``--format json``: {file name: its JSON object}."""
    folder = tmp_path / "batch"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in cases:
        (folder / name).write_text(text, encoding="utf-8")
    result = runner.invoke(
        args=["casebank", "add-cases", str(folder), "--agency", agency]
        + ["--format", "json"]
    )
    assert result.exit_code == 0, result.output
    return {
        obj["source"].rsplit("/", 1)[-1]: obj
        for obj in map(json.loads, result.output.strip().splitlines())
    }


def inconsistency(obj):
    """The INCONSISTENT_WITH_SIMILAR finding of an add-cases object, or None."""
    return next((f for f in obj["findings"] if f["code"] == CODE), None)


def ordinary_cases(reasons: str = ORDINARY, edit=None) -> list[tuple[str, str]]:
    """(name, text) of the ordinary cases ``o0.txt`` … at :data:`ORDINARY_FINES`,
    each stating ``reasons``; ``edit(text, fine)`` may rewrite a text."""
    cases = []
    for i, fine in enumerate(ORDINARY_FINES):
        text = decision(i + 1, fine, reasons=reasons)
        cases.append((f"o{i}.txt", edit(text, fine) if edit else text))
    return cases


def assert_one_group(out) -> None:
    """Every imported case was matched to CG-003, tier 一般 (one peer group)."""
    for name, obj in out.items():
        assert obj["item_id"] == "CG-003", name
        assert obj["tier"] == "一般", name


def assert_ordinary_not_flagged(out) -> None:
    """No ordinary case (:func:`ordinary_cases`) got INCONSISTENT_WITH_SIMILAR."""
    for i in range(len(ORDINARY_FINES)):
        assert inconsistency(out[f"o{i}.txt"]) is None, f"o{i}.txt"


def open_inconsistency(case_id: int):
    """The open INCONSISTENT_WITH_SIMILAR finding of a case in the database."""
    import sqlalchemy as sa

    from casebank.cases.models import CaseFinding
    from portal.extensions import db

    return db.session.scalar(
        sa.select(CaseFinding).where(
            CaseFinding.case_id == case_id,
            CaseFinding.code == CODE,
            CaseFinding.closed_at.is_(None),
        )
    )
