# `tallyman policy test .` runs every `test_` rule, as `opa test` does.
package tallyman.{{crate_name}}

import rego.v1

run_of(commands) := {"stages": [{"instructions": [{"detail": {"Run": {"command": {"commands": commands}}}}]}]}

test_sudo_is_denied if {
	results := deny with input as run_of([{"name": "sudo", "args": ["apt-get", "update"], "line": 2}])
	count(results) == 1
	some result in results
	result.startline == 2
}

test_other_commands_pass if {
	results := deny with input as run_of([{"name": "apt-get", "args": ["update"], "line": 2}])
	count(results) == 0
}
