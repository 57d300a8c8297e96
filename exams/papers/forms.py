"""Forms of the authoring screens: blueprint papers and exam arrangements."""

from decimal import Decimal

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from exams.banks.models import TYPE_LABELS
from exams.papers.models import ARRANGEMENT_KINDS
from portal.auth.models import Role

# Newcomers do not know how a list box takes several choices on a computer.
MULTI_SELECT_HINT = "可多选：电脑上按住 Ctrl 键（苹果电脑按住 ⌘ 键）逐个点选"


class PaperForm(FlaskForm):
    name = StringField(
        "试卷名称", validators=[DataRequired("请填写试卷名称"), Length(max=200)]
    )
    total_score = DecimalField(
        "总分",
        default=Decimal(100),
        places=2,
        validators=[InputRequired("请填写总分"), NumberRange(min=1, max=1000)],
    )
    pass_mark = DecimalField(
        "及格分",
        default=Decimal(60),
        places=2,
        validators=[InputRequired("请填写及格分"), NumberRange(min=0, max=1000)],
    )
    pool_factor = DecimalField(
        "题量倍数（防止泄题：题库中符合条件的试题至少为抽题数的倍数）",
        default=Decimal(2),
        places=1,
        validators=[InputRequired(), NumberRange(min=1, max=20)],
    )
    kind = SelectField(
        "组卷方式",
        choices=[
            SelectChoice("blueprint", "按规则随机抽题"),
            SelectChoice("fixed", "固定试卷（手工选题）"),
        ],
    )
    multiple_policy = SelectField(
        "多选题计分",
        choices=[
            SelectChoice("all_or_nothing", "全对得分"),
            SelectChoice("partial", "少选按比例得分（错选不得分）"),
            SelectChoice("half", "少选得一半分（错选不得分）"),
        ],
    )
    submit = SubmitField("新建试卷")


class RuleForm(FlaskForm):
    bank_id = SelectField("题库", coerce=int)
    knowledge_point_id = SelectField("知识点", coerce=int)
    type = SelectField(
        "题型", choices=[SelectChoice(k, v) for k, v in TYPE_LABELS.items()]
    )
    difficulty_min = IntegerField(
        "难度下限", default=1, validators=[NumberRange(min=1, max=5)]
    )
    difficulty_max = IntegerField(
        "难度上限", default=5, validators=[NumberRange(min=1, max=5)]
    )
    count = IntegerField(
        "抽题数",
        validators=[InputRequired("请填写抽题数"), NumberRange(min=1, max=500)],
    )
    score_each = DecimalField(
        "每题分值",
        places=2,
        validators=[InputRequired("请填写分值"), NumberRange(min=0.5, max=100)],
    )
    submit = SubmitField("添加规则")


class PickForm(FlaskForm):
    question_ids = StringField(
        "试题编号",
        validators=[DataRequired("请填写试题编号")],
        description="题库中的试题编号，多个用逗号或空格分隔",
    )
    score = DecimalField(
        "每题分值",
        places=2,
        validators=[InputRequired("请填写分值"), NumberRange(min=0.5, max=100)],
    )
    submit = SubmitField("加入试卷")


class ArrangementForm(FlaskForm):
    name = StringField(
        "考试名称", validators=[DataRequired("请填写考试名称"), Length(max=200)]
    )
    kind = SelectField(
        "考试类别", choices=[SelectChoice(k, v) for k, v in ARRANGEMENT_KINDS.items()]
    )
    paper_id = SelectField("试卷", coerce=int)
    window_start = DateTimeLocalField(
        "开始时间",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("请填写开始时间")],
    )
    window_end = DateTimeLocalField(
        "结束时间",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("请填写结束时间")],
    )
    duration_minutes = IntegerField(
        "考试时长（分钟）", default=90, validators=[NumberRange(min=1, max=600)]
    )
    attempts_allowed = IntegerField(
        "考试次数", default=1, validators=[NumberRange(min=1, max=10)]
    )
    makeup_attempts = IntegerField(
        "补考次数", default=1, validators=[NumberRange(min=0, max=5)]
    )
    tab_switch_limit = IntegerField(
        "切屏达到几次自动交卷（0 = 不限）",
        default=3,
        validators=[NumberRange(min=0, max=50)],
    )
    allow_device_change = BooleanField(
        "允许更换设备继续作答",
        default=True,
        description="不勾选时，考生只能在开始考试的设备（浏览器）上继续作答；"
        "确需更换的，由考试管理员在答卷监控中放行",
    )
    release_policy = SelectField(
        "成绩公布",
        choices=[
            SelectChoice("after_window", "考试结束后公布"),
            SelectChoice("immediate", "交卷后立即公布"),
            SelectChoice("manual", "人工公布"),
        ],
    )
    show_answers = BooleanField("公布后允许考生查看答案、解析和法律依据")
    prerequisite_id = SelectField(
        "前置考试（资格-通用须先通过资格-专门）", coerce=int, default=0
    )
    organisation_id = SelectField("参考单位（含下级）", coerce=int)
    domain_ids = SelectMultipleField(
        "执法领域（不选则不限）",
        coerce=int,
        default=[],
        description=MULTI_SELECT_HINT,
    )
    roles = SelectMultipleField(
        "参考人员类别",
        description=MULTI_SELECT_HINT,
        choices=[
            SelectChoice(Role.OFFICER.value, "执法人员"),
            SelectChoice(Role.AUXILIARY.value, "执法辅助人员"),
        ],
        default=[Role.OFFICER.value],
    )
    save_as_draft = BooleanField(
        "保存为草稿（暂不通知考生，核对后再发布）", default=False
    )
    submit = SubmitField("发布考试安排")


