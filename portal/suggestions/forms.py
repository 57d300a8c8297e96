"""The public submission and tracking forms."""

import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
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
    Optional,
    ValidationError,
)

from portal.suggestions.models import CATEGORY_LABELS
from portal.timeutil import to_local, utcnow

PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")


class ChineseDateField(DateField):
    """A date field whose parse error is in Chinese."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValidationError("日期格式不正确，请使用 年-月-日") from exc


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SuggestionForm(FlaskForm):
    form_token = HiddenField(validators=[DataRequired(), Length(min=16, max=64)])
    category = RadioField(
        "问题类别",
        choices=[SelectChoice(c.value, label) for c, label in CATEGORY_LABELS.items()],
        validators=[InputRequired(message="请选择问题类别")],
    )
    organisation_id = SelectField(
        "涉及的执法部门或地区",
        coerce=int,
        validate_choice=True,
        description="不清楚时可只选择所在区县或街道，或选择“不清楚”。",
    )
    place = StringField(
        "发生地点",
        filters=[_strip],
        validators=[Optional(), Length(max=200, message="地点不能超过 200 字")],
    )
    occurred_on = ChineseDateField("发生日期", validators=[Optional()])
    description = TextAreaField(
        "具体情况",
        filters=[_strip],
        validators=[
            DataRequired(message="请填写具体情况"),
            Length(min=10, max=5000, message="具体情况应为 10 至 5000 字"),
        ],
        description="请写明时间、经过、涉及的执法人员或单位、您的诉求。",
    )
    is_anonymous = BooleanField("匿名提交（不留联系方式，将无法电话回访）")
    contact_phone = StringField(
        "联系电话",
        filters=[_strip],
        validators=[Length(max=20)],
        description="仅用于核实和回访，显示时会隐去中间四位。",
    )
    contact_name = StringField(
        "姓名（可不填）",
        filters=[_strip],
        validators=[Optional(), Length(max=50, message="姓名不能超过 50 字")],
    )
    hide_name = BooleanField("不公开我的姓名", default=True)
    sms_notify = BooleanField(
        "办理进展短信通知我",
        default=False,
        description="勾选后，在受理、不予受理、合并办理、作出答复和答复公开时，"
        "向您填写的手机号码发送一条短信，只含受理编号、办理状态和查询网址，"
        "不含反映内容和您的姓名；短信费用由平台承担。需填写手机号码。",
    )
    attachments = MultipleFileField("附件（可选）")
    captcha = StringField(
        "验证码",
        filters=[_strip],
        validators=[DataRequired(message="请输入验证码")],
        description="请输入图中算式的结果，看不清可点击图片更换。",
    )
    consent = BooleanField(
        "我已阅读并同意上述个人信息处理说明",
        validators=[DataRequired(message="请阅读并同意个人信息处理说明")],
    )
    submit = SubmitField("提交")

    def validate_contact_phone(self, field):
        if self.is_anonymous.data:
            return
        if not field.data:
            raise ValidationError("请填写联系电话，或选择匿名提交")
        if not PHONE.match(field.data):
            raise ValidationError("请填写 11 位手机号码或带区号的固定电话")
        if self.sms_notify.data and not MOBILE.match(field.data):
            raise ValidationError("短信通知需要填写 11 位手机号码")

    def validate_occurred_on(self, field):
        if field.data and field.data > to_local(utcnow()).date():
            raise ValidationError("发生日期不能晚于今天")


class TrackForm(FlaskForm):
    number = StringField(
        "受理编号",
        filters=[_strip],
        validators=[DataRequired(message="请输入受理编号"), Length(max=32)],
    )
    code = StringField(
        "查询码",
        filters=[_strip],
        validators=[DataRequired(message="请输入查询码"), Length(max=32)],
    )
    submit = SubmitField("查询")
