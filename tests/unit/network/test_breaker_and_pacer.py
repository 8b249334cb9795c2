"""The breaker's and the pacer's rules on a clock the test moves: 3 failures open a host's
circuit, it fails fast until the cool-down, one probe then goes through, a failed probe
reopens at once and a success closes it; the pacer learns the quota from RateLimit-Policy,
takes `r`/`t` from RateLimit, halves the rate under 10 % left, and a 429 pauses the host
until the reset (or Retry-After, or the window)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tensorshelf.network.breaker import CircuitBreaker
from tensorshelf.network.ratelimit import Pacer, parse_limits


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_fails_fast_probes_and_closes() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failures=3, cooldown_s=60, clock=clock)
    assert breaker.allow("hub")[0]
    assert not breaker.failure("hub", "timeout") and not breaker.failure("hub", "timeout")
    assert breaker.failure("hub", "timeout"), "the third failure opens it"
    allowed, why = breaker.allow("hub")
    assert not allowed and "timeout" in why and breaker.state("hub") == "open"
    assert breaker.allow("other")[0], "per host"
    clock.now += 60
    assert breaker.state("hub") == "half_open"
    assert breaker.allow("hub")[0], "one probe"
    assert not breaker.allow("hub")[0], "only one"
    assert breaker.failure("hub", "503"), "a failed probe reopens at once"
    assert not breaker.allow("hub")[0]
    clock.now += 60
    assert breaker.allow("hub")[0]
    assert breaker.success("hub") and breaker.state("hub") == "closed"
    assert not breaker.failure("hub", "timeout"), "counting starts again"


def test_pacer_follows_the_hosts_headers() -> None:
    clock = Clock()
    pacer = Pacer(quota=500, window_s=300, clock=clock)
    assert pacer.take("hub") == 0
    pacer.observe(
        "hub",
        {"ratelimit-policy": '"fixed window";"api";q=100;w=100', "ratelimit": '"api";r=50;t=80'},
        200,
    )
    assert not pacer.low("hub")
    for _ in range(41):
        assert pacer.take("hub") == 0
    assert pacer.low("hub"), "9 left of 100"
    assert [pacer.take("hub") for _ in range(4)] == [0, 0, 0, 0]  # 9 → 1: two a request
    wait = pacer.take("hub")
    assert 0 < wait <= 1.0, "the bucket is empty: wait for its refill (1 token/s)"
    pause = pacer.observe("hub", {"ratelimit": '"api";r=0;t=42'}, 429)
    assert pause == 42 and pacer.take("hub") >= 42
    assert pacer.observe("b", {"retry-after": "7"}, 429) == 7
    assert pacer.observe("c", {}, 429) == 300, "no hint: the window"


def test_parse_limits_reads_the_hub_shapes() -> None:
    (policy,) = parse_limits('"fixed window";"api";q=500;w=300')
    assert policy.name == "api" and policy.params == {"q": 500, "w": 300}
    two = parse_limits('"api";r=489;t=189, "resolvers";r=2999;t=189')
    assert [(x.name, x.params["r"]) for x in two] == [("api", 489), ("resolvers", 2999)]


@given(st.text(max_size=200))
def test_parse_limits_never_raises(header: str) -> None:
    for item in parse_limits(header):
        assert item.params
