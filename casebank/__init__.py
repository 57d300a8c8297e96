"""Case-file review (案卷评查) and benchmark catalogues (issue #6).

Benchmark catalogues (models, import/export, browse) and the glue between the
portal and the framework-free NLP checker: the ``flask nlp`` and ``flask casebank``
commands.
"""

from pathlib import Path

# Demo discretion-benchmark catalogues (zhifa.benchmarks/1) shipped with the portal:
# 城管, 市场监管, 生态环境, 自然资源/水利, 交通运输 of the fictional 江城市, built from
# real published benchmark rows. The NLP development set is reviewed against them.
CATALOGUE_DIR = Path(__file__).resolve().parent / "resources" / "catalogues"


def init_app(app):
    """Register the models, the catalogue screens and the command groups."""
    from casebank import (  # noqa: F401
        cli,
        consistency,
        models,
        opinions,
        reviews,
        supervision,
        views,
    )
    from casebank.cases import models as case_models  # noqa: F401
    from casebank.cases import status_views  # noqa: F401 - polled by case pages
    from casebank.cases import views as case_views  # noqa: F401

    app.register_blueprint(views.bp, url_prefix="/casebank")
    from nlp.codes import finding_label

    app.add_template_filter(finding_label, "finding_label")
    opinions.init_app(app)
    cli.init_app(app)
    supervision.init_app(app)
    reviews.init_app(app)
    consistency.init_app(app)
    from casebank.cases import warmup

    warmup.init_app(app)
