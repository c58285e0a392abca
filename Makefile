# One entry per routine task. `make demo` and `make test` are the README's quick start.
.PHONY: demo test lint format bench golden

demo:
	scripts/demo.sh out

test:
	scripts/test.sh

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/lint-imports

format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

bench:
	.venv/bin/python benchmarks/bench_python.py samples/legacy_shop

golden:
	UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/test_reports.py
