# A huge recursion: Rego has no recursive rules, so the recursion is in the
# data, walked a hundred thousand levels deep.
package main

import rego.v1

deep := json.unmarshal(concat("", array.concat([s | some _ in numbers.range(1, 100000); s := "["], [s | some _ in numbers.range(1, 100000); s := "]"])))

deny contains msg if {
	some path, _ in walk(deep)
	count(path) > 99990
	msg := "reached the bottom"
}
