"""Training administrators open or close a bank for practice (audited).

Routes are on the ``practice_admin`` blueprint, at /admin/exams next to the bank screens.
"""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from exams.banks.queries import bank_or_404, may_write_bank
from exams.common import ADMINS
from exams.practice.services import set_bank_practice
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.extensions import db

bp = Blueprint("practice_admin", __name__)


@bp.post("/banks/<int:bank_id>/practice")
@roles_required(*ADMINS)
def toggle_bank_practice(bank_id):
    """Open (``open=1``) or close (``open=0``) a bank for candidates' practice."""
    bank = bank_or_404(bank_id)
    wanted = request.form.get("open")
    if wanted not in ("0", "1"):
        abort(400)
    if not may_set_practice(current_user, bank):
        abort(403)
    if set_bank_practice(bank, wanted == "1", Actor.from_request()):
        db.session.commit()
    flash(
        "已开放练习：考生可在“练习”中练习本题库的试题。"
        if bank.is_practice_open
        else "已关闭练习：本题库的试题不再用于练习。",
        "success",
    )
    return redirect(url_for("exam_banks.show_bank", bank_id=bank.id))


def may_set_practice(user, bank):
    """The practice switch follows the bank write rule (exams.banks.queries)."""
    return may_write_bank(user, bank)
