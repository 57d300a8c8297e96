"""Forms of the bank screens: new bank, question import upload and confirm, question edit."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp


class BankForm(FlaskForm):
    code = StringField(
        "题库编码",
        validators=[
            DataRequired("请填写题库编码"),
            Length(max=64),
            Regexp(
                r"^[A-Za-z0-9_-]+$", message="编码只能包含字母、数字、下划线和短横线"
            ),
        ],
    )
    name = StringField(
        "题库名称", validators=[DataRequired("请填写题库名称"), Length(max=200)]
    )
    submit = SubmitField("新建题库")


class UploadForm(FlaskForm):
    file = FileField("试题文件", validators=[FileRequired("请选择要上传的文件")])
    submit = SubmitField("上传并预览")


class ConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    filename = HiddenField()
    submit = SubmitField("确认导入")
