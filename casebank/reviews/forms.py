"""Forms of the review screens. The sheet's per-item inputs are read from the
request (their names carry the item id); the form carries CSRF, opinion and the
optimistic-lock version."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import HiddenInput

from portal.locking import VersionedForm


class ReviewSheetForm(VersionedForm):
    """The sheet; ``version`` (portal.locking) is 0 for a sheet not saved yet."""

    opinion = TextAreaField("评查意见", validators=[Length(max=5000)])
    template_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    # The pressed button's value (save / submit) is read from the request: a
    # hidden field of the same name would come first and hide it.


class LabelForm(FlaskForm):
    decision = RadioField(
        "标注",
        choices=[SelectChoice("confirmed", "确认"), SelectChoice("dismissed", "驳回")],
        validators=[InputRequired(message="请选择“确认”或“驳回”")],
    )
    reason = TextAreaField("驳回理由", validators=[Length(max=1000)])


class TemplateForm(FlaskForm):
    text = TextAreaField(
        "模板内容",
        validators=[DataRequired(message="请填写模板内容"), Length(max=20000)],
    )
