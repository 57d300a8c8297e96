"""Forms of the supervision screens."""

from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from casebank.supervision.sampling import MAX_SEED


class SampleDrawForm(FlaskForm):
    agency_id = SelectField(
        "执法部门", coerce=int, validators=[DataRequired("请选择执法部门")]
    )
    period = StringField(
        "期间",
        description="按决定日期：YYYY-MM（月，如 2026-03）或 YYYY-Qn（季度，如 2026-Q1）",
        validators=[DataRequired("请填写期间"), Length(max=8)],
    )
    rate_percent = DecimalField(
        "抽取比例（%）",
        places=2,
        validators=[
            DataRequired("请填写抽取比例"),
            NumberRange(min=0.01, max=100, message="抽取比例应在 0.01% 至 100% 之间"),
        ],
    )
    seed = IntegerField(
        "随机种子（可选）",
        description="留空则随机生成；相同种子与相同候选案卷得到相同的抽取结果",
        validators=[
            Optional(),
            NumberRange(min=0, max=MAX_SEED, message="随机种子应为非负整数"),
        ],
    )


class AssignForm(FlaskForm):
    assignee_id = SelectField(
        "评查人", coerce=int, validators=[DataRequired("请选择评查人")]
    )


class DeclarationForm(FlaskForm):
    organisation_id = SelectField(
        "单位", coerce=int, validators=[DataRequired("请选择单位")]
    )
    reason = TextAreaField(
        "申报理由",
        validators=[
            DataRequired("请填写申报理由"),
            Length(max=500, message="申报理由不超过 500 字"),
        ],
    )
