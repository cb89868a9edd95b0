"""Load tests for Siang. See benchmarks/README.md."""
