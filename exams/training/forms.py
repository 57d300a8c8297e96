"""Forms of the training administration (Chinese labels and messages)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange

ROLE_CHOICES = [
    SelectChoice("auxiliary", "执法辅助人员"),
    SelectChoice("officer", "执法人员"),
]


class CourseForm(FlaskForm):
    title = StringField(
        "课程名称", validators=[DataRequired("请填写课程名称"), Length(max=200)]
    )
    description = TextAreaField("课程简介", validators=[Length(max=5000)])
    year = IntegerField(
        "年度",
        validators=[
            DataRequired("请填写年度"),
            NumberRange(2000, 2100, "年度应在 2000–2100 之间"),
        ],
    )
    credit_hours = DecimalField(
        "学时",
        places=1,
        validators=[
            DataRequired("请填写学时"),
            NumberRange(0.5, 200, "学时应在 0.5–200 之间"),
        ],
    )
    for_auxiliary = BooleanField("面向执法辅助人员", default=True)
    for_officer = BooleanField("面向执法人员")
    organisation_id = SelectField("面向单位（含下级）", coerce=int)
    paper_id = SelectField(
        "结业测验试卷",
        coerce=int,
        description="学完全部材料后开放；通过测验即完成课程并计入学时。",
    )
    quiz_minutes = IntegerField(
        "测验限时（分钟）",
        default=30,
        validators=[NumberRange(1, 600, "限时应在 1–600 分钟之间")],
    )
    quiz_attempts = IntegerField(
        "测验次数", default=3, validators=[NumberRange(1, 20, "次数应在 1–20 之间")]
    )
    submit = SubmitField("保存课程")

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if not (self.for_auxiliary.data or self.for_officer.data):
            self.for_auxiliary.errors = [
                *self.for_auxiliary.errors,
                "请至少选择一类学员",
            ]
            ok = False
        return ok


class TextMaterialForm(FlaskForm):
    title = StringField(
        "材料标题", validators=[DataRequired("请填写材料标题"), Length(max=200)]
    )
    body = TextAreaField(
        "正文",
        validators=[DataRequired("请填写正文"), Length(max=200_000)],
        description="可使用 <p> <b> <i> 等简单格式，其余标签会被去除。",
    )
    required_minutes = IntegerField(
        "需学习时长（分钟）",
        default=5,
        validators=[NumberRange(0, 600, "时长应在 0–600 分钟之间")],
    )
    submit = SubmitField("添加图文材料")


class UploadMaterialForm(FlaskForm):
    kind = SelectField(
        "类型",
        choices=[
            SelectChoice("pdf", "PDF 文档"),
            SelectChoice("video", "视频（MP4/WebM）"),
        ],
    )
    title = StringField(
        "材料标题", validators=[DataRequired("请填写材料标题"), Length(max=200)]
    )
    required_minutes = IntegerField(
        "需学习时长（分钟）",
        default=10,
        description="视频请填写视频时长。",
        validators=[NumberRange(0, 600, "时长应在 0–600 分钟之间")],
    )
    file = FileField("文件", validators=[FileRequired("请选择要上传的文件")])
    submit = SubmitField("上传材料")


class RequirementForm(FlaskForm):
    organisation_id = SelectField("单位（含下级）", coerce=int)
    role = SelectField("人员类别", choices=ROLE_CHOICES)
    year = IntegerField(
        "年度",
        validators=[
            DataRequired("请填写年度"),
            NumberRange(2000, 2100, "年度应在 2000–2100 之间"),
        ],
    )
    hours = DecimalField(
        "年度学时要求",
        places=1,
        validators=[NumberRange(0, 500, "学时应在 0–500 之间")],
    )
    submit = SubmitField("保存")
