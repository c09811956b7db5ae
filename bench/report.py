"""The benchmark's targets (from issue 5) and its printed table."""

ROWS = ("L", "L3", "L4", "D3", "W0", "W1", "W2", "W3", "W4", "W5", "W1 nocache", "W2 nocache", "W3 nocache")
ROWS += ("W4 nocache", "W5 nocache", "W3 small")
# Aggregates (issue 12) against a page of readings, each with the cache as W3 has it.
AGGREGATE_TARGETS = {
    "W4": ("W3", 0.5),
    "W5": ("W3", 0.5),
    "W4 nocache": ("W3 nocache", 0.5),
    "W5 nocache": ("W3 nocache", 0.5),
}
RATIO_TARGETS = {"W1": 0.8, "W2": 0.6, "W3": 0.5, "W1 nocache": 0.35, "W2 nocache": 0.2}
P99_LIMIT_MS = 50
P99_ROWS = ("W1", "W2", "W3", "W4", "W5", "W2 nocache")  # W2 nocache is issue 12's W6
SCALE_LIMIT = 1.3  # W3's p50 on the large database over its p50 on the small one
RSS_LIMIT_MB = 120
RSS_GROWTH_LIMIT = 1.10
COLD_START_LIMIT_S = 3.0


def _target(name, value, limit, met):
    return {"name": name, "value": value, "limit": limit, "met": bool(met)}


def targets(summary):
    work = summary["workloads"]
    w0 = work["W0"]["rps"]
    found = [_target("W0 / L", round(w0 / work["L"]["rps"], 3), ">= 0.4", w0 >= 0.4 * work["L"]["rps"])]
    for name, ratio in RATIO_TARGETS.items():
        value = work[name]["rps"] / w0
        found.append(_target(f"{name} / W0", round(value, 3), f">= {ratio}", value >= ratio))
    for name, (base, ratio) in AGGREGATE_TARGETS.items():
        value = work[name]["rps"] / work[base]["rps"]
        found.append(_target(f"{name} / {base}", round(value, 3), f">= {ratio}", value >= ratio))
    for name in P99_ROWS:
        p99 = work[name]["p99_ms"]
        found.append(_target(f"{name} p99 ms", p99, f"<= {P99_LIMIT_MS}", p99 <= P99_LIMIT_MS))
    errors = sum(result["non_2xx_3xx"] + result["socket_errors"] for result in work.values())
    errors += summary["memory"]["errors"]
    found.append(_target("errors, all workloads", errors, "== 0", errors == 0))
    scale = work["W3"]["p50_ms"] / work["W3 small"]["p50_ms"]
    found.append(_target("W3 p50 large / small", round(scale, 3), f"<= {SCALE_LIMIT}", scale <= SCALE_LIMIT))
    memory = summary["memory"]
    sizes = [*memory["final"]["rss_mb"].values(), *memory["after_default_workloads_mb"].values()]
    found.append(_target("worker RSS MB, max", max(sizes), f"<= {RSS_LIMIT_MB}", max(sizes) <= RSS_LIMIT_MB))
    baseline = (memory["checkpoint"] or memory["final"])["rss_mb"]
    growth = max(memory["final"]["rss_mb"].get(pid, 0) / size for pid, size in baseline.items())
    found.append(
        _target("worker RSS growth, soak", round(growth, 3), f"<= {RSS_GROWTH_LIMIT}", growth <= RSS_GROWTH_LIMIT)
    )
    cold = summary["cold_start"]["seconds"]
    found.append(
        _target(f"cold start to 200 on {summary['cold_start']['path']} s", cold, "<= 3", cold <= COLD_START_LIMIT_S)
    )
    return found


def table(summary):
    """The results as a Markdown table, ready for the README."""
    work = summary["workloads"]
    w0 = work["W0"]["rps"]
    lines = [
        "| workload | path | req/s | p50 ms | p99 ms | non-2xx/3xx | ratio to W0 | CPU us/request: app / db / wrk |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in ROWS:
        if name not in work:
            continue
        result = work[name]
        errors = result["non_2xx_3xx"] + result["socket_errors"]
        lines.append(
            f"| {name} | `{result['path']}` | {result['rps']:,.0f} | {result['p50_ms']:.2f} | {result['p99_ms']:.2f} "
            f"| {errors} | {result['rps'] / w0:.2f} | {cpu_cells(result)} |"
        )
    lines.append("")
    w3, w4, l3, l4, d3 = (work[name]["rps"] for name in ("W3", "W4", "L3", "L4", "D3"))
    lines.append(f"W0 / L = {w0 / work['L']['rps']:.2f}; W3 / L3 = {w3 / l3:.2f}")
    lines.append(f"D3 / L3 = {d3 / l3:.2f}; W3 / D3 = {w3 / d3:.2f} (Django's own floor, and relayr on it)")
    lines.append(f"W4 / L4 = {w4 / l4:.2f}; L4 / L3 = {l4 / l3:.2f} (W4's floor, and that floor against W3's)")
    memory = summary["memory"]
    checkpoint = memory["checkpoint"] or memory["final"]
    lines.append(
        f"worker RSS MB: {_sizes(memory['after_default_workloads_mb'])} after the default workloads; "
        f"{_sizes(checkpoint['rss_mb'])} after {checkpoint['requests']:,} soak requests, "
        f"{_sizes(memory['final']['rss_mb'])} after {memory['final']['requests']:,}"
    )
    cold = summary["cold_start"]
    lines.append(f"cold start to the first 200 on {cold['path']}: {cold['seconds']} s")
    lines.append(f"InnoDB buffer pool: {summary['buffer_pool_bytes'] / 2**20:,.0f} MB")
    lines.append("")
    lines.append("| target | measured | limit | met |")
    lines.append("| --- | ---: | ---: | --- |")
    for target in summary.get("targets", []):
        met = "yes" if target["met"] else "NO"
        lines.append(f"| {target['name']} | {target['value']} | {target['limit']} | {met} |")
    return "\n".join(lines)


def cpu_cells(result):
    """A workload's CPU per request as "app / db / wrk" microseconds ("-" where unknown)."""
    cpu = result.get("cpu_us_per_request") or {}
    return " / ".join("-" if cpu.get(part) is None else f"{cpu[part]:,}" for part in ("app", "database", "wrk"))


def _sizes(rss):
    return " / ".join(f"{size:.0f}" for size in rss.values()) or "-"
