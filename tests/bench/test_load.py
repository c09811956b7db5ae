"""bench.load.combine: a workload's interleaved runs merge into one rate and one latency distribution."""

from bench.load import combine


def _run(requests, seconds, permille_us, errors=0):
    return {
        "requests": requests,
        "seconds": seconds,
        "max_us": max(permille_us),
        "non_2xx_3xx": errors,
        "socket_errors": 0,
        "permille_us": permille_us,
    }


def test_one_run_keeps_wrks_own_percentiles():
    result = combine([_run(5_000, 2.0, list(range(1, 1001)))])  # wrk's p50 is the 500th point, p99 the 990th
    assert (result["requests"], result["rps"]) == (5_000, 2_500.0)
    assert (result["p50_ms"], result["p99_ms"], result["max_ms"]) == (0.5, 0.99, 1.0)


def test_runs_weigh_by_their_requests():
    fast, slow = [1_000] * 1000, [10_000] * 1000  # every request 1 ms, or 10 ms
    mostly_fast = combine([_run(3_000, 1.0, fast), _run(1_000, 1.0, slow, errors=2)])
    assert (mostly_fast["p50_ms"], mostly_fast["p99_ms"]) == (1.0, 10.0)
    assert (mostly_fast["rps"], mostly_fast["non_2xx_3xx"], mostly_fast["runs_rps"]) == (2_000.0, 2, [3_000.0, 1_000.0])
    mostly_slow = combine([_run(1_000, 1.0, fast), _run(3_000, 3.0, slow)])
    assert (mostly_slow["p50_ms"], mostly_slow["p99_ms"], mostly_slow["rps"]) == (10.0, 10.0, 1_000.0)
