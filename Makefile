# The two commands of the README:
#   make demo   set everything up and run the demo council end to end through Airflow
#   make test   set everything up and run the test suite
.PHONY: demo test setup

setup:
	@bash scripts/bootstrap.sh

demo: setup
	THREEC_DEMO=1 .venv/bin/threec demo

# The dependency audit (pip-audit over constraints.txt; accepted exceptions in docs/security.md)
# runs first: a known-vulnerable pin fails the build before the suite starts.
test: setup
	@bash scripts/system-packages.sh
	bash scripts/audit-deps.sh
	.venv/bin/python -m pytest -n 2 --dist loadgroup --durations=40
