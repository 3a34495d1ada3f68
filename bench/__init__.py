"""threec's benchmark (issue 9): the I/O floor, threec's full rebuild and daily delta,
and a pandas reference implementation of the same facts, side by side on the same
generated files. Run it with ``.venv/bin/python bench/run.py --scale council``; see
docs/benchmarks.md for what is measured and why."""
