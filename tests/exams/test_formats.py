"""Question file formats: pure converters, no app and no database."""

import dataclasses
import functools
import io
import re
import struct
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from exams.formats import (
    TEMPLATE_COLUMNS,
    TYPE_NAMES,
    FormatError,
    ImportedQuestion,
    build_template,
    decode_text,
    read_aiken,
    read_docx,
    read_file,
    read_gift,
    read_xlsx,
    write_gift,
    write_xlsx,
)
from exams.formats.model import (
    QUESTION_TYPES,
    normalise_knowledge_point,
    parse_blanks,
    parse_type,
)
from portal import spreadsheets

DATA = Path(__file__).parent / "data"
KP = "公共法律知识/行政处罚法"

# Every type, Chinese text, GIFT specials (~ = # { } : \), formula-looking cells,
# a literal "[html]" and a leading "%", multi-line text and "]" in metadata.
QUESTIONS = [
    ImportedQuestion(
        type="single",
        stem="限制人身自由的行政处罚，只能由（ ）设定。",
        options={"A": "法律", "B": "行政法规", "C": "地方性法规", "D": "规章"},
        key=["A"],
        explanation="限制人身自由的行政处罚，只能由法律设定。",
        difficulty=1,
        score=Decimal("1"),
        knowledge_point=KP,
        legal_basis="《中华人民共和国行政处罚法》第十条",
        tags=["设定权", "基础"],
        title="设定权",
    ),
    ImportedQuestion(
        type="single",
        stem="特殊字符 ~ = # { } : \\ 100% a->b 与 ::非标题:: 均应原样保留\n第二行",
        options={
            "A": "=cmd|'/c calc'!A1",
            "B": "~波浪线 #井号",
            "C": "%50% 百分号开头",
            "D": "[html]<b>不是 HTML</b>",
        },
        key=["C"],
        explanation="解析含 #### 与 {花括号}\n以及换行",
        difficulty=5,
        score=Decimal("2.5"),
        knowledge_point="执法程序/听证",
        legal_basis="《行政处罚法》第六十三条",
        tags=["特殊字符"],
    ),
    ImportedQuestion(
        type="multiple",
        stem="根据《中华人民共和国行政处罚法》，下列属于行政处罚种类的有（ ）。",
        options={
            "A": "警告、通报批评",
            "B": "罚款",
            "C": "责令改正",
            "D": "暂扣许可证件",
            "E": "+行政拘留",
        },
        key=["A", "B", "D"],
        explanation="责令改正不属于行政处罚种类。",
        difficulty=2,
        score=Decimal("2"),
        knowledge_point=KP,
        legal_basis="《中华人民共和国行政处罚法》第九条",
        tags=["处罚种类"],
    ),
    ImportedQuestion(
        type="true_false",
        stem="=1+1 不是公式，违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。",
        key=["对"],
        difficulty=2,
        score=Decimal("1"),
        knowledge_point=KP,
        legal_basis="《中华人民共和国行政处罚法》第三十三条",
    ),
    ImportedQuestion(
        type="true_false",
        stem="行政处罚决定一律可以当场作出。",
        key=["错"],
        explanation="@只有符合法定条件的才可以当场作出。",
    ),
    ImportedQuestion(
        type="fill_blank",
        stem="违法行为在____年内未被发现的，不再给予行政处罚；涉及公民生命健康安全、"
        "金融安全且有危害后果的，上述期限延长至____年。",
        blanks=[["二", "2"], ["五", "5"]],
        explanation="法律另有规定的除外。",
        difficulty=3,
        score=Decimal("2"),
        knowledge_point=KP,
        legal_basis="《中华人民共和国行政处罚法》第三十六条",
        tags=["追责时效"],
    ),
    ImportedQuestion(
        type="fill_blank",
        stem="对公民处以____元以下罚款的，可以当场作出行政处罚决定。",
        blanks=[["二百", "200", "=200"]],
        knowledge_point=KP,
    ),
    ImportedQuestion(
        type="essay",
        stem="简述行政处罚的种类。",
        reference_answer="（一）警告、通报批评；\n（二）罚款、没收违法所得、没收非法财物[注1]；",
        difficulty=3,
        score=Decimal("5"),
        knowledge_point=KP,
        tags=["简答"],
    ),
    ImportedQuestion(
        type="case",
        stem="某县市场监管局查明：甲公司销售过期食品。\n问：该局应当如何处理？",
        reference_answer="-依法立案调查，责令改正并依法给予行政处罚。",
        explanation="考查执法程序。",
        difficulty=4,
        score=Decimal("10"),
        knowledge_point="专业法律知识/市场监管",
        legal_basis="《中华人民共和国食品安全法》第一百二十四条",
        tags=["案例", "食品安全"],
    ),
    ImportedQuestion(
        type="case",
        stem="（不定项）甲公司拒不改正的，该局可以采取的措施有（ ）。",
        options={"A": "罚款", "B": "行政拘留", "C": "没收违法所得"},
        key=["A", "C"],
        knowledge_point="专业法律知识/市场监管",
    ),
]


