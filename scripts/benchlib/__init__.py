"""Benchmarks run by scripts/bench. Each `bench_<name>.py` module exposes
`run(workdir: Path, quick: bool) -> list[Row]` (Row is defined in `benchlib.harness`)."""
