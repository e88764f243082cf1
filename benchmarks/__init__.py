"""Benchmarks: `make bench` runs them all, `make bench BENCH_ARGS=sim` one."""
