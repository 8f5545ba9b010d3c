"""The HTTP ramp's CPU model (tests/benchmarks/perf/phases.py ``cpu_model``) on hand-made steps."""

from __future__ import annotations

from typing import Any

import pytest

from tests.benchmarks.perf.phases import cpu_model, score_http


def step(rate: int, saturated: bool, **cpu: float) -> dict[str, Any]:
    return {"offered_per_s": rate, "achieved_per_s": rate, "saturated": saturated, "cpu_ms_per_request": cpu}


GATEWAY_STEPS = [
    step(1000, False, **{"gateway-0": 0.3, "kafka": 0.05, "redis": 0.03, "load_generator": 0.07}),
    step(5000, False, **{"gateway-0": 0.16, "kafka": 0.03, "redis": 0.03, "load_generator": 0.06}),
    step(8000, True, **{"gateway-0": 0.125, "kafka": 0.02, "redis": 0.02, "load_generator": 0.05}),
]
BARE_STEPS = [
    step(1000, False, **{"bare-aiohttp": 0.07, "kafka": 0.01, "redis": 0.0, "load_generator": 0.07}),
    step(12000, False, **{"bare-aiohttp": 0.06, "kafka": 0.01, "redis": 0.0, "load_generator": 0.06}),
]


def test_the_model_uses_each_targets_highest_unsaturated_step() -> None:
    model = cpu_model({"gateway": GATEWAY_STEPS, "bare_aiohttp": BARE_STEPS}, cores=2)
    assert model is not None
    gateway, bare = model["gateway"], model["bare_aiohttp"]
    assert gateway["server_cpu_ms_per_request"] == 0.16
    assert gateway["machine_cpu_ms_per_request"] == pytest.approx(0.28)
    # one gateway process: its own thread (1,000 / 0.16 = 6,250/s) binds before the machine (2,000 / 0.28)
    assert gateway["predicted_per_s"] == 6250
    assert bare["machine_cpu_ms_per_request"] == pytest.approx(0.13)
    assert bare["predicted_per_s"] == round(2000 / 0.13)  # the machine binds: 15,385/s
    assert model["predicted_ratio"] == round(6250 / 15385, 3)
    # a gateway as cheap as the bare handler, Kafka, Redis and the load generator as measured: 2,000 / 0.18
    assert model["bound_ratio_if_gateway_cost_bare"] == round(round(2000 / 0.18, 3) / 15385, 3)
    # 60 % of 15,385/s is 9,231/s: one thread allows 0.1083 ms, the machine 2,000 / 9,231 - 0.12 = 0.0967 ms
    assert model["gateway_cpu_ms_per_request_for_target"] == {"target": 0.6, "ms": round(2000 / 9231 - 0.12, 4)}


def test_two_gateway_processes_add_their_cpu_and_their_threads() -> None:
    steps = [step(5000, False, **{"gateway-0": 0.09, "gateway-1": 0.09, "kafka": 0.03, "load_generator": 0.06})]
    model = cpu_model({"gateway": steps, "bare_aiohttp": BARE_STEPS}, cores=2)
    assert model is not None
    assert model["gateway"]["server_cpu_ms_per_request"] == 0.18
    assert model["gateway"]["predicted_per_s"] == round(2000 / 0.27)  # two threads: the machine binds


def test_no_model_without_cpu_figures() -> None:
    bare = [{"offered_per_s": 100, "achieved_per_s": 100, "saturated": False}]
    assert cpu_model({"gateway": GATEWAY_STEPS, "bare_aiohttp": bare}, cores=2) is None
    assert score_http({"gateway": GATEWAY_STEPS, "bare_aiohttp": bare})["cpu_model"] is None
