"""Benchmarks (not tests): throughput and memory, printed as figures."""
