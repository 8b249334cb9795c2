"""The suite's `xdist_group` marks hold: under `--dist loadgroup` (scripts/test) a grouped
test is scheduled by its group. pytest 9.2 with pytest-xdist 3.8 silently dropped the group
(pytest-xdist#1386) and every group's tests were spread over the workers — module fixtures
built twice, tests meant to share one served window racing each other."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.xdist_group("xdist_check")


def test_a_grouped_test_is_scheduled_by_its_group(request: pytest.FixtureRequest) -> None:
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not a worker of --dist loadgroup")
    assert request.node.nodeid.endswith("@xdist_check"), request.node.nodeid
