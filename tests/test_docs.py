"""The README stays true: its commands parse, CI runs its test command, its slug is the demo's."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from consulta.cli import build_parser
from consulta.web.demo.seed import SLUG

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
CODE_BLOCKS = re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL)


def test_it_starts_with_an_install_and_demo_command():
    assert CODE_BLOCKS[0].strip().endswith("consulta demo")


def test_it_runs_the_readme_test_command_in_ci():
    test_command = CODE_BLOCKS[1].strip()
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci_lines


def test_it_documents_the_demo_slug():
    assert f"`{SLUG}`" in README


TOUR_COMMANDS = [
    line.split("#")[0].strip()
    for block in CODE_BLOCKS[2:]
    for line in block.strip().splitlines()
    if line.strip().startswith("consulta ")
]


def test_it_has_a_tour_of_commands():
    assert len(TOUR_COMMANDS) >= 5


@pytest.mark.parametrize("command", TOUR_COMMANDS)
def test_it_shows_commands_that_parse(command):
    args = build_parser().parse_args(shlex.split(command)[1:])
    assert callable(args.handler)


ANALYSIS_GUIDE = (ROOT / "docs" / "analysis.md").read_text()


def documented_columns(heading: str) -> list[str]:
    """The first column of the table under ``## heading``: the file's columns, in order."""
    section = ANALYSIS_GUIDE.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE)


def test_the_analysis_guide_lists_every_column_of_every_file_in_order():
    from consulta.analysis.groups import GROUP_COLUMNS
    from consulta.analysis.outputs import ANSWER_COLUMNS, CAMPAIGN_COLUMNS, THEME_COLUMNS

    assert documented_columns("answers.csv") == list(ANSWER_COLUMNS)
    assert documented_columns("themes.csv") == list(THEME_COLUMNS)
    assert documented_columns("groups.csv") == list(GROUP_COLUMNS)
    assert documented_columns("campaigns.csv") == list(CAMPAIGN_COLUMNS)


def test_the_analysis_guide_names_only_options_that_exist():
    analyse = build_parser()._subparsers._group_actions[0].choices["analyse"]
    known = {option for action in analyse._actions for option in action.option_strings}
    named = set(re.findall(r"`(--[a-z-]+)", ANALYSIS_GUIDE))
    assert named and named <= known
    example = re.findall(r"```sh\n(.*?)```", ANALYSIS_GUIDE, flags=re.DOTALL)[0].strip()
    assert analyse.parse_args(shlex.split(example)[2:]).out == "results/"
