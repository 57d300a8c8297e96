from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from portal.auth.idcard import id_number_error


def _id_number(form, field):
    if field.data and (error := id_number_error(field.data)):
        from wtforms.validators import ValidationError

        raise ValidationError(error)


class UserForm(FlaskForm):
    username = StringField(
        "用户名",
        validators=[
            DataRequired("请输入用户名"),
            Length(min=3, max=64, message="用户名 3–64 个字符"),
            Regexp(
                r"^[A-Za-z0-9_.-]+$",
                message="用户名只能包含字母、数字、下划线、点和短横线",
            ),
        ],
    )
    name = StringField(
        "姓名",
        validators=[DataRequired("请输入姓名"), Length(max=64, message="姓名过长")],
    )
    id_number = StringField("身份证号", validators=[Optional(), _id_number])
    phone = StringField(
        "手机号",
        validators=[Optional(), Regexp(r"^1\d{10}$", message="手机号应为 11 位数字")],
    )
    organisation_id = SelectField("所属单位", coerce=int)
    cert_number = StringField(
        "执法证号", validators=[Optional(), Length(max=32, message="执法证号过长")]
    )
    contact_point = StringField(
        "联系点（特邀监督员）", validators=[Optional(), Length(max=100, message="过长")]
    )
    domain_ids = SelectMultipleField("执法领域", coerce=int)
    submit = SubmitField("保存")


class UserEditForm(UserForm):
    username = None  # the login name is fixed once created


class GrantRoleForm(FlaskForm):
    role = SelectField("角色")
    scope_id = SelectField("负责范围（限定角色需选择）", coerce=int)
    submit = SubmitField("授予角色")


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField("关键词", validators=[Optional()])
    organisation_id = SelectField("单位", coerce=int, validate_choice=False)
    role = SelectField("角色", validate_choice=False)
