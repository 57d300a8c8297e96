from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SubmitField
from wtforms.validators import Length, Optional, Regexp, ValidationError


class PreferenceForm(FlaskForm):
    email = EmailField(
        "电子邮箱",
        validators=[
            Optional(),
            Length(max=254, message="邮箱地址过长"),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="请输入正确的电子邮箱地址"),
        ],
    )
    email_enabled = BooleanField("通过电子邮件接收通知")
    sms_enabled = BooleanField("通过短信接收通知（发送到账号登记的手机号）")
    submit = SubmitField("保存")

    def __init__(self, *args, phone=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._phone = phone

    def validate_email_enabled(self, field):
        if field.data and not (self.email.data or "").strip():
            raise ValidationError("选择电子邮件接收时须填写邮箱地址")

    def validate_sms_enabled(self, field):
        if field.data and not self._phone:
            raise ValidationError("账号未登记手机号，无法通过短信接收；请联系管理员")
