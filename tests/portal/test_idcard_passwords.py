"""Pure helpers: GB 11643 ID numbers, masking, password policy and hashing."""

import pytest
from argon2 import PasswordHasher, extract_parameters

from portal.auth.idcard import (
    id_number_error,
    make_id_number,
    normalise_id_number,
)
from portal.auth.passwords import (
    generate_password,
    hash_password,
    policy_errors,
    verify_password,
)
from portal.masking import mask_id_number, mask_phone

KNOWN_VALID = "11010519491231002X"


@pytest.mark.parametrize(
    "prefix",
    [
        "11010519491231002",
        "42010219900101001",
        "44030620000229123",
        "65010119851012555",
    ],
)
def test_make_id_number_produces_numbers_that_pass_the_checksum(prefix):
    """A number completed by make_id_number passes the GB 11643 checksum."""
    number = make_id_number(prefix)
    assert len(number) == 18
    assert number.startswith(prefix)
    assert id_number_error(number) is None


def test_known_valid_id_number_is_accepted():
    """The published example 11010519491231002X is accepted and completed with X."""
    assert id_number_error(KNOWN_VALID) is None
    assert make_id_number(KNOWN_VALID[:17]) == KNOWN_VALID


def test_every_wrong_check_character_is_rejected():
    """Replacing the check character with any other one fails the checksum."""
    prefix = "42010219900101001"
    valid = make_id_number(prefix)
    for char in "0123456789X":
        if char == valid[17]:
            continue
        assert id_number_error(prefix + char) == "身份证号校验位错误"


@pytest.mark.parametrize("birth", ["19490230", "19901301", "20010229", "19900100"])
def test_impossible_birth_date_is_rejected(birth):
    """A number whose birth date does not exist is rejected even with a good checksum."""
    number = make_id_number("110105" + birth + "002")
    assert id_number_error(number) == "身份证号中的出生日期无效"


@pytest.mark.parametrize(
    "value",
    [
        "",
        None,
        KNOWN_VALID[:17],  # 17 characters
        KNOWN_VALID + "0",  # 19 characters
        "1101051949123100XX",  # X before the last position
        "11010519491231002Y",  # check character not a digit or X
        "1101051949123100２X",  # full-width digit
        "A1010519491231002X",
    ],
)
def test_wrong_length_or_characters_are_rejected(value):
    """Numbers of the wrong length or with invalid characters get the format message."""
    assert id_number_error(value) == "身份证号应为18位，前17位为数字，最后一位为数字或X"


def test_lowercase_x_and_spaces_are_normalised():
    """A lower-case x check character (and stray spaces) is accepted as X."""
    assert normalise_id_number(" 110105 19491231002x ") == KNOWN_VALID
    assert id_number_error("11010519491231002x") is None


def test_mask_phone_keeps_prefix_and_last_four():
    """A mobile number shows only its first three and last four digits."""
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("") == ""
    assert mask_phone(None) == ""
    assert mask_phone("12345") == "*****"


def test_mask_id_number_keeps_prefix_and_last_four():
    """An ID number shows only its first three and last four characters."""
    assert mask_id_number("110101199003071234") == "110***********1234"
    assert mask_id_number(KNOWN_VALID) == "110***********002X"
    assert mask_id_number(None) == ""


@pytest.mark.parametrize("password", ["Ab1!", "Abc12!x", ""])
def test_passwords_shorter_than_eight_are_rejected(password):
    """A password under 8 characters breaks the length rule."""
    assert "密码长度至少 8 位" in policy_errors(password)


@pytest.mark.parametrize(
    "password", ["abcdefgh12", "ABCDEFGH!!", "abcdEFGHij", "12345678!@"]
)
def test_passwords_with_only_two_classes_are_rejected(password):
    """A long password using only two character classes breaks the class rule."""
    assert policy_errors(password) == [
        "密码须包含大写字母、小写字母、数字、符号中的至少三类"
    ]


@pytest.mark.parametrize(
    "password", ["Passw0rd!", "kqzdEF12", "abcd12!@", "ABCD12!@", "abcdEF!@"]
)
def test_passwords_with_three_classes_are_accepted(password):
    """A password of 8+ characters with three character classes meets the policy."""
    assert policy_errors(password) == []


def test_generated_passwords_always_meet_the_policy():
    """generate_password() returns policy-compliant, unambiguous, varied passwords."""
    passwords = {generate_password() for _ in range(300)}
    assert len(passwords) == 300
    for password in passwords:
        assert len(password) == 12
        assert policy_errors(password) == []
        assert not set(password) & set("lI1O0")
    assert policy_errors(generate_password(8)) == []


def test_hash_password_uses_argon2id_and_verifies():
    """Hashes are salted argon2id strings that verify only the right password."""
    hashed = hash_password("Passw0rd!")
    assert hashed.startswith("$argon2id$")
    assert "Passw0rd!" not in hashed
    assert hash_password("Passw0rd!") != hashed  # random salt
    assert verify_password(hashed, "Passw0rd!") is True
    assert verify_password(hashed, "Passw0rd?") is False
    assert verify_password(hashed, "") is False


def test_verify_password_rejects_a_malformed_or_missing_hash():
    """A corrupt or empty stored hash never verifies (and does not raise)."""
    assert verify_password("not-a-hash", "Passw0rd!") is False
    assert verify_password(None, "Passw0rd!") is False
    assert verify_password("", "dummy-password-for-timing") is False


def test_production_config_hashes_with_argon2_defaults(app):
    """Does ``Config`` (production) hash with argon2-cffi's default cost, while only
    ``TestConfig`` lowers it (so that the test suite stays fast)?"""
    from portal.config import Config, TestConfig

    defaults = PasswordHasher()
    for name in ("ARGON2_TIME_COST", "ARGON2_MEMORY_COST", "ARGON2_PARALLELISM"):
        assert getattr(Config, name) is None
        app.config[name] = getattr(Config, name)
    params = extract_parameters(hash_password("Passw0rd!"))
    assert (params.time_cost, params.memory_cost, params.parallelism) == (
        defaults.time_cost,
        defaults.memory_cost,
        defaults.parallelism,
    )
    assert params.memory_cost >= 64 * 1024
    assert TestConfig.ARGON2_MEMORY_COST < params.memory_cost
