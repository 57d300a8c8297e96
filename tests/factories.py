"""Test data factories: plain callables over the real services and models."""

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta

from portal.actor import Actor
from portal.admin.services import create_user, grant_role
from portal.auth.idcard import make_id_number
from portal.auth.models import Role
from portal.extensions import db
from portal.orgs.models import DEFAULT_DOMAINS
from portal.orgs.services import create_org, ensure_domains

PASSWORD = "Passw0rd!"
_counter = itertools.count(1)


def _id_number(n):
    """A valid ID number unique per factory call of this process: the sequence
    digits repeat every 1,000 calls, so the birth date moves on a day each time
    (users committed on a browser test's live server outlive their test)."""
    birth = date(1990, 1, 1) + timedelta(days=n // 1000)
    return make_id_number(f"420102{birth:%Y%m%d}{n % 1000:03d}")


@dataclass
class World:
    city: object
    district: object
    other_district: object
    town: object
    agency: object
    other_agency: object
    users: dict = field(default_factory=dict)  # role value -> User


class Factories:
    def org(self, name, kind, parent=None, code=None, domains=()):
        code = code or f"T{next(_counter):05d}"
        org = create_org(code, name, kind, parent, Actor.system(), domains=domains)
        db.session.commit()
        return org

    def user(
        self,
        username=None,
        role=None,
        scope=None,
        organisation=None,
        password=PASSWORD,
        must_change_password=False,
        **fields,
    ):
        n = next(_counter)
        username = username or f"user{n}"
        user, _ = create_user(
            Actor.system(),
            username=username,
            name=fields.pop("name", f"测试用户{n}"),
            organisation=organisation,
            id_number=fields.pop("id_number", _id_number(n)),
            password=password,
            audited=False,
            **fields,
        )
        user.must_change_password = must_change_password
        if role is not None:
            grant_role(user, Role(role), Actor.system(), scope=scope)
        db.session.commit()
        return user

    def world(self):
        domains = {d.code: d for d in ensure_domains(DEFAULT_DOMAINS)}
        city = self.org("测试市", "city", code="C")
        district = self.org("甲区", "district", city, code="C-A")
        other = self.org("乙县", "district", city, code="C-B")
        town = self.org("甲区一街道", "town", district, code="C-A-1")
        agency = self.org(
            "甲区城管局",
            "agency",
            district,
            code="C-A-CG",
            domains=[domains["chengguan"]],
        )
        other_agency = self.org(
            "乙县市场监管局",
            "agency",
            other,
            code="C-B-SJ",
            domains=[domains["market"]],
        )
        world = World(city, district, other, town, agency, other_agency)
        scopes = {
            Role.TRAINING_ADMIN: district,
            Role.SUPERVISION_STAFF: city,
            Role.INVITED_SUPERVISOR: district,
            Role.AGENCY_HANDLER: agency,
        }
        # Where each user works: supervision staff at an office outside the
        # agencies (no conflict of interest with either), sys admins at the city,
        # everyone else at the agency.
        homes = {Role.SYS_ADMIN: city, Role.SUPERVISION_STAFF: town}
        for index, role in enumerate(Role):
            world.users[role.value] = self.user(
                username=role.value,
                role=role,
                scope=scopes.get(role),
                organisation=homes.get(role, agency),
                # Outside the range of user(): the world may outlive many tests.
                id_number=make_id_number(f"42010219800101{index:03d}"),
            )
        return world

    def ids(self, world):
        """The primary keys of a world, to load it again in another session."""
        orgs = ("city", "district", "other_district", "town", "agency", "other_agency")
        return {
            "orgs": {name: getattr(world, name).id for name in orgs},
            "users": {role: user.id for role, user in world.users.items()},
        }

    def load_world(self, ids):
        """The world whose keys :meth:`ids` returned, from the current session."""
        from portal.auth.models import User
        from portal.orgs.models import Organisation

        # Two statements instead of one per row: most tests of the suite load it.
        org_rows = db.session.scalars(
            db.select(Organisation).where(Organisation.id.in_(ids["orgs"].values()))
        )
        by_id = {org.id: org for org in org_rows}
        world = World(**{n: by_id[k] for n, k in ids["orgs"].items()})
        user_rows = db.session.scalars(
            db.select(User).where(User.id.in_(ids["users"].values()))
        )
        by_id = {user.id: user for user in user_rows}
        world.users = {r: by_id[k] for r, k in ids["users"].items()}
        return world


def login(client, username, password=PASSWORD, follow=False):
    """POST the login form with ``client``; return the response."""
    return client.post(
        "/login",
        data={"login": username, "password": password},
        follow_redirects=follow,
    )


def signed_in(app_or_client, username, password=PASSWORD):
    """A client signed in as ``username``: a fresh client of an application, or
    the given client itself. Fails the test unless the login redirects."""
    client = getattr(app_or_client, "test_client", None)
    client = client() if client is not None else app_or_client
    response = login(client, username, password)
    assert response.status_code == 302, username
    return client
