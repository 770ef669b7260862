"""Writing and reading 案号 / 文书文号: templates, validation, round trips, years, voids."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workstation.domain.clock import CHINA_TZ
from workstation.domain.errors import InvalidInput
from workstation.domain.numbering import (
    CASE_KIND,
    DEFAULT_CASE_TEMPLATE,
    DEFAULT_DOCUMENT_TEMPLATE,
    CaseNumberFormat,
    NumberingConfig,
    ParsedNumber,
    VoidedNumber,
    check_kind,
    check_reason,
    check_voidable,
    format_number,
    is_training_kind,
    kind_label,
    numbering_year,
    parse_number,
    sequence_kind,
    training_number,
    validate_template,
)

# ---------------------------------------------------------------- writing


def test_default_case_number() -> None:
    assert format_number(DEFAULT_CASE_TEMPLATE, "榕综执", 2026, 12) == "榕综执罚立字〔2026〕第12号"
    assert CaseNumberFormat().format("榕综执", 2026, 1) == "榕综执罚立字〔2026〕第1号"


def test_default_document_number() -> None:
    assert format_number(DEFAULT_DOCUMENT_TEMPLATE, "榕溪镇", 2026, 3) == "榕溪镇执罚〔2026〕3号"


@pytest.mark.parametrize(
    ("width", "serial", "text"),
    [(3, 7, "第007号"), (3, 123, "第123号"), (3, 1234, "第1234号"), (None, 7, "第7号"), (1, 7, "第7号")],
)
def test_width_pads_the_serial_with_zeros(width: int | None, serial: int, text: str) -> None:
    assert format_number("〔{year}〕第{serial}号", "X", 2026, serial, width) == f"〔2026〕{text}"


def test_literal_braces_and_templates_without_agency() -> None:
    assert format_number("{{{year}}}-{serial}", "X", 2026, 5) == "{2026}-5"
    assert parse_number("{{{year}}}-{serial}", "{2026}-5") == ParsedNumber("", 2026, 5)
    assert parse_number("{year}-{serial}", "2026-5", "X") == ParsedNumber("X", 2026, 5)


@pytest.mark.parametrize(
    ("year", "serial", "agency"),
    [
        (999, 1, "X"),
        (10000, 1, "X"),
        (2026, 0, "X"),
        (2026, -3, "X"),
        (2026, 1, ""),
        (2026, 1, "  "),
        (2026, 1, " 榕综执"),
    ],
)
def test_out_of_range_values_are_refused(year: int, serial: int, agency: str) -> None:
    with pytest.raises(InvalidInput):
        format_number(DEFAULT_CASE_TEMPLATE, agency, year, serial)


@pytest.mark.parametrize("width", [0, 10, -1])
def test_width_out_of_range_is_refused(width: int) -> None:
    with pytest.raises(InvalidInput, match="序号位数"):
        CaseNumberFormat(DEFAULT_CASE_TEMPLATE, width)


# ---------------------------------------------------------------- template validation


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("", "不能为空"),
        ("   ", "不能为空"),
        (" {year}{serial}", "首尾不能有空格"),
        ("{agency_short}第{serial}号", "必须包含 {year} 和 {serial}，缺少：{year}"),
        ("{agency_short}〔{year}〕号", "缺少：{serial}"),
        ("{agency_short}号", "缺少：{year}、{serial}"),
        ("{agency}〔{year}〕{serial}号", "未知的占位符：{agency}"),
        ("{agency_short}〔{year}〕{number}号", "未知的占位符：{number}"),
        ("〔{year}〕{}号", "未知的占位符"),
        ("〔{year}〕{0}号", "未知的占位符：{0}"),
        ("〔{year.real}〕{serial}号", "未知的占位符"),
        ("〔{year}〕{serial:03d}号", "不能带格式说明：{serial:03d}"),
        ("〔{year!r}〕{serial}号", "不能带格式说明：{year!r}"),
        ("〔{year}〕{serial号", "花括号不成对"),
        ("〔{year}}〕{serial}号", "花括号不成对"),
    ],
)
def test_bad_templates_are_refused_in_chinese(template: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_template(template)
    assert message in caught.value.message
    assert caught.value.advice
    with pytest.raises(InvalidInput):
        CaseNumberFormat(template)


def test_the_defaults_are_valid() -> None:
    assert validate_template(DEFAULT_CASE_TEMPLATE) == DEFAULT_CASE_TEMPLATE
    assert validate_template(DEFAULT_DOCUMENT_TEMPLATE) == DEFAULT_DOCUMENT_TEMPLATE


# ---------------------------------------------------------------- reading


def test_parse_default_numbers() -> None:
    fmt = CaseNumberFormat()
    assert fmt.parse("榕综执罚立字〔2026〕第12号") == ParsedNumber("榕综执", 2026, 12)
    assert fmt.parse(" 榕综执罚立字〔2026〕第12号\n", "榕综执") == ParsedNumber("榕综执", 2026, 12)
    doc = CaseNumberFormat(DEFAULT_DOCUMENT_TEMPLATE, 3)
    assert doc.parse("榕溪镇执罚〔2027〕045号") == ParsedNumber("榕溪镇", 2027, 45)
    assert doc.parse("榕溪镇执罚〔2027〕1045号") == ParsedNumber("榕溪镇", 2027, 1045)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "榕综执罚立字〔2026〕第012号",  # not as written: extra zero
        "榕综执罚立字〔2026〕第0号",
        "榕综执罚立字〔26〕第12号",
        "榕综执罚立字[2026]第12号",
        "榕综执罚立字〔2026〕第十二号",
        "榕综执罚立字〔２０２６〕第12号",  # full-width digits are not what the template writes
        "罚立字〔2026〕第12号",
        "别的执罚立字〔2026〕第12号",  # another agency when the agency is given
    ],
)
def test_text_that_is_not_a_number_of_the_format_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="与编号格式不符"):
        CaseNumberFormat().parse(text, None if text.startswith("罚") else "榕综执")


def test_zero_padding_must_be_as_written() -> None:
    fmt = CaseNumberFormat(DEFAULT_DOCUMENT_TEMPLATE, 3)
    for text in ("榕溪镇执罚〔2027〕45号", "榕溪镇执罚〔2027〕0045号", "榕溪镇执罚〔2027〕01045号"):
        with pytest.raises(InvalidInput):
            fmt.parse(text)


def test_unknown_agency_is_refused_when_ambiguous() -> None:
    fmt = CaseNumberFormat("{agency_short}{serial}-{year}")
    with pytest.raises(InvalidInput, match="多种理解"):
        fmt.parse("榕1号12-2026")
    assert fmt.parse("榕1号12-2026", "榕1号1") == ParsedNumber("榕1号1", 2026, 2)
    assert fmt.parse("榕1号12-2026", "榕1号") == ParsedNumber("榕1号", 2026, 12)


def test_repeated_placeholders_must_agree() -> None:
    template = "{agency_short}〔{year}〕{serial}号（{year}）"
    assert format_number(template, "X", 2026, 3) == "X〔2026〕3号（2026）"
    assert parse_number(template, "X〔2026〕3号（2026）") == ParsedNumber("X", 2026, 3)
    with pytest.raises(InvalidInput):
        parse_number(template, "X〔2026〕3号（2027）")


# ---------------------------------------------------------------- round trips (Hypothesis)

_LITERAL = st.text(alphabet="罚立字执告〔〕第号-（）()[]/ 0123456789{}年乡街", max_size=6)
_SETTINGS = settings(max_examples=300)
_AGENCY = st.text(min_size=1, max_size=8).filter(lambda s: s.strip() == s != "")
_YEAR = st.integers(min_value=1000, max_value=9999)
_SERIAL = st.integers(min_value=1, max_value=10**8)
_WIDTH = st.none() | st.integers(min_value=1, max_value=9)


def _escaped(literal: str) -> str:
    return literal.replace("{", "{{").replace("}", "}}")


@st.composite
def templates(draw: st.DrawFn) -> str:
    """Templates with {year} and {serial} (maybe repeated), maybe {agency_short}, any literals."""
    extra = draw(st.lists(st.sampled_from(["{agency_short}", "{year}", "{serial}"]), max_size=3))
    names = ["{year}", "{serial}", *extra]
    order = draw(st.permutations(names))
    parts = [_escaped(draw(_LITERAL)) for _ in range(len(order) + 1)]
    template = parts[0] + "".join(name + literal for name, literal in zip(order, parts[1:], strict=True))
    return template.strip()


@_SETTINGS
@given(templates(), _AGENCY, _YEAR, _SERIAL, _WIDTH)
def test_round_trip_with_known_agency(
    template: str, agency: str, year: int, serial: int, width: int | None
) -> None:
    text = format_number(template, agency, year, serial, width)
    assert parse_number(template, text, agency, width) == ParsedNumber(agency, year, serial)


@_SETTINGS
@given(templates(), _AGENCY, _YEAR, _SERIAL, _WIDTH)
def test_unknown_agency_is_read_right_or_refused(
    template: str, agency: str, year: int, serial: int, width: int | None
) -> None:
    text = format_number(template, agency, year, serial, width)
    refused = ""
    try:
        parsed: ParsedNumber | None = parse_number(template, text, None, width)
    except InvalidInput as exc:
        parsed, refused = None, exc.message
    if parsed is None:
        assert "多种理解" in refused
        return
    expected = agency if "{agency_short}" in template else ""
    assert parsed == ParsedNumber(expected, year, serial)


@given(st.sampled_from([DEFAULT_CASE_TEMPLATE, DEFAULT_DOCUMENT_TEMPLATE]), _AGENCY, _YEAR, _SERIAL, _WIDTH)
def test_defaults_read_back_without_knowing_the_agency(
    template: str, agency: str, year: int, serial: int, width: int | None
) -> None:
    text = format_number(template, agency, year, serial, width)
    assert parse_number(template, text, None, width) == ParsedNumber(agency, year, serial)


@_SETTINGS
@given(templates(), _AGENCY, _YEAR, _SERIAL, _WIDTH, st.text(max_size=30))
def test_parse_accepts_only_what_format_writes(
    template: str, agency: str, year: int, serial: int, width: int | None, noise: str
) -> None:
    try:
        parsed = parse_number(template, noise, agency, width)
    except InvalidInput:
        return
    assert format_number(template, agency, parsed.year, parsed.serial, width) == noise.strip()


# ---------------------------------------------------------------- configuration


def test_config_defaults_and_per_type_formats() -> None:
    config = NumberingConfig()
    assert config.format_for(CASE_KIND).template == DEFAULT_CASE_TEMPLATE
    assert config.format_for("decision").template == DEFAULT_DOCUMENT_TEMPLATE
    notice = CaseNumberFormat("{agency_short}执告〔{year}〕{serial}号", 3)
    config = NumberingConfig(documents={"notice": notice})
    assert config.format_for("notice").format("榕溪镇", 2026, 8) == "榕溪镇执告〔2026〕008号"
    assert config.format_for("decision").format("榕溪镇", 2026, 8) == "榕溪镇执罚〔2026〕8号"


def test_config_from_dict() -> None:
    config = NumberingConfig.from_dict(
        {
            "case": {"template": "{agency_short}立〔{year}〕{serial}号", "width": 4},
            "documents": {"notice": {"template": "{agency_short}执告〔{year}〕{serial}号"}},
        }
    )
    assert config.case.format("榕", 2026, 5) == "榕立〔2026〕0005号"
    assert config.document == CaseNumberFormat(DEFAULT_DOCUMENT_TEMPLATE)
    assert config.format_for("notice").format("榕", 2026, 5) == "榕执告〔2026〕5号"
    assert NumberingConfig.from_dict({}) == NumberingConfig()


@pytest.mark.parametrize(
    "raw",
    [
        {"cases": {}},
        {"case": "{year}{serial}"},
        {"case": {"template": "{year}"}},
        {"case": {"template": 5}},
        {"case": {"template": "{year}{serial}", "width": "3"}},
        {"case": {"template": "{year}{serial}", "pad": 3}},
        {"documents": ["notice"]},
        {"documents": {"case": {"template": "{year}{serial}"}}},
        {"documents": {"with space": {"template": "{year}{serial}"}}},
    ],
)
def test_bad_config_is_refused_in_chinese(raw: dict[str, object]) -> None:
    with pytest.raises(InvalidInput) as caught:
        NumberingConfig.from_dict(raw)
    assert any("\u4e00" <= c <= "\u9fff" for c in caught.value.message)


@pytest.mark.parametrize("kind", ["", "with space", "x" * 61, "tab\there"])
def test_bad_kinds_are_refused(kind: str) -> None:
    with pytest.raises(InvalidInput, match="编号类别无效"):
        check_kind(kind)


def test_kinds_may_be_document_codes() -> None:
    assert check_kind("case") == "case"
    assert check_kind("行政处罚决定书") == "行政处罚决定书"
    assert check_kind("onsite-decision") == "onsite-decision"


# ---------------------------------------------------------------- years and voids


def test_the_year_is_the_china_year_of_the_filing_date() -> None:
    assert numbering_year(dt.date(2026, 12, 31)) == 2026
    assert numbering_year(dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC)) == 2027
    assert numbering_year(dt.datetime(2027, 1, 1, 0, 30, tzinfo=CHINA_TZ)) == 2027
    assert numbering_year(dt.datetime(2026, 12, 31, 15, 59, tzinfo=dt.UTC)) == 2026
    with pytest.raises(ValueError, match="naive"):
        numbering_year(dt.datetime(2026, 12, 31, 17, 0))


def test_only_issued_numbers_not_yet_voided_can_be_voided() -> None:
    check_voidable(CASE_KIND, 2026, 3, 3, None)
    with pytest.raises(InvalidInput, match="案号2026年第4号尚未发放") as caught:
        check_voidable(CASE_KIND, 2026, 4, 3, None)
    assert "第3号" in caught.value.advice
    with pytest.raises(InvalidInput, match="尚未发放") as caught:
        check_voidable("notice", 2026, 1, 0, None)
    assert "尚未发放任何编号" in caught.value.advice
    earlier = VoidedNumber(
        "a1", CASE_KIND, 2026, 2, "重复立案", dt.datetime(2026, 3, 1, 1, 0, tzinfo=dt.UTC), "o1"
    )
    with pytest.raises(InvalidInput, match=r"已于2026-03-01 09:00作废（原因：重复立案）"):
        check_voidable(CASE_KIND, 2026, 2, 3, earlier)


def test_a_void_needs_a_reason() -> None:
    assert check_reason("  文书有误 ") == "文书有误"
    with pytest.raises(InvalidInput, match="原因"):
        check_reason(" ")


def test_training_cases_number_from_their_own_marked_sequences() -> None:
    assert sequence_kind(CASE_KIND, False) == CASE_KIND
    assert sequence_kind(CASE_KIND, True) == "training-case"
    assert sequence_kind("罚决字", True) == "training-罚决字"
    assert is_training_kind("training-case") and not is_training_kind(CASE_KIND)
    assert check_kind(sequence_kind("罚决字", True)) == "training-罚决字"
    assert kind_label("training-case") == "培训案号"
    assert kind_label("training-罚决字") == "培训文书（罚决字）文号"
    assert training_number("榕溪镇罚立字〔2026〕第1号", True) == "（培训）榕溪镇罚立字〔2026〕第1号"
    assert training_number("榕溪镇罚立字〔2026〕第1号", False) == "榕溪镇罚立字〔2026〕第1号"
