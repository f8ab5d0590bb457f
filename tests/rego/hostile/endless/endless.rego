# An endless comprehension: ten trillion numbers, summed.
package main

import rego.v1

deny contains msg if {
	total := sum([n | some n in numbers.range(0, 10000000000000)])
	msg := sprintf("%d", [total])
}
