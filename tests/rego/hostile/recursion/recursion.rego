# A huge recursion: a function that calls itself a million levels deep.
# OPA refuses recursive functions when it compiles a module; regorus 0.14.1
# does not, so the interpreter recurses until the guest's stack runs out.
# (An earlier version walked a 100,000-deep document made by json.unmarshal;
# since builtin errors are undefined, as in OPA, serde_json's depth limit
# made that rule undefined and nothing recursed.)
package main

import rego.v1

deep(n) := 0 if n <= 0

deep(n) := deep(n - 1) + 1 if n > 0

deny contains msg if {
	deep(1000000) > 0
	msg := "reached the bottom"
}
