"""Forms of the benchmark catalogue screens."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

CODE_RULE = Regexp(
    r"^[A-Za-z0-9_-]+$", message="编码只能包含字母、数字、下划线和短横线"
)


class CatalogueUploadForm(FlaskForm):
    file = FileField(
        "裁量基准文件",
        validators=[FileRequired("请选择要上传的文件")],
        description="zhifa.benchmarks/1 格式的 .json 文件，或按模板填写的 .xlsx 文件",
    )
    jurisdiction_id = SelectField(
        "适用辖区", coerce=int, validators=[DataRequired("请选择适用辖区")]
    )
    catalogue_id = SelectField(
        "所属目录",
        coerce=int,
        description="选择已有目录即作为其新版本导入；“自动”按辖区和目录名称匹配，找不到时新建",
    )
    code = StringField(
        "新目录编码（可选）",
        validators=[Optional(), Length(max=64), CODE_RULE],
        description="新建目录时使用；留空则自动生成",
    )
    domain_ids = SelectMultipleField(
        "执法领域",
        coerce=int,
        description="留空则按事项的“执法领域”自动识别",
    )
    publish = BooleanField("导入后立即发布")
    submit = SubmitField("上传并预览")


class CatalogueConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    filename = HiddenField()
    jurisdiction_id = HiddenField()
    catalogue_id = HiddenField()
    code = HiddenField()
    domain_ids = HiddenField()
    publish = HiddenField()
    submit = SubmitField("确认导入")


class WithdrawForm(FlaskForm):
    reason = StringField("撤回原因", validators=[Length(max=500)])
    submit = SubmitField("撤回")
