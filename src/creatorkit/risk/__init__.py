"""Risk: violation points and strikes, anomaly flags with their evidence, re-hire advice.

:func:`violation_points` applies the points policy of DESIGN §2 (per-point expiry or
periodic clearing, penalty thresholds given by the caller, three strikes of extreme to
critical violations → a 7-day suspension); :func:`flags` returns anomaly evidence (value,
benchmark, robust z or rule, a sentence); :func:`rehire` combines score, corrected
reviews and risk into *hire again*, *try with a small budget* or *do not hire*.

Example:
    >>> import creatorkit as ck
    >>> world = ck.datasets.synthetic(0, n_creators=200, n_events=500, model="truth_model@1")
    >>> res = ck.risk.violation_points(world.violations, as_of="2026-06-30T23:59:59+00:00")
    >>> int(res.creators["strikes"].max())
    1
"""

from creatorkit.risk._flags import DEFAULT_Z, FLAGS, PEER_FLAGS, RULE_FLAGS, RiskFlags, flags
from creatorkit.risk._points import ViolationPoints, violation_points
from creatorkit.risk._policy import CLEARING, DEFAULT_POLICY, PointsPolicy
from creatorkit.risk._rehire import DECISIONS, rehire

__all__ = [
    "CLEARING",
    "DECISIONS",
    "DEFAULT_POLICY",
    "DEFAULT_Z",
    "FLAGS",
    "PEER_FLAGS",
    "RULE_FLAGS",
    "PointsPolicy",
    "RiskFlags",
    "ViolationPoints",
    "flags",
    "rehire",
    "violation_points",
]
