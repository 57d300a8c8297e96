"""Forms of the law library."""

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from portal.laws.models import LEVELS


class ProvisionForm(FlaskForm):
    name = StringField(
        "法规名称", validators=[DataRequired("请填写法规名称"), Length(max=200)]
    )
    level = SelectField("效力级别", choices=[SelectChoice(x, x) for x in LEVELS[1:]])
    issuer = StringField("制定机关", validators=[Optional(), Length(max=100)])
    effective_date = DateField("施行日期", validators=[Optional()])
    articles = TextAreaField(
        "条文",
        validators=[DataRequired("请至少填写一条条文")],
        description="每条一段，以“第N条”开头，例如：第四十二条 违反本条例……",
    )
    submit = SubmitField("保存")
