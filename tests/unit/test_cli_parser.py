from __future__ import annotations

import pytest

from workstation.cli import EXIT_USAGE, build_parser, main


@pytest.mark.parametrize(
    "argv",
    [
        ["--data-dir", "D", "--json", "db", "check"],
        ["db", "check", "--json", "--data-dir", "D"],
        ["db", "--data-dir", "D", "check", "--json"],
    ],
)
def test_common_options_are_accepted_anywhere(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert args.data_dir == "D"
    assert args.json is True
    assert (args.command, args.db_command) == ("db", "check")


def test_no_arguments_means_the_gui() -> None:
    args = build_parser().parse_args([])
    assert args.command is None
    assert args.json is False


def test_unknown_command_is_a_usage_error_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == EXIT_USAGE
    assert "用法错误" in capsys.readouterr().err


def test_db_without_an_action_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["db"])
    assert exc.value.code == EXIT_USAGE


def test_starting_the_gui_does_not_import_the_statute_or_calendar_commands() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from workstation.cli import build_parser; build_parser([]).parse_args([]); "
        "print(sorted(m for m in ('workstation.cli_laws', 'workstation.cli_calendar', "
        "'workstation.cli_discretion', 'workstation.cli_documents', 'workstation.documents.qr', "
        "'workstation.domain.discretion', 'pypinyin', "
        "'workstation.domain.statutes', 'workstation.domain.deadlines', 'sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    for command in ("db", "self-test", "demo", "laws", "calendar", "items", "discretion", "docs", "dossier"):
        assert command in text


def test_the_discretion_commands_parse() -> None:
    args = build_parser(["discretion"]).parse_args(
        ["discretion", "calc", "--item", "ZB-009", "--party", "org", "--circumstance", "minor",
         "--circumstance", "corrected", "--proposed", "1,500", "--complex"]
    )  # fmt: skip
    assert (args.command, args.discretion_command, args.item) == ("discretion", "calc", "ZB-009")
    assert args.party.value == "organisation"
    assert args.circumstance == ["minor", "corrected"]
    assert str(args.proposed) == "1500" and args.base_amount is None
    assert args.complex is True and args.major is False
    items = build_parser(["items"]).parse_args(["items", "import", "x.json", "--no-citation-check"])
    assert (items.items_command, str(items.path), items.no_citation_check) == ("import", "x.json", True)
    assert build_parser(["items"]).parse_args(["items", "list"]).text == ""


def test_a_bad_party_kind_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["discretion", "calc", "--item", "ZB-009", "--party", "robot"])
    assert exc.value.code == EXIT_USAGE
    assert "当事人类别" in capsys.readouterr().err


def test_the_document_commands_parse() -> None:
    args = build_parser(["docs"]).parse_args(
        ["docs", "render", "C1", "prior_notice", "--out", "a.docx", "--pdf"]
    )
    assert (args.command, args.docs_command, args.case, args.doc_type) == (
        "docs",
        "render",
        "C1",
        "prior_notice",
    )
    assert str(args.out) == "a.docx" and args.pdf is True
    verify = build_parser(["docs"]).parse_args(["docs", "verify", "a.pdf", "--json"])
    assert (verify.docs_command, str(verify.file), verify.json) == ("verify", "a.pdf", True)
    dossier = build_parser(["dossier"]).parse_args(["dossier", "C1", "--out", "d.pdf"])
    assert (dossier.command, dossier.case, str(dossier.out)) == ("dossier", "C1", "d.pdf")
