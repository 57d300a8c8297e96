from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Optional


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # GET filter form

    action = SelectField("操作", validate_choice=False)
    actor = StringField("操作人", validators=[Optional()])
    target = StringField("对象", validators=[Optional()])
    ip = StringField("IP 地址", validators=[Optional()])
    date_from = DateField("开始日期", validators=[Optional()])
    date_to = DateField("结束日期", validators=[Optional()])
