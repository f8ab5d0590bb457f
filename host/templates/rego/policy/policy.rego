# A tallyman policy in Rego, written against tallyman's own model (the JSON
# `tallyman parse --format json Dockerfile` prints): `RUN` scripts come split
# into simple commands, so `sudo` is found wherever it runs, not by a regex.
#
# Each rule named `deny`, `violation` (high) or `warn` (medium), alone or
# with a `_suffix`, is a tallyman rule `{{name}}/tallyman.{{crate_name}}.<rule>`.
# A result is a message, or an object with `msg` and the lines it is about
# (`startline`, `endline`).
package tallyman.{{crate_name}}

import rego.v1

deny contains result if {
	some stage in input.stages
	some instruction in stage.instructions
	some command in instruction.detail.Run.command.commands
	command.name == "sudo"
	result := {
		"msg": "`sudo` in RUN: a build runs as root already; use USER to drop privileges",
		"startline": command.line,
		"endline": command.line,
	}
}
