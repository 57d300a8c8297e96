"""考试统计: participation, pass rates by unit and domain, score distribution and
the list of who has not sat an arrangement (issue #5, reports).

Every function reads and returns plain data (dataclasses of numbers and strings);
views render it and :mod:`exams.results.report_xlsx` writes it. Definitions:

* 应考 (expected): enrolled candidates who are not exempt. Exempt candidates are
  counted once, as 免考, and nowhere else.
* 参考 (started): expected candidates with at least one attempt; 交卷 (submitted):
  at least one closed attempt; 已评分 (graded): the candidate has a result;
  合格 (passed): that result passed. "The result" is the counted attempt of
  :mod:`exams.results.definition` (best attempt by default, per arrangement).
* 未参考 (not sat): expected candidates without a closed attempt (never started,
  or still sitting).
* 合格率 = 合格 / 已评分 (candidates whose result is known so far).
* A candidate's score is that of the counted attempt.
"""

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from exams.attempts.models import Attempt
from exams.papers.models import ArrangementCandidate
from exams.results.definition import counted_attempt
from portal.auth.models import User, user_domains
from portal.extensions import db
from portal.masking import mask_phone
from portal.orgs.models import Domain, Organisation

NO_DOMAIN = "未设置执法领域"
URGENT_BEFORE = timedelta(hours=24)

STATUS_LABELS = {
    "exempt": "免考",
    "not_started": "未参考",
    "in_progress": "考试中",
    "grading": "阅卷中",
    "passed": "合格",
    "failed": "不合格",
}

# Score bands as fractions of the paper's total: [lower, upper), the last closed.
BANDS = (
    (Decimal("0"), Decimal("0.6")),
    (Decimal("0.6"), Decimal("0.7")),
    (Decimal("0.7"), Decimal("0.8")),
    (Decimal("0.8"), Decimal("0.9")),
    (Decimal("0.9"), Decimal("1")),
)


@dataclass(frozen=True)
class CandidateOutcome:
    """One enrolled candidate and where they stand (phone already masked)."""

    user_id: int
    name: str
    username: str
    unit: str
    unit_path: str
    domains: tuple[tuple[int, str], ...]  # (domain id, name), in domain order
    phone: str
    is_exempt: bool
    exempt_reason: str
    attempts_used: int
    attempts_allowed: int
    status: str
    submitted: bool
    score: Decimal | None
    submitted_at: datetime | None
    deadline: datetime
    urgent: bool = False
    passed_result: bool = False

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def domain_names(self):
        return [name for _, name in self.domains]

    @property
    def started(self):
        return self.attempts_used > 0

    @property
    def graded(self):
        return self.score is not None

    @property
    def passed(self):
        """The counted attempt passed (also while a 补考 is being sat)."""
        return self.passed_result and not self.is_exempt


@dataclass(frozen=True)
class GroupStats:
    """Counts of one group of expected candidates (a unit, a domain, everyone)."""

    name: str
    expected: int = 0
    started: int = 0
    submitted: int = 0
    graded: int = 0
    passed: int = 0

    @property
    def not_sat(self):
        return self.expected - self.submitted

    @property
    def pass_rate(self):
        """合格 / 已评分, or ``None`` before any result."""
        return self.passed / self.graded if self.graded else None


@dataclass(frozen=True)
class Participation(GroupStats):
    enrolled: int = 0
    exempt: int = 0


@dataclass(frozen=True)
class Distribution:
    """Summary of the candidates' scores (the counted attempt each)."""

    n: int
    mean: float | None
    median: float | None
    std: float | None
    minimum: Decimal | None
    maximum: Decimal | None
    bands: list = field(default_factory=list)  # [(label, count)]


@dataclass(frozen=True)
class ArrangementReport:
    participation: Participation
    by_unit: list
    by_domain: list
    distribution: Distribution
    not_sat: list
    candidates: list
    window_state: str  # 'open' | 'closing' (≤ 24 h left) | 'closed'


def _personal_deadline(arrangement, entry):
    if entry.makeup_until and entry.makeup_until > arrangement.window_end:
        return entry.makeup_until
    return arrangement.window_end


def _status(entry, attempts, counted):
    if entry.is_exempt:
        return "exempt"
    if not attempts:
        return "not_started"
    if attempts[-1].status == "in_progress":
        return "in_progress"
    if counted is None:
        return "grading"
    return "passed" if counted.passed else "failed"


