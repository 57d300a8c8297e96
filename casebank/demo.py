"""The demo catalogues of the fictional 江城市, loaded by ``flask seed demo``."""

import sqlalchemy as sa

from casebank.documents import read_document
from casebank.models import BenchmarkCatalogue
from casebank.services import import_catalogue
from portal.extensions import db
from portal.orgs.models import Domain

# Demo catalogues of the fictional 江城市 (casebank/resources/catalogues), by file
# stem: (catalogue code, domain codes). Loaded and published by ``flask seed demo``.
DEMO_CATALOGUES = {
    "chengguan": ("JC-CG", ["chengguan"]),
    "shichang": ("JC-SC", ["market"]),
    "shengtai": ("JC-ST", ["ecology"]),
    "jiaotong": ("JC-JT", ["transport"]),
    "ziran": ("JC-ZR", ["resources"]),
}


def load_demo_catalogues(jurisdiction, actor) -> int:
    """Import and publish the demo catalogues that are not there yet (idempotent).

    :param jurisdiction: the demo city.
    :return: how many catalogues were created.
    """
    from casebank import CATALOGUE_DIR

    created = 0
    for stem, (code, domain_codes) in DEMO_CATALOGUES.items():
        exists = db.session.scalar(
            sa.select(BenchmarkCatalogue.id).where(BenchmarkCatalogue.code == code)
        )
        if exists:
            continue
        path = CATALOGUE_DIR / f"{stem}.json"
        plan = read_document(path.name, path.read_bytes())
        domains = list(
            db.session.scalars(
                sa.select(Domain)
                .where(Domain.code.in_(domain_codes))
                .order_by(Domain.id)
            )
        )
        import_catalogue(
            plan,
            actor,
            jurisdiction=jurisdiction,
            code=code,
            domains=domains,
            filename=path.name,
            publish=True,
        )
        created += 1
    return created
