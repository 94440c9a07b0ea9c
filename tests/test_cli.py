"""The command line: every command explains itself with an example, and fails helpfully."""

from __future__ import annotations

import argparse
import json

import pytest

from consulta.cli import build_parser, main


def all_commands(parser: argparse.ArgumentParser, prefix=()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name), sub
                yield from all_commands(sub, (*prefix, name))


@pytest.fixture(autouse=True)
def restore_environment(monkeypatch, tmp_path):
    # Commands point CONSULTA_DATA_DIR at their --data-dir; undo that after each test.
    monkeypatch.setenv("CONSULTA_DATA_DIR", str(tmp_path / "default-data"))


COMMANDS = [path for path, _ in all_commands(build_parser())]


def test_it_has_the_commands_the_issue_names():
    assert {("demo",), ("serve",), ("export",), ("createorganiser",), ("import", "consultation"),
            ("import", "stakeholders"), ("import", "responses")} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_it_shows_an_example_in_every_help(command, capsys):
    with pytest.raises(SystemExit) as exit:
        main([*command, "--help"])
    assert exit.value.code == 0
    help_text = capsys.readouterr().out
    example = help_text.split("example:", 1)[1]
    assert example.strip().startswith(f"consulta {command[0]}")


def test_it_exports_json_to_a_file(consultation, tmp_path, capsys):
    out = tmp_path / "export.json"
    code = main(["export", "--consultation", "policing-a", "--format", "json", "--output", str(out),
                 "--data-dir", str(tmp_path / "data")])
    assert code == 0
    document = json.loads(out.read_text())
    assert [c["slug"] for c in document["consultations"]] == ["policing-a"]


def test_it_reports_an_unknown_consultation(db, tmp_path, capsys):
    code = main(["export", "--consultation", "nope", "--data-dir", str(tmp_path)])
    assert code == 2
    assert "nope" in capsys.readouterr().err


def test_it_reports_a_missing_import_file(db, tmp_path, capsys):
    code = main(["import", "consultation", str(tmp_path / "missing.json"),
                 "--data-dir", str(tmp_path)])
    assert code == 2
    assert "cannot read" in capsys.readouterr().err


def test_it_refuses_a_file_that_is_not_json(db, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe not json")
    code = main(["import", "consultation", str(bad), "--data-dir", str(tmp_path)])
    assert code == 2
    assert "not a UTF-8 JSON file" in capsys.readouterr().err


def test_it_creates_an_organiser_who_can_create_consultations(consultation, tmp_path, capsys):
    from django.contrib.auth import authenticate

    code = main(["createorganiser", "--email", "lead@example.org", "--password", "a long passphrase",
                 "--consultation", "policing-a", "--data-dir", str(tmp_path)])
    assert code == 0
    user = authenticate(username="lead@example.org", password="a long passphrase")
    assert user is not None and user.has_perm("consultations.add_consultation")
    assert user.memberships.get().consultation == consultation


def test_it_refuses_an_unknown_consultation_for_a_new_organiser(db, tmp_path, capsys):
    from django.contrib.auth.models import User

    code = main(["createorganiser", "--email", "lead@example.org", "--password", "a long passphrase",
                 "--consultation", "nope", "--data-dir", str(tmp_path)])
    assert code == 2
    assert not User.objects.filter(username="lead@example.org").exists()


def test_it_imports_stakeholders_from_the_command_line(consultation, tmp_path, capsys):
    from consulta.web.stakeholders.models import Organisation, Person

    network = tmp_path / "network.csv"
    network.write_text("organisation,sector,type,name,email\n"
                       "Northgate Council,public,local authority,Ann Obi,ann@northgate.example\n")
    code = main(["import", "stakeholders", str(network), "--consultation", "policing-a",
                 "--data-dir", str(tmp_path)])
    assert code == 0, capsys.readouterr().err
    assert Organisation.objects.get(name="Northgate Council").sector == "public"
    assert Person.objects.get(email="ann@northgate.example").organisation.name == "Northgate Council"


def test_it_imports_responses_into_the_numbered_phase(consultation, tmp_path, capsys):
    from consulta.web.responses.models import Response

    paper = tmp_path / "paper.csv"
    paper.write_text("trust,partnership\nKeep promises,Share data\n", encoding="utf-8")
    code = main(["import", "responses", str(paper), "--consultation", "policing-a", "--phase", "2",
                 "--channel", "paper", "--data-dir", str(tmp_path)])
    assert code == 0, capsys.readouterr().err
    [response] = Response.objects.all()
    assert (response.phase.position, response.channel, response.status) == (2, "paper", "submitted")
    assert response.answers.get(question__key="trust").text == "Keep promises"


def test_it_refuses_a_bad_response_file_and_changes_nothing(consultation, tmp_path, capsys):
    from consulta.web.responses.models import Response

    paper = tmp_path / "paper.csv"
    paper.write_text("trust,shoe_size\nKeep promises,9\n")
    code = main(["import", "responses", str(paper), "--consultation", "policing-a", "--phase", "2",
                 "--data-dir", str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err
    assert "shoe_size" in err and "nothing was imported" in err
    assert Response.objects.count() == 0


def test_it_refuses_a_phase_that_does_not_exist(consultation, tmp_path, capsys):
    paper = tmp_path / "paper.csv"
    paper.write_text("trust\nKeep promises\n")
    code = main(["import", "responses", str(paper), "--consultation", "policing-a", "--phase", "3",
                 "--data-dir", str(tmp_path)])
    assert code == 2
    assert "phases 1 to 2" in capsys.readouterr().err


def test_it_refuses_an_oversized_file_before_reading_it(consultation, tmp_path, capsys, settings):
    settings.CONSULTA_MAX_IMPORT_BYTES = 1024
    big = tmp_path / "big.csv"
    big.write_bytes(b"trust\n" + b"x" * 2048)
    code = main(["import", "stakeholders", str(big), "--consultation", "policing-a",
                 "--data-dir", str(tmp_path)])
    assert code == 2
    assert "over the limit" in capsys.readouterr().err
