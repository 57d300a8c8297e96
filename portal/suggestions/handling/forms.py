"""Handling forms. Each carries the item's ``version`` (optimistic lock)."""

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from portal.locking import VersionedForm
from portal.suggestions.handling.feedback import RATING_LABELS


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _required_text(label, missing, limit=1000, what="理由", minimum=None):
    """A stripped, required text area of at most ``limit`` characters."""
    if minimum:
        length = Length(
            min=minimum, max=limit, message=f"{what}应为 {minimum} 至 {limit} 字"
        )
    else:
        length = Length(max=limit, message=f"{what}不能超过 {limit} 字")
    return TextAreaField(
        label,
        filters=[_strip],
        validators=[DataRequired(message=missing), length],
    )


class AcceptForm(VersionedForm):
    submit = SubmitField("受理")


class RejectForm(VersionedForm):
    reason = _required_text(
        "不予受理理由（将向反映人公开）", "请填写不予受理的理由", 2000
    )
    submit = SubmitField("不予受理")


class MergeForm(VersionedForm):
    target_number = StringField(
        "主件受理编号",
        filters=[_strip],
        validators=[DataRequired(message="请填写主件的受理编号"), Length(max=32)],
    )
    note = TextAreaField(
        "合并说明（内部）",
        filters=[_strip],
        validators=[Optional(), Length(max=500, message="说明不能超过 500 字")],
    )
    submit = SubmitField("合并到主件")


class AssignForm(VersionedForm):
    agency_id = SelectField("办理部门", coerce=int, validate_choice=True)
    handler_id = SelectField("指定经办人（可不选）", coerce=int, validate_choice=True)
    # Bounds come from the configuration (the service checks them again); the
    # field is ignored when an item in 办理中 changes agency (the deadline stays).
    deadline_workdays = IntegerField(
        "办理期限（工作日）",
        validators=[
            Optional(),
            NumberRange(min=1, max=365, message="请填写有效的工作日数"),
        ],
    )
    submit = SubmitField("转交办理")


class AgencyReturnForm(VersionedForm):
    reason = _required_text(
        "退单理由（说明为何不属于本单位职责，以及应由哪个部门办理）",
        "请填写退单理由",
        1000,
        "退单理由",
        minimum=5,
    )
    submit = SubmitField("退单")


class ExtendForm(VersionedForm):
    reason = _required_text("延期理由", "请填写延期理由")
    submit = SubmitField("批准延期")


class RefuseExtensionForm(VersionedForm):
    note = _required_text("不予延期的理由", "请填写不予延期的理由")
    submit = SubmitField("不予延期")


class ExtensionRequestForm(VersionedForm):
    reason = _required_text("申请延期的理由", "请填写申请延期的理由")
    submit = SubmitField("申请延期")


class ApproveForm(VersionedForm):
    submit = SubmitField("审核通过")


class ReturnForm(VersionedForm):
    reason = _required_text("退回理由", "请填写退回理由")
    submit = SubmitField("退回修改")


class PublishForm(VersionedForm):
    description = TextAreaField(
        "公开的反映内容（反映人原文不公开，只公开此处编辑后的内容；留空则不公开）",
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[Optional(), Length(max=5000, message="反映内容不能超过5000字")],
    )
    text = _required_text(
        "公开的答复内容（已隐去电话、身份证号，请再检查姓名等个人信息）",
        "请填写公开的答复内容",
        5000,
        "答复",
    )
    submit = SubmitField("公开答复")


class ReplyForm(VersionedForm):
    text = _required_text("答复内容", "请填写答复内容", 5000, "答复内容", minimum=10)
    attachments = MultipleFileField("附件（可选，JPEG、PNG 或 PDF）")
    submit = SubmitField("提交审核")


class _TrackedItemForm(FlaskForm):
    """Names the item the page was rendered for; the view refuses the POST unless
    it matches the session grant (another tab may have looked up another item)."""

    number = HiddenField(validators=[Optional()])


class RateForm(_TrackedItemForm):
    rating = RadioField(
        "满意程度",
        coerce=int,
        choices=[SelectChoice(v, label) for v, label in RATING_LABELS.items()],
        validators=[InputRequired(message="请选择满意程度")],
    )
    comment = TextAreaField(
        "评价意见（可不填）",
        filters=[_strip],
        validators=[Optional(), Length(max=500, message="评价意见不能超过 500 字")],
    )
    submit = SubmitField("提交评价")


class ContestForm(_TrackedItemForm):
    reason = _required_text("异议理由", "请填写异议理由", what="异议理由")
    submit = SubmitField("提出异议")
