import pytest


def login_client(app, username, password="Passw0rd!"):
    """A new browser signed in as ``username``."""
    client = app.test_client()
    response = client.post("/login", data={"login": username, "password": password})
    assert response.status_code == 302, username
    return client


@pytest.fixture
def admin_client(app, world):
    return login_client(app, "sys_admin")
