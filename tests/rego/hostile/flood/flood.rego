# A million results from one rule.
package main

import rego.v1

deny contains msg if {
	some n in numbers.range(1, 1000000)
	msg := sprintf("result %d", [n])
}
