from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    login = StringField(
        "用户名或身份证号", validators=[DataRequired("请输入用户名或身份证号")]
    )
    password = PasswordField("密码", validators=[DataRequired("请输入密码")])
    # Shown only after repeated failures for the typed login name (views.login).
    captcha = StringField("验证码", description="请输入图片中算式的结果")
    submit = SubmitField("登录")


class ChangePasswordForm(FlaskForm):
    old_password = PasswordField(
        "当前密码", validators=[DataRequired("请输入当前密码")]
    )
    new_password = PasswordField(
        "新密码",
        validators=[DataRequired("请输入新密码"), Length(max=128, message="密码过长")],
        description=(
            "至少 8 位，包含大写字母、小写字母、数字、符号中的至少三类；"
            "不能是常见密码，不能包含用户名或身份证号"
        ),
    )
    confirm = PasswordField(
        "确认新密码",
        validators=[
            DataRequired("请再次输入新密码"),
            EqualTo("new_password", message="两次输入的新密码不一致"),
        ],
    )
    submit = SubmitField("修改密码")


class PhotoForm(FlaskForm):
    """Upload of an ID photo (证件照); the content is checked by portal.auth.photos."""

    photo = FileField(
        "证件照",
        validators=[FileRequired("请选择要上传的照片")],
        description=(
            "JPG 或 PNG 图片，不超过 2 MB、2000×2000 像素；建议白底或蓝底免冠正面照，"
            "竖幅（宽:高约 5:7）。照片中的拍摄地点等附加信息会被清除。"
        ),
        render_kw={"accept": "image/jpeg,image/png"},
    )
    submit = SubmitField("上传照片")
