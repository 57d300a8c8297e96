"""Zhifa Portal — 执法培训考试与监督评查平台."""

import logging
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import secret_key
from portal.config import Config
from portal.extensions import bootstrap, csrf, db, limiter, login_manager, migrate


def create_app(config_class=Config, **overrides):
    """Create and configure the application (STYLE R1).

    :param config_class: the configuration class (``TestConfig`` in tests).
    :param overrides: settings applied last, after ``instance/config.py``.
    """
    app = Flask(__name__, instance_path=_instance_path(), instance_relative_config=True)
    app.config.from_object(config_class)
    if not app.config["TESTING"]:
        app.config.from_pyfile("config.py", silent=True)
    app.config.update(overrides)
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    os.makedirs(app.instance_path, exist_ok=True)
    app.config["SECRET_KEY"] = secret_key.resolve(app)
    _configure_logging(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=_migrations_dir())
    login_manager.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)

    import casebank
    import exams
    import nlp  # noqa: F401 - framework-free; imported so packaging errors surface
    from portal import (
        admin,
        audit,
        auth,
        backup,
        cli,
        errors,
        headers,
        jobs,
        laws,
        main,
        notifications,
        numbering,  # noqa: F401 - registers the counter table
        oneshot,  # noqa: F401 - registers the one-shot token table
        orgs,
        security_headers,
        suggestions,
        templating,
        workdays,
    )

    for feature in (
        security_headers,
        templating,
        headers,
        errors,
        auth,
        main,
        orgs,
        laws,
        admin,
        audit,
        suggestions,
        workdays,
        jobs,
        notifications,
        backup,
        cli,
    ):
        feature.init_app(app)
    for feature in (exams, casebank):
        feature.init_app(app)
    # Outermost, so that WSGI middleware of the features (the exam autosave fast
    # path) sees the client's address and scheme as Flask does.
    proxies = int(os.environ.get("PROXY_FIX_X_FOR") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    return app


def _instance_path():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(os.path.dirname(here), "instance")
    return os.environ.get("PORTAL_INSTANCE_PATH") or default


def _migrations_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(os.path.dirname(here), "migrations")


def _configure_logging(app):
    if not app.debug and not app.testing:
        logging.basicConfig(
            level=os.environ.get("LOG_LEVEL", "INFO"),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
