"""An example organisation policy in Python.

- PY001: services tagged as distroless-only must not run `apt-get` (or
  `apt`) in their final stage, or in a stage the final stage is built on:
  those packages end up in the image, which should be distroless.
  A service is tagged by its Dockerfile's path (the `distroless-only`
  setting, shell-style patterns) or by a `com.example.distroless-only=true`
  label in the Dockerfile.
- PY002: every `EXPOSE`d port (and every port an image's config exposes)
  must be in the `allowed-ports` setting.

Settings (all optional):

    settings:
      org-service-runtime:
        allowed-ports: [80, 443, 8080]
        distroless-only: ["services/api/*"]
        tag-label: com.example.distroless-only

The component is built with componentize-py, which generates the
`wit_world` module from `wit/policy.wit` at build time.
"""

import fnmatch
import json

import wit_world
from componentize_py_types import Err
from wit_world.imports import types as t

POLICY_NAME = "org-service-runtime"
VERSION = "0.1.0"

DEFAULT_SETTINGS = {
    "allowed-ports": [80, 443, 8080],
    "distroless-only": [],
    "tag-label": "com.example.distroless-only",
}

PACKAGE_MANAGERS = ("apt-get", "apt")

RULES = [
    t.RuleInfo(
        id="PY001",
        title="apt-get in the final stage of a distroless-only service",
        default_severity=t.Severity.HIGH,
        description=(
            "## What it does\n"
            "Flags `apt-get` and `apt` in the final stage (or a stage it is built on) "
            "of a service tagged as distroless-only.\n\n"
            "## Why is this bad?\n"
            "Those services must ship a distroless runtime: a package manager run in "
            "the final image means a full distribution base and packages nobody patches.\n"
        ),
        help=(
            "## Example\n"
            "```dockerfile\n"
            "FROM debian:12-slim\n"
            "RUN apt-get update && apt-get install -y ca-certificates\n"
            "```\n\n"
            "## Fix\n"
            "```dockerfile\n"
            "FROM debian:12-slim AS build\n"
            "RUN apt-get update && apt-get install -y ca-certificates\n"
            "FROM gcr.io/distroless/static-debian12\n"
            "COPY --from=build /etc/ssl/certs /etc/ssl/certs\n"
            "```\n"
        ),
        # `reads:` tags: the parts of a Dockerfile the rule looks at. The
        # host hands the policy only the instructions its rules read (the
        # others keep their keyword and span), which spares turning every
        # instruction of every file into Python objects.
        tags=["org", "distroless", "reads:LABEL", "reads:RUN"],
        equivalents=[],
    ),
    t.RuleInfo(
        id="PY002",
        title="Exposed port not in the allowed list",
        default_severity=t.Severity.MEDIUM,
        description=(
            "## What it does\n"
            "Checks every `EXPOSE`d port against the `allowed-ports` setting.\n\n"
            "## Why is this bad?\n"
            "The platform's network policies open only the agreed ports; a service "
            "listening elsewhere is unreachable, or needs an exception nobody reviewed.\n"
        ),
        help=(
            "## Example\n"
            "```dockerfile\n"
            "EXPOSE 9999\n"
            "```\n\n"
            "## Fix\n"
            "```dockerfile\n"
            "EXPOSE 8080\n"
            "```\n"
        ),
        tags=["org", "network", "reads:EXPOSE"],
        equivalents=[],
    ),
]


def parse_settings(text):
    """The settings as a dict with defaults filled in, or a ValueError
    whose message names the key."""
    try:
        given = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as error:
        raise ValueError(f"not a JSON document: {error.msg}")
    if not isinstance(given, dict):
        raise ValueError("settings must be a mapping")
    for key in given:
        if key not in DEFAULT_SETTINGS:
            known = ", ".join(f"`{k}`" for k in DEFAULT_SETTINGS)
            raise ValueError(f"unknown key `{key}` (known: {known})")
    settings = dict(DEFAULT_SETTINGS)
    settings.update(given)
    ports = settings["allowed-ports"]
    if not isinstance(ports, list) or not all(
        isinstance(p, int) and not isinstance(p, bool) and 1 <= p <= 65535 for p in ports
    ):
        raise ValueError("`allowed-ports`: a list of port numbers (1-65535)")
    patterns = settings["distroless-only"]
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise ValueError("`distroless-only`: a list of path patterns")
    if not isinstance(settings["tag-label"], str) or not settings["tag-label"]:
        raise ValueError("`tag-label`: a label name")
    return settings


