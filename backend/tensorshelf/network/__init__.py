"""The only way any code reaches the network: one shared httpx client (HTTP/2 where the
server offers it), a circuit breaker and a rate-limit pacer per host, retries with backoff for
idempotent requests, the offline switches, and a per-host status pushed as `network.status`."""
