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
CODE_BLOCKS = re.findall(r"```sh\n(.*?)```", README, flags=re.S)


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
