"""Forms of the supervision screens."""

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

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
    due_on = DateField(
        "评查期限",
        validators=[Optional()],
        description="评查人须在该日期前提交评查表；到期前和逾期时会收到提醒。",
    )

    def validate_due_on(self, field):
        from casebank.queries import china_today

        if field.data is not None and field.data < china_today():
            raise ValidationError("评查期限不能早于今天")


class BulkAssignForm(AssignForm):
    case_ids = SelectMultipleField(
        "案卷", coerce=int, validators=[DataRequired("请至少勾选一件案卷")]
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
