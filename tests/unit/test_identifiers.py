from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workstation.domain.errors import FieldError
from workstation.domain.identifiers import (
    USCC_ALPHABET,
    is_valid_resident_id,
    is_valid_uscc,
    normalise_credit_code,
    normalise_resident_id,
    resident_id_check_char,
    upgrade_legacy_id,
    uscc_check_char,
)


@pytest.mark.parametrize("value", ["11010519491231002X", "11010519491231002x", "440524188001010014"])
def test_published_resident_ids_are_valid(value: str) -> None:
    assert is_valid_resident_id(value)


@pytest.mark.parametrize(
    "value",
    ["110105194912310021", "11010519491231002", "1101051949123100200", "A1010519491231002X", ""],
)
def test_wrong_resident_ids_are_rejected(value: str) -> None:
    assert not is_valid_resident_id(value)


@pytest.mark.parametrize("value", ["91350100M000100Y43", "91110000802100433B"])
def test_published_credit_codes_are_valid(value: str) -> None:
    assert is_valid_uscc(value)


@pytest.mark.parametrize(
    "value", ["91350100M000100Y44", "91350100M000100Y4", "9135010OM000100Y43", "IO350100M000100Y43"]
)
def test_wrong_credit_codes_are_rejected(value: str) -> None:
    assert not is_valid_uscc(value)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_any_resident_id_with_its_check_char_validates_and_others_do_not(first17: str) -> None:
    right = resident_id_check_char(first17)
    assert is_valid_resident_id(first17 + right)
    for wrong in "0123456789X":
        if wrong != right:
            assert not is_valid_resident_id(first17 + wrong)


@given(
    st.sampled_from(USCC_ALPHABET),
    st.sampled_from(USCC_ALPHABET),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
)
def test_any_credit_code_with_its_check_char_validates(a: str, b: str, region: str, body: str) -> None:
    first17 = a + b + region + body
    right = uscc_check_char(first17)
    assert is_valid_uscc(first17 + right)
    wrong = USCC_ALPHABET[(USCC_ALPHABET.index(right) + 1) % len(USCC_ALPHABET)]
    assert not is_valid_uscc(first17 + wrong)


# --------------------------------------------------------------- normalising typed input


@pytest.mark.parametrize(
    "typed",
    [
        "11010519491231002X",
        "11010519491231002x",
        " 110105 19491231 002x ",
        "１１０１０５１９４９１２３１００２Ｘ",
        "110105\u300019491231002X",
    ],
)
def test_resident_id_variants_normalise(typed: str) -> None:
    assert normalise_resident_id(typed) == "11010519491231002X"


def test_fifteen_digit_legacy_id_is_upgraded() -> None:
    assert upgrade_legacy_id("110105491231002") == "11010519491231002X"
    assert normalise_resident_id("110105491231002") == "11010519491231002X"


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("110105194912310021", "校验位不对"),
        ("1101051949123100", "格式不对"),
        ("110105194913310026", "出生日期无效"),
        ("11010519491231002Y", "格式不对"),
    ],
)
def test_bad_resident_ids_are_refused_naming_the_field(typed: str, fragment: str) -> None:
    with pytest.raises(FieldError) as exc:
        normalise_resident_id(typed, field="party.id_number")
    assert exc.value.field == "party.id_number"
    assert fragment in exc.value.message


@pytest.mark.parametrize(
    "typed",
    [
        "91350100M000100Y43",
        "91350100m000100y43",
        " 9135 0100 M000 100Y43",
        "９１３５０１００Ｍ０００１００Ｙ４３",
    ],
)
def test_credit_code_variants_normalise(typed: str) -> None:
    assert normalise_credit_code(typed) == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("typed", "fragment"), [("91350100M000100Y44", "校验位不对"), ("91350100M0001OOY43", "格式不对")]
)
def test_bad_credit_codes_are_refused(typed: str, fragment: str) -> None:
    with pytest.raises(FieldError) as exc:
        normalise_credit_code(typed)
    assert exc.value.field == "credit_code"
    assert fragment in exc.value.message


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_normalising_a_valid_id_is_idempotent(first17: str) -> None:
    value = first17 + resident_id_check_char(first17)
    try:
        once = normalise_resident_id(value)
    except FieldError:
        return  # random digits rarely make a valid birth date
    assert normalise_resident_id(once) == once
    assert normalise_resident_id(once.lower()) == once
