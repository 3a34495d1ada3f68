# The two commands of the README:
#   make demo   set everything up and run the demo council end to end through Airflow
#   make test   set everything up and run the test suite
.PHONY: demo test setup

setup:
	@bash scripts/bootstrap.sh

demo: setup
	THREEC_DEMO=1 .venv/bin/threec demo

test: setup
	@bash scripts/system-packages.sh
	.venv/bin/python -m pytest -n 2 --dist loadgroup
