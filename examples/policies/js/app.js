// An example organisation policy in JavaScript.
//
// - JS001: every stage named `runtime` (the `runtime-stages` setting) has a
//   HEALTHCHECK, its own or one inherited from the stage it is built on;
//   `HEALTHCHECK NONE` does not count.
// - JS002: every `node` base image pins a major version (`node:22-alpine`,
//   not `node`, `node:latest` or `node:lts-alpine`), and, when the
//   `node-majors` setting lists majors, one of those.
//
// Settings (all optional):
//
//   settings:
//     org-node-runtime:
//       runtime-stages: ["runtime"]
//       node-majors: [20, 22]
//
// Built with componentize-js (see build.sh). The model's types follow the
// WIT with camelCase names: variants are `{ tag, val }`, options are the
// value or undefined, enums are strings.

const NAME = "org-node-runtime";
const VERSION = "0.1.0";

const DEFAULTS = { "runtime-stages": ["runtime"], "node-majors": [] };

const RULES = [
  {
    id: "JS001",
    title: "Runtime stage without a HEALTHCHECK",
    defaultSeverity: "medium",
    description:
      "## What it does\nChecks that stages named `runtime` define a `HEALTHCHECK` (or inherit one).\n\n" +
      "## Why is this bad?\nWithout a health check the orchestrator only knows whether the process runs, " +
      "not whether it serves; a hung service keeps receiving traffic.\n",
    help:
      "## Example\n```dockerfile\nFROM node:22-alpine AS runtime\nCMD [\"node\", \"server.js\"]\n```\n\n" +
      "## Fix\n```dockerfile\nFROM node:22-alpine AS runtime\n" +
      "HEALTHCHECK CMD wget -qO- http://localhost:8080/healthz || exit 1\nCMD [\"node\", \"server.js\"]\n```\n",
    // `reads:` tags: the parts of a Dockerfile the rule looks at. The host
    // hands the policy only the instructions its rules read (the others keep
    // their keyword and span, so `instructions[0]` is still the FROM), which
    // spares turning every instruction of every file into JS objects.
    tags: ["org", "operability", "reads:HEALTHCHECK"],
    equivalents: ["checkov:CKV_DOCKER_2"],
  },
  {
    id: "JS002",
    title: "Node base image without a pinned major version",
    defaultSeverity: "medium",
    description:
      "## What it does\nFlags `node` base images whose tag does not start with a major version, " +
      "or whose major is not one the `node-majors` setting allows.\n\n" +
      "## Why is this bad?\n`node`, `node:latest` and `node:lts` move to a new major without notice: " +
      "builds change runtime under your feet, with breaking changes.\n",
    help:
      "## Example\n```dockerfile\nFROM node:lts-alpine\n```\n\n" +
      "## Fix\n```dockerfile\nFROM node:22-alpine\n```\n",
    // The base image is the stage's own `base`, the FROM's reference.
    tags: ["org", "reproducibility", "reads:FROM"],
    equivalents: ["hadolint:DL3007"],
  },
];

function parseSettings(text) {
  let given = {};
  if (text.trim() !== "") {
    try {
      given = JSON.parse(text);
    } catch (error) {
      throw `not a JSON document: ${error.message}`;
    }
  }
  if (given === null || typeof given !== "object" || Array.isArray(given)) {
    throw "settings must be a mapping";
  }
  for (const key of Object.keys(given)) {
    if (!(key in DEFAULTS)) {
      throw `unknown key \`${key}\` (known: ${Object.keys(DEFAULTS).map((k) => `\`${k}\``).join(", ")})`;
    }
  }
  const settings = { ...DEFAULTS, ...given };
  const stages = settings["runtime-stages"];
  if (!Array.isArray(stages) || !stages.every((s) => typeof s === "string")) {
    throw "`runtime-stages`: a list of stage names";
  }
  const majors = settings["node-majors"];
  if (!Array.isArray(majors) || !majors.every((m) => Number.isInteger(m) && m > 0)) {
    throw "`node-majors`: a list of major versions (positive integers)";
  }
  return settings;
}

function stageByIndex(dockerfile, index) {
  return dockerfile.stages.find((stage) => stage.index === index);
}

// The stage, then the stage it is built on, and so on.
function ancestry(dockerfile, stage) {
  const chain = [stage];
  let current = stage;
  while (current.base.source.tag === "stage") {
    const parent = stageByIndex(dockerfile, current.base.source.val);
    if (parent === undefined || chain.some((s) => s.index === parent.index)) break;
    chain.push(parent);
    current = parent;
  }
  return chain;
}

function label(stage) {
  return stage.name == null ? `#${stage.index}` : `\`${stage.name}\``;
}

function missingHealthchecks(dockerfile, settings) {
  const names = settings["runtime-stages"].map((n) => n.toLowerCase());
  const findings = [];
  for (const stage of dockerfile.stages) {
    if (stage.name == null || !names.includes(stage.name.toLowerCase())) continue;
    // The last HEALTHCHECK that applies: the stage's own, else inherited.
    let healthcheck;
    for (const ancestor of ancestry(dockerfile, stage)) {
      const own = ancestor.instructions.filter((i) => i.detail.tag === "healthcheck");
      if (own.length > 0) {
        healthcheck = own[own.length - 1];
        break;
      }
    }
    if (healthcheck === undefined) {
      findings.push({
        ruleId: "JS001",
        message: `stage ${label(stage)} has no HEALTHCHECK`,
        span: stage.instructions[0].span,
        stage: stage.index,
        fix: "add `HEALTHCHECK CMD <probe>` to the stage",
      });
    } else if (healthcheck.detail.val.disabled) {
      findings.push({
        ruleId: "JS001",
        message: `stage ${label(stage)} disables its health check (HEALTHCHECK NONE)`,
        span: healthcheck.span,
        stage: stage.index,
      });
    }
  }
  return findings;
}

function isNode(image) {
  const parts = image.repository.split("/");
  return parts[parts.length - 1] === "node";
}

function unpinnedNode(dockerfile, settings) {
  const majors = settings["node-majors"];
  const findings = [];
  for (const stage of dockerfile.stages) {
    if (stage.base.source.tag !== "image") continue;
    const image = stage.base.source.val;
    if (!isNode(image)) continue;
    const tag = image.tag == null ? "" : image.tag;
    const match = /^(\d+)(?:[.-]|$)/.exec(tag);
    let message;
    if (match === null) {
      const shown = tag === "" ? "no tag (latest)" : `tag \`${tag}\``;
      message = `\`${stage.base.expanded}\` has ${shown}: pin a major version such as \`node:22-alpine\``;
    } else if (majors.length > 0 && !majors.includes(Number(match[1]))) {
      message = `\`${stage.base.expanded}\` is Node ${match[1]}; allowed majors: ${majors.join(", ")}`;
    } else {
      continue;
    }
    findings.push({
      ruleId: "JS002",
      message,
      span: stage.instructions[0].span,
      stage: stage.index,
    });
  }
  return findings;
}

export function metadata() {
  return {
    name: NAME,
    version: VERSION,
    description: "Example org policy in JavaScript: runtime health checks, pinned Node majors",
    rules: RULES,
  };
}

// A thrown string is the `err` of `result<_, string>`.
export function validateSettings(settings) {
  parseSettings(settings);
}

export function checkDockerfile(dockerfile, settings) {
  const parsed = parseSettings(settings);
  return [...missingHealthchecks(dockerfile, parsed), ...unpinnedNode(dockerfile, parsed)];
}

export function checkImage(image, settings) {
  parseSettings(settings);
  return [];
}
