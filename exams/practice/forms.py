"""Forms of the practice pages (CSRF comes with FlaskForm and CSRFProtect)."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectChoice, SelectMultipleField
from wtforms.validators import AnyOf, InputRequired, NumberRange, Optional

from exams.practice.display import TYPE_LABELS
from exams.practice.models import SESSION_MODES
from exams.practice.queries import PRACTICE_TYPES
from exams.practice.services import MAX_COUNT

COUNT_CHOICES = (5, 10, 20, 30, 50)


class StartForm(FlaskForm):
    """Start a practice set; which fields matter depends on ``mode`` (the
    knowledge points, ``knowledge_point_id`` values, are checked by the service)."""

    mode = HiddenField(
        validators=[AnyOf(list(SESSION_MODES), message="未知的练习方式")]
    )
    count = IntegerField(
        "题量",
        default=10,
        validators=[
            InputRequired("请填写题量"),
            NumberRange(1, MAX_COUNT, f"题量应在 1 至 {MAX_COUNT} 之间"),
        ],
    )
    types = SelectMultipleField(
        "题型",
        choices=[SelectChoice(t, TYPE_LABELS[t]) for t in PRACTICE_TYPES],
        validators=[Optional()],
    )
