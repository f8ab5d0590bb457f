"""{{name}}: a tallyman policy in Python.

componentize-py generates the `wit_world` module from `wit/policy.wit`
when it builds the component (see build.sh). Records are dataclasses with
snake_case fields; variants are classes such as
`types.InstructionDetail_Run` whose `value` holds the payload; options
are the value or None.
"""

import json

import wit_world
from componentize_py_types import Err
from wit_world.imports import types

RULES = [
    types.RuleInfo(
        id="ORG001",
        title="sudo in RUN",
        default_severity=types.Severity.MEDIUM,
        description=(
            "## What it does\nFlags `sudo` in `RUN` instructions.\n\n"
            "## Why is this bad?\nBuilds already run as root until a `USER` says otherwise; "
            "`sudo` adds a setuid binary to the image and hides which user runs what.\n"
        ),
        help=(
            "## Example\n```dockerfile\nRUN sudo apt-get install -y curl\n```\n\n"
            "## Fix\n```dockerfile\nRUN apt-get install -y curl\n```\n"
        ),
        # `reads:RUN`: the rule looks at RUN instructions only, so the host
        # hands the policy RUNs in full and every other instruction as its
        # keyword and span; a rule without a `reads:` tag gets everything,
        # which costs more to turn into Python objects on every file.
        tags=["security", "reads:RUN"],
        equivalents=["hadolint:DL3004"],
    ),
]


def parse_settings(text):
    """This policy takes no settings: only `{}` is accepted."""
    settings = json.loads(text) if text.strip() else {}
    if not isinstance(settings, dict):
        raise ValueError("settings must be a mapping")
    for key in settings:
        raise ValueError(f"unknown key `{key}`: this policy takes no settings")
    return settings


def drop_sudo(instruction, command):
    """The edit that deletes `sudo `, for `tallyman fix --unsafe-fixes`.

    An edit needs columns. An instruction's span starts at its keyword's
    column, and on a RUN written on one line `original` is that line from
    the keyword on, so an offset in it is a column (columns count
    characters, 1-based; the end is not included). Unsafe: after a `USER`,
    the command no longer runs as root.
    """
    text = instruction.original
    written = command.text.strip()
    span = instruction.span
    one_line = span.start_line == span.end_line and "\n" not in text
    if not one_line or span.start_column == 0 or not written.startswith("sudo "):
        return None
    if text.count(written) != 1:
        return None
    column = span.start_column + text.index(written)
    return types.Autofix(
        applicability=types.Applicability.UNSAFE,
        edits=[
            types.Edit(
                span=types.Span(
                    start_line=span.start_line,
                    start_column=column,
                    end_line=span.start_line,
                    end_column=column + len("sudo "),
                ),
                replacement="",
            )
        ],
    )


class WitWorld(wit_world.WitWorld):
    def metadata(self) -> types.PolicyInfo:
        return types.PolicyInfo(
            name="{{name}}",
            version="0.1.0",
            description="{{name}}: an organisation policy",
            rules=RULES,
        )

    def validate_settings(self, settings: str) -> None:
        try:
            parse_settings(settings)
        except ValueError as error:
            raise Err(str(error))

    def check_dockerfile(self, dockerfile: types.Dockerfile, settings: str) -> list:
        findings = []
        for stage in dockerfile.stages:
            for instruction in stage.instructions:
                if not isinstance(instruction.detail, types.InstructionDetail_Run):
                    continue
                for command in instruction.detail.value.command.commands:
                    if command.name == "sudo":
                        findings.append(
                            types.Finding(
                                rule_id="ORG001",
                                message=f"`{command.text}` uses sudo",
                                span=instruction.span,
                                stage=stage.index,
                                fix="drop sudo: the build runs as root until a USER instruction",
                                severity=None,
                                autofix=drop_sudo(instruction, command),
                            )
                        )
        return findings

    def check_image(self, image: types.Image, settings: str) -> list:
        return []