def details(stage, kind):
    """The (instruction, detail value) pairs of a stage whose detail is `kind`."""
    for instruction in stage.instructions:
        if isinstance(instruction.detail, kind):
            yield instruction, instruction.detail.value


def stage_by_index(dockerfile, index):
    for stage in dockerfile.stages:
        if stage.index == index:
            return stage
    return None


def final_stage(dockerfile):
    return stage_by_index(dockerfile, dockerfile.target_stage) or (
        dockerfile.stages[-1] if dockerfile.stages else None
    )


def ancestry(dockerfile, stage):
    """The stage, then the stage it is built on, and so on."""
    chain = [stage]
    while isinstance(stage.base.source, t.ImageSource_Stage):
        parent = stage_by_index(dockerfile, stage.base.source.value)
        if parent is None or any(s.index == parent.index for s in chain):
            break
        chain.append(parent)
        stage = parent
    return chain


def stage_label(stage):
    return f"`{stage.name}`" if stage.name else f"#{stage.index}"


def line_span(instruction):
    return t.Span(
        start_line=instruction.span.start_line,
        start_column=instruction.span.start_column,
        end_line=instruction.span.end_line,
        end_column=instruction.span.end_column,
    )


def finding(rule_id, message, span=None, stage=None, fix=None):
    return t.Finding(
        rule_id=rule_id, message=message, span=span, stage=stage, fix=fix, severity=None,
        autofix=None,
    )


def is_distroless_only(dockerfile, settings):
    if any(fnmatch.fnmatch(dockerfile.path, p) for p in settings["distroless-only"]):
        return True
    label = settings["tag-label"]
    for stage in dockerfile.stages:
        for _, assignments in details(stage, t.InstructionDetail_Label):
            for assignment in assignments:
                if assignment.key == label and assignment.value.lower() == "true":
                    return True
    return False


def apt_in_final_stage(dockerfile, settings):
    if not is_distroless_only(dockerfile, settings):
        return []
    final = final_stage(dockerfile)
    if final is None:
        return []
    findings = []
    for stage in ancestry(dockerfile, final):
        for instruction, run in details(stage, t.InstructionDetail_Run):
            names = [c.name for c in run.command.commands if c.name in PACKAGE_MANAGERS]
            if not names:
                continue
            where = (
                "the final stage"
                if stage.index == final.index
                else f"stage {stage_label(stage)}, which the final stage is built on"
            )
            findings.append(
                finding(
                    "PY001",
                    f"`{names[0]}` runs in {where} of a distroless-only service",
                    span=line_span(instruction),
                    stage=stage.index,
                    fix="install packages in a build stage and copy the files into a distroless final stage",
                )
            )
    return findings


def port_text(port):
    return port.expanded or port.written


def unexpected_ports(dockerfile, settings):
    allowed = set(settings["allowed-ports"])
    allowed_text = ", ".join(str(p) for p in sorted(allowed))
    findings = []
    for stage in dockerfile.stages:
        for instruction, ports in details(stage, t.InstructionDetail_Expose):
            for port in ports:
                if port.start is None or port.end is None:
                    message = f"port `{port.written}` cannot be checked against the allowed ports ({allowed_text})"
                else:
                    outside = [p for p in range(port.start, port.end + 1) if p not in allowed]
                    if not outside:
                        continue
                    message = f"port `{port_text(port)}` is not allowed (allowed: {allowed_text})"
                findings.append(
                    finding("PY002", message, span=line_span(instruction), stage=stage.index)
                )
    return findings


class WitWorld(wit_world.WitWorld):
    def metadata(self) -> t.PolicyInfo:
        return t.PolicyInfo(
            name=POLICY_NAME,
            version=VERSION,
            description="Example org policy in Python: distroless-only services, allowed ports",
            rules=RULES,
        )

    def validate_settings(self, settings: str) -> None:
        try:
            parse_settings(settings)
        except ValueError as error:
            raise Err(str(error))

    def check_dockerfile(self, dockerfile: t.Dockerfile, settings: str) -> list:
        parsed = parse_settings(settings)
        return apt_in_final_stage(dockerfile, parsed) + unexpected_ports(dockerfile, parsed)

    def check_image(self, image: t.Image, settings: str) -> list:
        parsed = parse_settings(settings)
        allowed = set(parsed["allowed-ports"])
        findings = []
        for exposed in image.config.exposed_ports:
            number = exposed.split("/", 1)[0]
            if number.isdigit() and int(number) in allowed:
                continue
            findings.append(
                finding("PY002", f"the image exposes `{exposed}`, which is not an allowed port")
            )
        return findings
