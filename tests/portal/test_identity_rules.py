"""Pure rules: GB 11643 ID numbers, masking, password policy (no app)."""

import pytest

from portal.auth.idcard import (
    id_number_error,
    make_id_number,
    normalise_id_number,
)
from portal.auth.passwords import generate_password, policy_errors
from portal.masking import mask_id_number, mask_phone


def test_published_example_id_number_is_valid():
    """Is the GB 11643 textbook example accepted?"""
    assert id_number_error("11010519491231002X") is None
    assert id_number_error("11010519491231002x") is None  # normalised


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("110105194912310021", "校验位"),
        ("110105194902300028", "出生日期"),
        ("11010519491231002", "18位"),
        ("1101051949123100AX", "18位"),
    ],
)
def test_invalid_id_numbers_are_explained(value, message):
    """Does each kind of invalid ID number get its own Chinese reason?"""
    assert message in id_number_error(value)


def test_make_id_number_produces_valid_numbers():
    """Does the check-character generator agree with the validator?"""
    for n in range(50):
        assert id_number_error(make_id_number(f"42010219800101{n:03d}")) is None


def test_masking():
    """Are phone and ID numbers masked to first 3 and last 4 characters?"""
    assert mask_phone("13812341234") == "138****1234"
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert normalise_id_number(" 11010519491231002x ") == "11010519491231002X"
    assert mask_phone(None) == ""


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Ab1!", False),
        ("abcdefgh", False),
        ("abcdefg1", False),
        ("abcdef1!", True),
        ("Qmxvtrg1", True),
        ("ABCD12!@", True),
    ],
)
def test_password_policy(password, ok):
    """Are ≥ 8 characters from ≥ 3 classes required?"""
    assert (policy_errors(password) == []) is ok


def test_generated_passwords_meet_the_policy():
    """Does every generated initial password satisfy the policy?"""
    for _ in range(200):
        assert policy_errors(generate_password()) == []