def without(question, *names):
    """The question's fields, minus ``source`` and ``names``."""
    fields = dataclasses.asdict(question)
    for name in ("source", *names):
        fields.pop(name)
    return fields


# ----------------------------------------------------------------------- GIFT


def test_moodle_fixture_imports_supported_and_reports_unsupported():
    """Moodle's own GIFT fixture: every supported question imports with the right
    type and key; matching and numerical are reported with their lines."""
    result = read_gift((DATA / "moodle-questions.gift.txt").read_text("utf-8"))
    got = [(q.title, q.type, q.options, q.key, q.blanks) for q in result.questions]
    assert got == [
        ("Q8", "essay", {}, [], []),
        ("Q2", "single", {"A": "yellow", "B": "red", "C": "blue"}, ["A"], []),
        (
            "colours",
            "multiple",
            {"A": "yellow", "B": "red", "C": "off-beige", "D": "blue"},
            ["A", "C"],
            [],
        ),
        ("Shortanswer", "fill_blank", {}, [], [["Frog"]]),
        ("Q1", "true_false", {}, ["错"], []),
        ("2-08 TSL", "true_false", {}, ["对"], []),
        ("2-08 TSL", "true_false", {}, ["对"], []),
    ]
    q8, q2, _, short, q1, *_ = result.questions
    assert q8.stem == "How are you?"
    assert q2.stem == "What's between orange and green in the spectrum?"
    assert q2.source == "GIFT 第3题（第14–19行）"
    assert short.stem == "Which is the best animal?"
    assert q1.explanation == (
        "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    )
    assert result.ok
    assert result.counts_by_type() == {
        "single": 1,
        "multiple": 1,
        "true_false": 3,
        "fill_blank": 1,
        "essay": 1,
    }
    skipped = [(i.where, i.message) for i in result.issues if "不支持" in i.message]
    assert skipped == [
        ("GIFT 第2题（第5–11行）", "本平台不支持匹配题，已跳过"),
        ("GIFT 第5题（第31行）", "本平台不支持数值题，已跳过"),
    ]
    partial = [i for i in result.warnings if "Cat" in i.message]
    assert len(partial) == 1
    assert "第34–38行" in partial[0].where


def test_gift_round_trip_preserves_every_field():
    """write_gift → read_gift gives back every field of every question type."""
    text = write_gift(QUESTIONS)
    result = read_gift(text)
    assert result.issues == []
    assert [without(q) for q in result.questions] == [without(q) for q in QUESTIONS]


def test_gift_writer_is_moodle_shaped():
    """Categories, Moodle tags, escapes and blanks at the stem's positions."""
    text = write_gift(QUESTIONS)
    assert text.startswith(f"$CATEGORY: {KP}\n\n")
    assert "// [tag:设定权] [tag:基础]" in text
    assert "特殊字符 \\~ \\= \\# \\{ \\} \\: \\\\ 100% a->b" in text
    assert "违法行为在{=二 =2}年内未被发现的" in text
    assert "延长至{=五 =5####法律另有规定的除外。}年。" in text
    assert "{TRUE}" in text
    assert "{FALSE####" in text


def test_gift_categories_titles_formats_and_errors():
    """$CATEGORY paths are normalised, [html] becomes text, fill-in-the-middle works,
    and malformed questions are errors located by line."""
    text = "\n".join(
        [
            "// 注释行",
            "$CATEGORY: $course$/top/公共法律知识 > 行政复议法",
            "",
            "::复议期限::[html]<p>申请期限为知道之日起 {=六十 =60 =%50%三十} 日内。</p>",
            "",
            "没有右括号的题目 {=甲",
            "",
            "选项太少的题目 {~%100%唯一}",
            "",
            "只是一段说明文字，没有答案块。",
        ]
    )
    result = read_gift(text)
    [question] = result.questions
    assert question.knowledge_point == "公共法律知识/行政复议法"
    assert question.title == "复议期限"
    assert question.stem == "申请期限为知道之日起 ____ 日内。"
    assert question.blanks == [["六十", "60"]]
    assert question.source == "GIFT 第1题（第4行）"
    errors = [(i.where, i.message) for i in result.errors]
    assert errors[0] == ("GIFT 第2题（第6行）", "答案块缺少右花括号“}”")
    assert errors[1][0] == "GIFT 第3题（第8行）"
    assert "两个选项" in errors[1][1]
    assert (
        "GIFT 第4题（第10行）",
        "本平台不支持说明文字（没有答案块的描述题），已跳过",
    ) in [(i.where, i.message) for i in result.warnings]


# ----------------------------------------------------------------------- xlsx


def test_xlsx_round_trip_preserves_every_field():
    """write_xlsx → read_xlsx gives back every field (the template has no title)."""
    result = read_xlsx(write_xlsx(QUESTIONS))
    assert result.issues == []
    assert [q.source for q in result.questions][:2] == ["第2行", "第3行"]
    got = [without(q, "title") for q in result.questions]
    assert got == [without(q, "title") for q in QUESTIONS]


def test_template_round_trip():
    """The downloadable template's example rows import without errors."""
    data = build_template()
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["试题", "说明"]
    header = [cell.value for cell in workbook["试题"][1]]
    assert header == TEMPLATE_COLUMNS
    notes = " ".join(str(c.value) for row in workbook["说明"] for c in row if c.value)
    assert "ACD" in notes
    assert "行政复议|复议；行政诉讼" in notes
    result = read_xlsx(data)
    assert result.issues == []
    assert [q.type for q in result.questions] == ["single", "multiple", "fill_blank"]
    assert result.questions[1].key == ["A", "B", "D"]
    assert result.questions[2].blanks == [["二", "2"], ["五", "5"]]


def _broken_workbook() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["2024 年度行政执法资格考试题库"])  # a title above the header
    sheet.append(["题型", "问题描述", "A", "B", "C", "正确答案", "难度", "分数"])
    rows = [
        ["连线题", "题干", "甲", "乙", "", "A", None, None],  # 3 unknown type
        ["单选", "", "甲", "乙", "", "A", None, None],  # 4 empty stem
        ["单选", "题干", "甲", "乙", "", "C", None, None],  # 5 no option C
        ["单选", "题干", "甲", "乙", "丙", "AB", None, None],  # 6 several keys
        ["多选", "题干", "", "", "", "AB", None, None],  # 7 no options
        ["单选", "题干", "甲", "乙", "", "A", 7, None],  # 8 difficulty
        ["单选", "题干", "甲", "乙", "", "A", None, -1],  # 9 score
        ["判断", "题干", "", "", "", "可能", None, None],  # 10 not 对/错
        [None] * 8,  # 11 blank: skipped
        ["判断", "行政处罚遵循公正、公开的原则。", "", "", "", "√", 2, 1.5],  # 12 ok
        ["单选", "题干", "甲", "", "丙", "A", None, None],  # 13 gap in options
        ["填空", "____和____", "", "", "", "甲；", None, None],  # 14 empty blank
        ["单选", "题干", "甲", "乙", "", "对", None, None],  # 15 not a letter
    ]
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_broken_xlsx_reports_errors_per_row():
    """Each broken row is reported with its Excel row number; good rows import."""
    result = read_xlsx(_broken_workbook())
    expected = {
        "第3行": "未知题型“连线题”",
        "第4行": "题干不能为空",
        "第5行": "答案 C 没有对应的选项",
        "第6行": "单选题只能有一个答案",
        "第7行": "多选题至少需要两个选项",
        "第8行": "难度应为 1–5 的整数",
        "第9行": "分值应为不超过",
        "第10行": "判断题答案应为“对”或“错”",
        "第13行": "选项不连续：缺少选项 B",
        "第14行": "第 2 个空没有填写答案",
        "第15行": "不是有效的选项字母",
    }
    for where, message in expected.items():
        found = [i.message for i in result.errors if i.where == where]
        assert any(message in m for m in found), (where, found)
    assert {i.where for i in result.errors} == set(expected)
    assert not result.ok
    [question] = result.questions
    assert (question.source, question.type, question.key) == (
        "第12行",
        "true_false",
        ["对"],
    )
    assert (question.difficulty, question.score) == (2, Decimal("1.5"))


