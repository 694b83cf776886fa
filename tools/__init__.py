"""Developer tools shared by the benchmarks, the soak script and the browser tests."""
