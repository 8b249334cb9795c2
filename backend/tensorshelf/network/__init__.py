"""The HTTP client layer: retries, rate limits, circuit breaker (issue 10: not built yet)."""
