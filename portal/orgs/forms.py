from flask_wtf import FlaskForm
from wtforms import (
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, Regexp

from portal.orgs.models import ORG_KIND_LABELS


class OrgForm(FlaskForm):
    code = StringField(
        "组织编码",
        validators=[
            DataRequired("请输入组织编码"),
            Length(max=32, message="编码不超过 32 个字符"),
            Regexp(
                r"^[A-Za-z0-9_-]+$", message="编码只能包含字母、数字、下划线和短横线"
            ),
        ],
    )
    name = StringField(
        "名称",
        validators=[DataRequired("请输入名称"), Length(max=100, message="名称过长")],
    )
    kind = SelectField(
        "类型", choices=[SelectChoice(k.value, v) for k, v in ORG_KIND_LABELS.items()]
    )
    parent_id = SelectField("上级组织", coerce=int, validate_choice=True)
    domain_ids = SelectMultipleField("执法领域（执法部门填写）", coerce=int)
    submit = SubmitField("保存")


class OrgEditForm(FlaskForm):
    name = StringField(
        "名称",
        validators=[DataRequired("请输入名称"), Length(max=100, message="名称过长")],
    )
    domain_ids = SelectMultipleField("执法领域", coerce=int)
    submit = SubmitField("保存")
