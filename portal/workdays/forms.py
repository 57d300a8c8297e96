from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import DataRequired, Length


class DayForm(FlaskForm):
    day = DateField("日期", validators=[DataRequired(message="请选择日期")])
    kind = RadioField(
        "安排",
        choices=[
            SelectChoice("holiday", "放假（节假日）"),
            SelectChoice("workday", "上班（调休工作日）"),
        ],
        default="holiday",
        validators=[DataRequired(message="请选择安排")],
    )
    note = StringField(
        "说明", validators=[Length(max=50, message="说明不能超过 50 个字")]
    )
    submit = SubmitField("保存")


class LoadYearForm(FlaskForm):
    """Only the CSRF token: the year comes from the page."""
