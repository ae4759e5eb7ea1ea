.PHONY: test demo bench lint

# One command: install the test needs, then run the whole suite, slow tests included
# (`python3 -m pytest -m 'not slow'` leaves them out while working).
test:
	./scripts/install-test-deps
	python3 -m pytest -n 2 -q

demo:
	python3 -m pip install -q -e . && xieshang demo

bench:
	python3 bench/bench_etl.py
	python3 bench/fill_warehouse.py
	python3 bench/bench_metrics.py
	python3 bench/bench_dashboard.py

lint:
	ruff check . && ruff format --check .
