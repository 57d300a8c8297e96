"""Pending checks refresh themselves (polling endpoint + script) and the checker
is warmed in the background."""

from casebank.cases import warmup
from portal.extensions import db
from tests.casebank.supervision_util import make_case


def _login(app, username):
    client = app.test_client()
    response = client.post("/login", data={"login": username, "password": "Passw0rd!"})
    assert response.status_code == 302
    return client


def test_pending_case_polls_and_reports_the_result(app, world):
    case = make_case(world.agency, status="pending")
    client = _login(app, "supervision_staff")
    page = client.get(f"/casebank/cases/{case.id}").get_data(as_text=True)
    assert f'data-check-status-url="/casebank/cases/{case.id}/check-status"' in page
    assert "js/case_status.js" in page
    assert "请稍后刷新" not in page
    status = client.get(f"/casebank/cases/{case.id}/check-status").get_json()
    assert status == {"status": "pending", "label": "检查中", "findings": 0}
    case.check_status = "checked"
    db.session.commit()
    status = client.get(f"/casebank/cases/{case.id}/check-status").get_json()
    assert status["status"] == "checked"
    assert status["label"] == "已检查"
    page = client.get(f"/casebank/cases/{case.id}").get_data(as_text=True)
    assert "js/case_status.js" not in page


def test_status_of_a_case_out_of_scope_is_404(app, world):
    case = make_case(world.other_agency, status="pending")
    client = _login(app, "agency_handler")
    assert client.get(f"/casebank/cases/{case.id}/check-status").status_code == 404


def test_warm_up_loads_the_segmenter(app):
    """Does the warm-up run to the end (TF-IDF only: no model configured)?"""
    app.config["NLP_EMBEDDING_MODEL"] = "none"
    warmup.done.clear()
    warmup.warm(app)
    assert warmup.done.is_set()


def test_status_script_is_served(client):
    response = client.get("/static/js/case_status.js")
    data = response.get_data()
    response.close()
    assert response.status_code == 200
    assert b"window.location.reload" in data


def test_web_workers_do_not_warm_the_checker_when_a_queue_runs_the_checks():
    """With REDIS_URL the checks run in RQ workers: no web process loads the model."""
    from portal import create_app
    from portal.config import TestConfig

    def warm_hooks(app):
        return [
            f for f in app.before_request_funcs.get(None, []) if "warm" in f.__name__
        ]

    inline = create_app(
        TestConfig, TESTING=False, CASE_CHECK_WARMUP=True, REDIS_URL=None
    )
    queued = create_app(
        TestConfig,
        TESTING=False,
        CASE_CHECK_WARMUP=True,
        REDIS_URL="redis://127.0.0.1:6379/15",
    )
    assert warm_hooks(inline)
    assert warm_hooks(queued) == []
