"""Times of one route (optimise.transport.routing.schedule): arrival windows to the
second, dwell rounded up, the drop-off before a vehicle is free again."""

from __future__ import annotations

import numpy as np
import pytest

from models.transport import TransportPolicy
from optimise.transport.routing.schedule import (
    arrival_window,
    build_route,
    drop_seconds,
    dwell_seconds,
)
from tests.transport.tiny import line_problem


def _one_pupil(**policy):
    prob = line_problem([{"id": "a", "x": 5.0}])  # 5 km from school: 300 s
    return prob.replace(policy=TransportPolicy(**policy)) if policy else prob


def test_whole_minute_windows_as_before():
    prob = _one_pupil()  # bell 09:00, arrive 5 to 25 minutes before
    assert arrival_window(prob, 0) == (9 * 3600 - 25 * 60, 9 * 3600 - 5 * 60)


def test_a_window_margin_in_fractions_of_a_minute_is_kept_to_the_second_below():
    prob = _one_pupil()
    margin = np.array([154.4 / 60])
    prob = prob.replace(arrive_min_before=margin, arrive_max_before=margin)
    # 09:00 less 154.4 s is 08:57:25.6; the window closes at the whole second before.
    assert arrival_window(prob, 0) == (32245, 32245)


def test_dwell_is_rounded_up_never_down():
    # 19 + 2.6 n s: 24.2 s for two boarding is 25 s, never 24.
    prob = _one_pupil(dwell_stop_s=19, dwell_pupil_s=2.6)
    assert [dwell_seconds(prob, n) for n in (1, 2, 5)] == [22, 25, 32]
    assert dwell_seconds(_one_pupil(), 3) == 60  # whole seconds stay as they are


def test_a_vehicle_is_free_after_the_drop_off():
    # By default the drop-off takes as long as the pick-up dwell for the pupils aboard;
    # a policy may fix it instead.
    assert drop_seconds(_one_pupil(), 4) == 70
    assert drop_seconds(_one_pupil(dropoff_s=154.4), 4) == 155
    prob = _one_pupil(dropoff_s=120)
    route = build_route(prob, "r", 0, [(int(prob.pupil_location[0]), (0,))])
    assert not route.violations and route.route.visits[-1].arrive_s == 9 * 3600 - 5 * 60


@pytest.mark.parametrize("bad", [-1, 3600, "soon", True])
def test_a_drop_off_outside_an_hour_is_refused(bad):
    with pytest.raises(ValueError, match="dropoff_s: expected seconds from 0 to 3600"):
        TransportPolicy(dropoff_s=bad)
