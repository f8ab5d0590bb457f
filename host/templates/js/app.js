// {{name}}: a tallyman policy in JavaScript.
//
// The exports follow the `policy` world of wit/policy.wit with camelCase
// names. In the model, records are objects with camelCase fields, variants
// are `{ tag, val }`, options are the value or undefined, enums are
// strings. A thrown string is the `err` of a `result<_, string>`.

const RULES = [
  {
    id: "ORG001",
    title: "sudo in RUN",
    defaultSeverity: "medium",
    description:
      "## What it does\nFlags `sudo` in `RUN` instructions.\n\n" +
      "## Why is this bad?\nBuilds already run as root until a `USER` says otherwise; " +
      "`sudo` adds a setuid binary to the image and hides which user runs what.\n",
    help:
      "## Example\n```dockerfile\nRUN sudo apt-get install -y curl\n```\n\n" +
      "## Fix\n```dockerfile\nRUN apt-get install -y curl\n```\n",
    // `reads:RUN`: the rule looks at RUN instructions only, so the host
    // hands the policy RUNs in full and every other instruction as its
    // keyword and span; a rule without a `reads:` tag gets everything, which
    // costs more to turn into JS objects on every file.
    tags: ["security", "reads:RUN"],
    equivalents: ["hadolint:DL3004"],
  },
];

function parseSettings(text) {
  const settings = text.trim() === "" ? {} : JSON.parse(text);
  if (settings === null || typeof settings !== "object" || Array.isArray(settings)) {
    throw "settings must be a mapping";
  }
  for (const key of Object.keys(settings)) {
    throw `unknown key \`${key}\`: this policy takes no settings`;
  }
  return settings;
}

export function metadata() {
  return {
    name: "{{name}}",
    version: "0.1.0",
    description: "{{name}}: an organisation policy",
    rules: RULES,
  };
}

export function validateSettings(settings) {
  try {
    parseSettings(settings);
  } catch (error) {
    throw String(error);
  }
}

// The edit that deletes `sudo `, for `tallyman fix --unsafe-fixes`. An edit
// needs columns. An instruction's span starts at its keyword's column, and on
// a RUN written on one line `original` is that line from the keyword on, so
// an offset in it is a column (columns count characters, 1-based; the end is
// not included). Unsafe: after a `USER`, the command no longer runs as root.
function dropSudo(instruction, command) {
  const text = instruction.original;
  const written = command.text.trim();
  const span = instruction.span;
  const oneLine = span.startLine === span.endLine && !text.includes("\n");
  if (!oneLine || span.startColumn === 0 || !written.startsWith("sudo ")) return undefined;
  const at = text.indexOf(written);
  if (at < 0 || text.indexOf(written, at + 1) >= 0) return undefined;
  // Characters, not UTF-16 units: count the code points before the command.
  const column = span.startColumn + [...text.slice(0, at)].length;
  return {
    applicability: "unsafe",
    edits: [
      {
        span: {
          startLine: span.startLine,
          startColumn: column,
          endLine: span.startLine,
          endColumn: column + "sudo ".length,
        },
        replacement: "",
      },
    ],
  };
}

export function checkDockerfile(dockerfile, settings) {
  const findings = [];
  for (const stage of dockerfile.stages) {
    for (const instruction of stage.instructions) {
      if (instruction.detail.tag !== "run") continue;
      for (const command of instruction.detail.val.command.commands) {
        if (command.name === "sudo") {
          findings.push({
            ruleId: "ORG001",
            message: `\`${command.text}\` uses sudo`,
            span: instruction.span,
            stage: stage.index,
            fix: "drop sudo: the build runs as root until a USER instruction",
            autofix: dropSudo(instruction, command),
          });
        }
      }
    }
  }
  return findings;
}

export function checkImage(image, settings) {
  return [];
}