def candidate_outcomes(arrangement, now, within_paths=None):
    """Every enrolled candidate of an arrangement with their state and result.

    :param now: the current UTC time (for the "window closing" highlight).
    :param within_paths: organisation paths the viewer may see (a training admin's
        scope); ``None`` for everyone (system administrators).
    :return: a list of :class:`CandidateOutcome`, by unit then name.
    """
    stmt = (
        sa.select(ArrangementCandidate, User, Organisation)
        .join(User, ArrangementCandidate.user_id == User.id)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(ArrangementCandidate.arrangement_id == arrangement.id)
        .order_by(Organisation.path, User.name, User.id)
    )
    if within_paths is not None:
        stmt = stmt.where(
            sa.or_(
                sa.false(),
                *(
                    Organisation.path.startswith(p, autoescape=True)
                    for p in within_paths
                ),
            )
        )
    rows = db.session.execute(stmt).all()
    user_ids = [user.id for _, user, _ in rows]
    attempts = {}
    domains = {}
    if user_ids:
        for attempt in db.session.scalars(
            sa.select(Attempt)
            .where(
                Attempt.arrangement_id == arrangement.id,
                Attempt.user_id.in_(user_ids),
            )
            .order_by(Attempt.user_id, Attempt.number)
        ):
            attempts.setdefault(attempt.user_id, []).append(attempt)
        for user_id, domain_id, name in db.session.execute(
            sa.select(user_domains.c.user_id, Domain.id, Domain.name)
            .join(Domain, user_domains.c.domain_id == Domain.id)
            .where(user_domains.c.user_id.in_(user_ids))
            .order_by(Domain.id)
        ):
            domains.setdefault(user_id, []).append((domain_id, name))
    allowed = arrangement.attempts_allowed + arrangement.makeup_attempts
    outcomes = []
    for entry, user, org in rows:
        mine = attempts.get(user.id, [])
        counted = counted_attempt(mine, arrangement.result_policy)
        closed = [a for a in mine if a.status != "in_progress"]
        status = _status(entry, mine, counted)
        deadline = _personal_deadline(arrangement, entry)
        outcomes.append(
            CandidateOutcome(
                user_id=user.id,
                name=user.name,
                username=user.username,
                unit=org.name,
                unit_path=org.path,
                domains=tuple(domains.get(user.id, ())),
                phone=mask_phone(user.phone),
                is_exempt=entry.is_exempt,
                exempt_reason=entry.exempt_reason,
                attempts_used=len(mine),
                attempts_allowed=allowed,
                status=status,
                submitted=bool(closed) and not entry.is_exempt,
                score=counted.score
                if counted is not None and not entry.is_exempt
                else None,
                passed_result=counted is not None and bool(counted.passed),
                submitted_at=closed[-1].submitted_at if closed else None,
                deadline=deadline,
                urgent=not entry.is_exempt
                and not closed
                and now >= deadline - URGENT_BEFORE,
            )
        )
    return outcomes


def _count(name, outcomes):
    expected = [o for o in outcomes if not o.is_exempt]
    return GroupStats(
        name=name,
        expected=len(expected),
        started=sum(o.started for o in expected),
        submitted=sum(o.submitted for o in expected),
        graded=sum(o.graded for o in expected),
        passed=sum(o.passed for o in expected),
    )


def participation(outcomes):
    """Totals over all candidates (see the module docstring for definitions)."""
    totals = _count("合计", outcomes)
    return Participation(
        **vars(totals),
        enrolled=len(outcomes),
        exempt=sum(o.is_exempt for o in outcomes),
    )


def by_unit(outcomes):
    """:class:`GroupStats` per unit (the candidate's own organisation), in tree
    order; units with only exempt candidates are left out."""
    groups = {}
    for outcome in outcomes:
        if not outcome.is_exempt:
            groups.setdefault((outcome.unit_path, outcome.unit), []).append(outcome)
    return [_count(unit, members) for (_, unit), members in sorted(groups.items())]


def by_domain(outcomes):
    """:class:`GroupStats` per enforcement domain. A candidate with several domains
    counts in each; candidates without one are grouped under ``NO_DOMAIN``."""
    groups = {}
    for outcome in outcomes:
        if outcome.is_exempt:
            continue
        # Domain ids order the groups; the "no domain" group comes last.
        for key in outcome.domains or ((float("inf"), NO_DOMAIN),):
            groups.setdefault(key, []).append(outcome)
    return [_count(name, groups[(i, name)]) for i, name in sorted(groups)]


def _number(value):
    return format(value.normalize(), "f")


def score_distribution(outcomes, total_score):
    """Mean, median, population standard deviation, range and counts per band
    (below 60 %, 60–70 %, 70–80 %, 80–90 %, 90–100 % of the total score).

    :param total_score: the paper's total score (band limits scale with it).
    """
    scores = [o.score for o in outcomes if o.score is not None]
    bands = []
    for index, (low, high) in enumerate(BANDS):
        lo, hi = total_score * low, total_score * high
        last = index == len(BANDS) - 1
        count = sum(1 for s in scores if lo <= s and (s < hi or (last and s <= hi)))
        if index == 0:
            label = f"{_number(hi)} 分以下"
        else:
            label = f"{_number(lo)}–{_number(hi)} 分"
        bands.append((label, count))
    if not scores:
        return Distribution(0, None, None, None, None, None, bands)
    floats = [float(s) for s in scores]
    return Distribution(
        n=len(scores),
        mean=statistics.fmean(floats),
        median=float(statistics.median(scores)),
        std=statistics.pstdev(floats),
        minimum=min(scores),
        maximum=max(scores),
        bands=bands,
    )


def window_state(arrangement, now):
    """'closed' after the window, 'closing' within 24 h of its end, else 'open'."""
    if now >= arrangement.window_end:
        return "closed"
    if now >= arrangement.window_end - URGENT_BEFORE:
        return "closing"
    return "open"


def arrangement_report(arrangement, now, within_paths=None):
    """The whole 考试统计 of an arrangement.

    :param within_paths: see :func:`candidate_outcomes`.
    :return: an :class:`ArrangementReport`.
    """
    outcomes = candidate_outcomes(arrangement, now, within_paths)
    return ArrangementReport(
        participation=participation(outcomes),
        by_unit=by_unit(outcomes),
        by_domain=by_domain(outcomes),
        distribution=score_distribution(outcomes, arrangement.paper.total_score),
        not_sat=[o for o in outcomes if not o.is_exempt and not o.submitted],
        candidates=outcomes,
        window_state=window_state(arrangement, now),
    )
