"""Room fan-out benchmark: `make bench` or `python -m bench.fanout.run` (see run.py)."""
