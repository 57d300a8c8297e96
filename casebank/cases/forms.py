"""Forms of the case-file screens."""

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    DateField,
    DecimalField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class CaseAddForm(FlaskForm):
    agency_id = SelectField("执法部门", coerce=int)
    files = MultipleFileField(
        "决定书文件",
        description="可一次选择多个文件或一个 zip 压缩包；支持 .txt（UTF-8 或 GBK）、"
        ".docx、带文字层的 .pdf",
    )
    text = TextAreaField(
        "或粘贴决定书全文", validators=[Optional(), Length(max=200_000)]
    )


class CaseMetadataForm(FlaskForm):
    doc_number = StringField("文号", validators=[Optional(), Length(max=100)])
    agency_id = SelectField(
        "执法部门", coerce=int, validators=[DataRequired("请选择执法部门")]
    )
    decision_date = DateField("决定日期", validators=[Optional()])
    party_type = SelectField(
        "当事人类型",
        choices=[
            SelectChoice("", "未识别"),
            SelectChoice("individual", "个人"),
            SelectChoice("organization", "单位"),
        ],
    )
    fine_yuan = DecimalField(
        "罚款金额（元）",
        places=2,
        validators=[Optional(), NumberRange(min=0, message="罚款金额不能为负数")],
    )


class CsrfOnlyForm(FlaskForm):
    """A button form: only its CSRF token is checked."""
