#!/bin/sh
# tests/test_sla_scenario.sh — runs the README's SLA scenario
# (examples/sla_scenario.sh) against the built `escalate` tool; the
# scenario checks every figure itself.  Run by `make check`.
top=${ESC_TEST_BUILDDIR:-$(pwd)/tests}/..
unset ESCALATE_DB ESCALATE_NOW
exec sh "${srcdir:-.}/examples/sla_scenario.sh" "$top/tools/escalate"
