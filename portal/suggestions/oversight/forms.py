"""Forms of the oversight part (CSRF through Flask-WTF)."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ObservationForm(FlaskForm):
    form_token = HiddenField()
    text = TextAreaField(
        "监督员意见",
        validators=[
            DataRequired("请填写监督员意见"),
            Length(max=5000, message="监督员意见不能超过 5000 字"),
        ],
    )
    submit = SubmitField("提交意见")


class EscalationForm(FlaskForm):
    form_token = HiddenField()
    reason = TextAreaField(
        "转办理由",
        validators=[
            DataRequired("请填写转办理由"),
            Length(max=5000, message="转办理由不能超过 5000 字"),
        ],
    )
    doc_number = StringField(
        "处罚决定书文号（可选）",
        validators=[Optional(), Length(max=100, message="文号不能超过 100 字")],
        description="如填写，系统会在该执法部门的案卷中查找同一文号并关联。",
    )
    submit = SubmitField("转案卷评查")


class HandleEscalationForm(FlaskForm):
    note = TextAreaField(
        "处理情况",
        validators=[
            DataRequired("请填写处理情况"),
            Length(max=5000, message="处理情况不能超过 5000 字"),
        ],
    )
    submit = SubmitField("标记为已处理")
