"""Benchmarks that start a real `sonata serve`; `make bench` runs benchmarks/storm.py."""