def test_written_xlsx_neutralises_formulas():
    """Formula-looking text is stored as text with a leading apostrophe, and read back
    without it."""
    data = write_xlsx(QUESTIONS)
    for data_only in (True, False):
        sheet = load_workbook(io.BytesIO(data), data_only=data_only)["试题"]
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"]
        values = {c.value for c in cells}
        assert "'=cmd|'/c calc'!A1" in values
        assert "'+行政拘留" in values
        assert "'@只有符合法定条件的才可以当场作出。" in values
    assert read_xlsx(data).questions[1].options["A"] == "=cmd|'/c calc'!A1"


@functools.cache
def _bomb(forged: bool) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(1 if forged else 300):
                member.write(chunk)
    data = bytearray(buffer.getvalue())
    if forged:
        # Claim 4 GB in the central directory entry of the second member.
        entry = data.rfind(b"PK\x01\x02")
        struct.pack_into("<I", data, entry + 24, 0xFFFFFFF0)
    return bytes(data)


@pytest.mark.parametrize("forged", [False, True], ids=["300MB-of-zeros", "forged"])
@pytest.mark.parametrize("name", ["bomb.xlsx", "bomb.docx"])
def test_zip_bomb_is_refused_before_parsing(monkeypatch, forged, name):
    """A package whose members declare more than 200 MB is refused before openpyxl
    or python-docx sees it."""

    def must_not_parse(*args, **kwargs):
        raise AssertionError("parser reached")

    monkeypatch.setattr(spreadsheets, "load_workbook", must_not_parse)
    monkeypatch.setattr(docx, "Document", must_not_parse)
    data = _bomb(forged)
    assert len(data) < 2 * 1024 * 1024
    with pytest.raises(FormatError, match="解压后超过 200 MB"):
        read_file(name, data)


