"""Forms of the 监督意见书 screens (all with CSRF)."""

import re

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from portal.locking import VersionedForm

# Control characters (other than tab, newline, CR) pasted from other programs: they
# are invisible, and an XML document (the Word export) cannot hold them.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def strip_control(value):
    """Form filter: remove control characters from a text field's input."""
    return CONTROL_CHARS.sub("", value) if isinstance(value, str) else value


CLEAN = [strip_control]

TOKEN = Regexp(r"^[A-Za-z0-9_-]{16,64}$", message="表单已失效，请刷新页面后重试")


class IssueForm(FlaskForm):
    form_token = HiddenField(
        validators=[DataRequired("表单已失效，请刷新页面后重试"), TOKEN]
    )
    review_id = HiddenField()
    problems = TextAreaField(
        "发现的问题",
        filters=CLEAN,
        validators=[DataRequired("请填写发现的问题"), Length(max=10_000)],
    )
    opinion = TextAreaField(
        "监督意见和整改要求",
        filters=CLEAN,
        validators=[DataRequired("请填写监督意见和整改要求"), Length(max=10_000)],
    )
    legal_basis = TextAreaField(
        "法律依据（选填）", filters=CLEAN, validators=[Optional(), Length(max=5_000)]
    )
    deadline_workdays = IntegerField(
        "整改期限（工作日）",
        validators=[InputRequired("请填写整改期限")],
        description="自签发之日起计算，签发当日不计入；节假日按工作日历扣除。",
    )

    def set_bounds(self, low, high):
        self.deadline_workdays.validators = [
            InputRequired("请填写整改期限"),
            NumberRange(low, high, message=f"整改期限应为 {low} 至 {high} 个工作日"),
        ]


class ReplyForm(VersionedForm):
    text = TextAreaField(
        "整改情况",
        filters=CLEAN,
        validators=[DataRequired("请填写整改情况"), Length(max=10_000)],
    )
    attachments = MultipleFileField(
        "附件（选填）",
        description="整改材料的照片（JPEG、PNG）或 PDF 文件。",
    )


class AcceptForm(VersionedForm):
    note = TextAreaField(
        "审核意见（选填）",
        filters=CLEAN,
        validators=[Optional(), Length(max=2_000)],
    )


class ReturnForm(VersionedForm):
    reason = TextAreaField(
        "退回理由",
        filters=CLEAN,
        validators=[DataRequired("请填写退回理由"), Length(max=2_000)],
    )


class DeadlineForm(VersionedForm):
    deadline_workdays = IntegerField(
        "整改期限（工作日）", validators=[InputRequired("请填写整改期限")]
    )
    reason = TextAreaField(
        "变更理由",
        filters=CLEAN,
        validators=[DataRequired("请填写变更理由"), Length(max=2_000)],
    )

    def set_bounds(self, low, high):
        self.deadline_workdays.validators = [
            InputRequired("请填写整改期限"),
            NumberRange(low, high, message=f"整改期限应为 {low} 至 {high} 个工作日"),
        ]
