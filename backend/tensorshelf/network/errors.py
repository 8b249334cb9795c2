"""The network's errors, in the one error shape (`ShelfError`: a stable code and a sentence
naming the host or URL)."""

from __future__ import annotations

from tensorshelf.errors import ShelfError


class NetworkError(ShelfError):
    """A request could not be completed: connection refused, timeout, a 5xx after retries."""

    code = "network_error"


class Offline(NetworkError):
    """No request is attempted at all (HF_HUB_OFFLINE=1, --offline, the settings switch)."""

    code = "offline"


class HostUnavailable(NetworkError):
    """The host's circuit is open after repeated failures: failing fast, without I/O."""

    code = "host_unavailable"


class RateLimited(NetworkError):
    """The host asked us to slow down (429) and the wait would be longer than allowed."""

    code = "rate_limited"
