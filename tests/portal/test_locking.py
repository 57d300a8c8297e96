"""The shared optimistic lock: the form's hidden version and the claim."""

import pytest
from werkzeug.datastructures import MultiDict

from portal.locking import EXPIRED_FORM, VersionedForm


@pytest.mark.parametrize("sent", [None, "", "abc"])
def test_a_missing_or_garbled_version_fails_in_chinese(app, sent):
    data = MultiDict({} if sent is None else {"version": sent})
    with app.test_request_context(method="POST", data=data):
        form = VersionedForm(meta={"csrf": False})
        assert not form.validate()
        assert form.version.errors == [EXPIRED_FORM]
        assert form.expected_version() == -1


def test_a_version_renders_and_comes_back_as_an_integer(app):
    with app.test_request_context(method="POST", data={"version": "7"}):
        form = VersionedForm(meta={"csrf": False})
        assert form.validate()
        assert form.version.data == 7
        assert form.expected_version() == 7
    with app.test_request_context():
        shown = VersionedForm(formdata=None, version=3, meta={"csrf": False})
        assert 'value="3"' in str(shown.version)
