"""Smoke tests: the app starts and the login flow works on each database."""


def test_login_page_is_chinese(client):
    """Does the login page render in Chinese?"""
    response = client.get("/login")
    assert response.status_code == 200
    assert "登录" in response.get_data(as_text=True)


def test_officer_logs_in_and_sees_dashboard(client, auth, world):
    """Can an officer sign in by username and reach a dashboard with their role?"""
    response = auth.login("officer")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "执法人员" in page