class CandidateListForm(FlaskForm):
    file = FileField(
        "考生名单（.xlsx，第一列为用户名或身份证号）",
        validators=[FileRequired("请选择要上传的文件")],
    )
    submit = SubmitField("导入名单")


class CandidateAddForm(FlaskForm):
    """One candidate added by hand (without preparing an .xlsx list)."""

    login = StringField(
        "用户名或身份证号",
        validators=[DataRequired("请填写考生的用户名或身份证号"), Length(max=64)],
    )
    submit = SubmitField("添加考生")


class CandidateAdjustForm(FlaskForm):
    login = StringField(
        "考生（用户名或身份证号）", validators=[DataRequired("请填写考生")]
    )
    action = SelectField(
        "调整",
        choices=[
            SelectChoice("exempt", "免考（须填写理由）"),
            SelectChoice("extra", "延长考试时间（分钟）"),
            SelectChoice("makeup", "单独补考截止时间"),
        ],
    )
    reason = StringField("免考理由", validators=[Length(max=200)])
    extra_minutes = IntegerField(
        "延长分钟数", default=0, validators=[NumberRange(min=0, max=600)]
    )
    makeup_until = DateTimeLocalField(
        "补考截止", format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    submit = SubmitField("保存调整")


class PaperSettingsForm(FlaskForm):
    """A paper's settings, editable until the paper is used."""

    name = StringField(
        "试卷名称", validators=[DataRequired("请填写试卷名称"), Length(max=200)]
    )
    total_score = DecimalField(
        "总分",
        places=2,
        validators=[InputRequired("请填写总分"), NumberRange(min=1, max=1000)],
    )
    pass_mark = DecimalField(
        "及格分",
        places=2,
        validators=[InputRequired("请填写及格分"), NumberRange(min=0, max=1000)],
    )
    pool_factor = DecimalField(
        "题量倍数",
        places=1,
        validators=[InputRequired("请填写题量倍数"), NumberRange(min=1, max=20)],
    )
    multiple_policy = SelectField(
        "多选题计分", choices=PaperForm.multiple_policy.kwargs["choices"]
    )
    submit = SubmitField("保存试卷设置")


class CopyPaperForm(FlaskForm):
    name = StringField(
        "新试卷名称", validators=[DataRequired("请填写新试卷名称"), Length(max=200)]
    )
    submit = SubmitField("复制为新试卷")


class ArrangementEditForm(FlaskForm):
    """What may change before the first start."""

    name = StringField(
        "考试名称", validators=[DataRequired("请填写考试名称"), Length(max=200)]
    )
    window_start = DateTimeLocalField(
        "开始时间",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("请填写开始时间")],
    )
    window_end = DateTimeLocalField(
        "结束时间",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("请填写结束时间")],
    )
    duration_minutes = IntegerField(
        "考试时长（分钟）", validators=[NumberRange(min=1, max=600)]
    )
    attempts_allowed = IntegerField("考试次数", validators=[NumberRange(min=1, max=10)])
    makeup_attempts = IntegerField("补考次数", validators=[NumberRange(min=0, max=5)])
    tab_switch_limit = IntegerField(
        "切屏达到几次自动交卷（0 = 不限）", validators=[NumberRange(min=0, max=50)]
    )
    allow_device_change = BooleanField("允许更换设备继续作答")
    release_policy = SelectField(
        "成绩公布", choices=ArrangementForm.release_policy.kwargs["choices"]
    )
    show_answers = BooleanField("公布后允许考生查看答案、解析和法律依据")
    submit = SubmitField("保存修改")


class PostponeForm(FlaskForm):
    new_start = DateTimeLocalField(
        "延期后的开始时间（结束时间顺延相同时长）",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("请填写新的开始时间")],
    )
    submit = SubmitField("延期")


class CancelForm(FlaskForm):
    reason = StringField(
        "取消原因",
        validators=[DataRequired("请填写取消原因"), Length(max=200)],
    )
    submit = SubmitField("取消考试")


class AddItemsForm(FlaskForm):
    """Ticked search results (``question_id`` checkboxes) and their score."""

    score = DecimalField(
        "每题分值",
        places=2,
        default=Decimal(2),
        validators=[InputRequired("请填写分值"), NumberRange(min=0.5, max=100)],
    )
    submit = SubmitField("加入所选试题")


def first_error(form):
    """The first validation error of ``form`` as “字段：原因”, for a flash message."""
    for name, errors in form.errors.items():
        if errors:
            field = getattr(form, name, None)
            label = field.label.text if field is not None else name
            return f"{label}：{errors[0]}"
    return "请检查填写的内容"