def test_hostile_or_wrong_files_are_refused():
    """Oversized uploads, too many rows, and non-xlsx content raise FormatError."""
    data = write_xlsx(QUESTIONS)
    with pytest.raises(FormatError, match="文件过大"):
        read_xlsx(data, max_bytes=1000)
    with pytest.raises(FormatError, match="最多导入 9 道题"):
        read_xlsx(data, max_rows=9)
    assert len(read_xlsx(data, max_rows=10).questions) == 10
    with pytest.raises(FormatError, match="不是有效的 .xlsx"):
        read_xlsx(b"not a spreadsheet")
    with pytest.raises(FormatError, match="旧版 .xls"):
        read_xlsx(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(FormatError, match="无法读取该 Excel 文件"):
        read_xlsx(_docx_bytes(["1. 题干", "答案：对"]))
    with pytest.raises(FormatError, match="另存为 .xlsx"):
        read_file("题库.xls", b"whatever")
    with pytest.raises(FormatError, match="不支持的文件类型"):
        read_file("题库.pdf", b"%PDF")


# ----------------------------------------------------------------------- docx


def _docx_bytes(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


NUMBERED_LAYOUT = [
    "2024 年行政执法资格考试模拟题",
    "",
    "一、单项选择题（共 2 题，每题 1 分）",
    "1. 限制人身自由的行政处罚，只能由（ ）设定。",
    "A. 法律 B. 行政法规 C. 地方性法规 D. 规章",
    "答案：A",
    "解析：《行政处罚法》第十条。",
    "2、行政处罚的实施机关是（  ）。",
    "A、具有行政处罚权的行政机关",
    "B、任何行政机关",
    "【答案】E",
    "二、多选题",
    "3．下列属于行政处罚种类的有（ ）。",
    "A．警告、通报批评B．罚款C．责令改正D．暂扣许可证件",
    "【答案】ABD",
    "【解析】责令改正不是行政处罚。",
    "知识点：公共法律知识 › 行政处罚法",
    "三、判断题",
    "4. 违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。（ ）",
    "答案：√",
    "四、填空题",
    "5. 违法行为在____年内未被发现的，不再给予行政处罚。",
    "答案：二|2",
    "五、简答题（每题 5 分）",
    "6. 简述行政处罚的种类。",
    "参考答案：",
    "1. 警告、通报批评；",
    "2. 罚款、没收违法所得、没收非法财物。",
    "7. 简述听证程序的适用情形。",
]


def test_docx_numbered_layout_imports():
    """A .docx in the usual numbered layout imports with types from the headings."""
    result = read_docx(_docx_bytes(NUMBERED_LAYOUT))
    got = [(q.type, q.key, q.blanks) for q in result.questions]
    assert got == [
        ("single", ["A"], []),
        ("multiple", ["A", "B", "D"], []),
        ("true_false", ["对"], []),
        ("fill_blank", [], [["二", "2"]]),
        ("essay", [], []),
        ("essay", [], []),
    ]
    first, multiple, _, _, essay, _ = result.questions
    assert first.options == {
        "A": "法律",
        "B": "行政法规",
        "C": "地方性法规",
        "D": "规章",
    }
    assert (first.score, first.explanation) == (Decimal("1"), "《行政处罚法》第十条。")
    assert first.source == "第3–6段"  # the empty paragraph is not counted
    assert multiple.options["D"] == "暂扣许可证件"
    assert multiple.knowledge_point == KP
    assert essay.score == Decimal("5")
    assert essay.reference_answer == (
        "1. 警告、通报批评；\n2. 罚款、没收违法所得、没收非法财物。"
    )
    assert [(i.where, i.message) for i in result.issues] == [
        ("第7–10段", "答案 E 没有对应的选项")
    ]


def test_docx_without_headings_infers_types():
    """Without section headings the type follows from options and answer."""
    result = read_docx(
        _docx_bytes(
            [
                "1. 单选题干",
                "A. 甲",
                "B. 乙",
                "答案：B",
                "2. 多选题干",
                "A. 甲",
                "B. 乙",
                "C. 丙",
                "答案：A、C",
                "3. 判断题干",
                "答案：错误",
                "4. 填空（ ）题干",
                "答案：甲；乙|丙",
                "5. 简答题干",
                "答案：要点",
            ]
        )
    )
    assert [q.type for q in result.questions] == [
        "single",
        "multiple",
        "true_false",
        "fill_blank",
        "essay",
    ]
    assert result.questions[3].blanks == [["甲"], ["乙", "丙"]]
    assert [i.severity for i in result.issues] == ["warning"]  # 1 "（ ）", 2 blanks


def test_docx_without_questions_is_refused():
    """A document with no numbered question raises a FormatError with a hint."""
    with pytest.raises(FormatError, match="题号开头"):
        read_docx(_docx_bytes(["只是一段说明文字"]))


# ----------------------------------------------------------------- Aiken, text

AIKEN = """限制人身自由的行政处罚，只能由哪一类规范设定？
A. 法律
B) 行政法规
C、规章
ANSWER: A

下列属于行政处罚种类的有：
A. 罚款
B. 责令改正
C. 暂扣许可证件
ANSWER: AC

这道题忘了写答案
A. 甲
B. 乙

第三题
A. 甲
B. 乙
ANSWER: D
"""


def test_aiken_reads_questions_and_reports_by_line():
    """Aiken questions import; a missing ANSWER and a bad key are located by line."""
    result = read_aiken(AIKEN)
    assert [(q.type, q.key, q.source) for q in result.questions] == [
        ("single", ["A"], "第1–5行"),
        ("multiple", ["A", "C"], "第7–11行"),
    ]
    assert result.questions[0].options == {"A": "法律", "B": "行政法规", "C": "规章"}
    assert [(i.where, i.message) for i in result.errors] == [
        ("第13–15行", "缺少“ANSWER: 字母”行，题目未导入"),
        ("第17–20行", "答案 D 没有对应的选项"),
    ]


GIFT_CN = """$CATEGORY: 公共法律知识/行政处罚法

// [difficulty:2] [score:1.5]
::处罚种类::下列属于行政处罚种类的是（ ）。{
    =罚款
    ~责令改正
    ~行政处分#处分不是行政处罚
    ####《行政处罚法》第九条
}

违法行为在{=二 =2}年内未被发现的，不再给予行政处罚。
"""


@pytest.mark.parametrize(
    ("name", "text", "fmt"),
    [("题库.gift", GIFT_CN, "gift"), ("题库.txt", GIFT_CN, "gift")]
    + [("题库.txt", AIKEN, "aiken"), ("题库.aiken", AIKEN, "aiken")],
)
def test_utf8_and_gbk_import_identically(name, text, fmt):
    """The same text saved as UTF-8, UTF-8 with BOM, GBK or GBK with Windows line
    ends gives the same result."""
    gbk = text.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    variants = [
        text.encode("utf-8"),
        b"\xef\xbb\xbf" + text.encode("utf-8"),
        gbk,
        text.replace("\n", "\r\n").encode("gbk"),
    ]
    results = [read_file(name, data) for data in variants]
    assert results[0].format == fmt
    assert results[0].questions
    assert all(result == results[0] for result in results)


def test_decode_text_refuses_binary_and_unknown_encodings():
    """Bytes that are neither UTF-8 nor GB18030, or contain NULs, are refused."""
    assert decode_text("行政处罚".encode("utf-16")) == "行政处罚"
    with pytest.raises(FormatError, match="UTF-8 或 GBK"):
        decode_text(b"abc\xff\xfe\xfd")
    with pytest.raises(FormatError):
        decode_text(b"PK\x03\x04\x00\x00binary")


# -------------------------------------------------------------- field parsing


@pytest.mark.parametrize(
    ("name", "type_id"),
    [
        ("单选", "single"),
        ("单项选择题", "single"),
        ("多选题", "multiple"),
        ("多项选择题", "multiple"),
        ("判断", "true_false"),
        ("填空题", "fill_blank"),
        ("简答", "essay"),
        ("案例分析题", "case"),
        (" 单选 题 ", "single"),
    ],
)
def test_type_names(name, type_id):
    """Chinese type names and variants map to the type ids."""
    assert parse_type(name) == type_id
    assert set(TYPE_NAMES.values()) == set(QUESTION_TYPES)


@pytest.mark.parametrize(
    "path",
    [
        "公共法律知识/行政处罚法",
        "公共法律知识 › 行政处罚法",
        "公共法律知识＞行政处罚法",
        " 公共法律知识 > 行政处罚法 ",
    ],
)
def test_knowledge_point_separators_are_normalised(path):
    """› ＞ > and / all become "/"."""
    assert normalise_knowledge_point(path) == KP


def test_blank_notation():
    """ "|" separates accepted answers, ";" or "；" separates blanks."""
    assert parse_blanks("行政复议|复议；行政诉讼;诉讼") == [
        ["行政复议", "复议"],
        ["行政诉讼"],
        ["诉讼"],
    ]


# ------------------------------------------------------------------ robustness

GIFT_ALPHABET = st.sampled_from(
    list("{}~=#:%\\/->[]$ \n\t")
    + ["::", "//", "####", "->", "TRUE", "$CATEGORY:"]
    + ["[html]", "[tag:", "[score:", "[difficulty:", "%50%", "%-100%", "甲", "a", "1"]
)
AIKEN_ALPHABET = st.sampled_from(
    ["A. ", "B) ", "C、", "I. ", "ANSWER: ", "答案：", "A", "AC", "对", "\n", " ", "甲"]
)


@settings(max_examples=300, deadline=None, database=None)
@given(st.one_of(st.text(), st.lists(GIFT_ALPHABET).map("".join)))
def test_read_gift_never_raises(text):
    """Arbitrary text gives a result (maybe with issues), never an exception."""
    result = read_gift(text)
    assert all(q.type in QUESTION_TYPES and q.stem for q in result.questions)
    assert all(i.severity in ("error", "warning") for i in result.issues)


@settings(max_examples=300, deadline=None, database=None)
@given(st.one_of(st.text(), st.lists(AIKEN_ALPHABET).map("".join)))
def test_read_aiken_never_raises(text):
    """Arbitrary text gives a result (maybe with issues), never an exception."""
    result = read_aiken(text)
    assert all(q.type in ("single", "multiple") for q in result.questions)


def _plain(text: str) -> bool:
    # CR is normalised to LF and noncharacters are reserved for the parser.
    return bool(text.strip()) and not re.search("[\r\ufdd0-\ufdef]", text)


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(st.text(min_size=1).filter(_plain), min_size=2, max_size=4))
def test_gift_round_trip_of_arbitrary_option_text(texts):
    """Any option text survives write_gift → read_gift."""
    options = dict(zip("ABCD", texts, strict=False))
    options = {k: v.strip() for k, v in options.items()}
    question = ImportedQuestion(type="single", stem="题干", options=options, key=["A"])
    [back] = read_gift(write_gift([question])).questions
    assert back.options == question.options
