"""`make bench-scale`: do a readings page and an aggregate cost the same at any table size?

One database per size (BENCH_SCALE_DATABASE_URL with ``{size}`` in it,
default relayr_scale_<size> on 127.0.0.1), each filled once with 100 bench
sensors (10 at 10 thousand: ``sensors_for``), a reading a minute, and kept
for later runs. One gunicorn per
size, all up together, with the response cache off (every request reaches
the database). Against each, in interleaved rounds as in `make bench` (so
the sizes share the machine's drift):

- W3: a random sensor's 100-reading page from a random point in its history;
- A1h and A15m: a random sensor's aggregates in 1h and 15m buckets over 100
  minutes from a random point (whole hours from the hourly rollups, the rest
  from the readings).

Each asks for the same amount of data at every size, and every W3 page has
a next page, so only the table's size differs. Then, from
information_schema, the bytes on disk per reading (data and indexes), and
what each index of the readings table costs an insert: the same rows
inserted into copies of the table with and without it.

InnoDB's buffer pool decides whether an index probe reads memory or the
disk; ``--buffer-pool-mb`` sets it (SET GLOBAL, restored afterwards) to what
a server sized for the data would have.

    python -m bench.scale [--sizes 10000,1000000,10000000] [--duration 10] [--rounds 2] [--buffer-pool-mb N]
"""

import argparse
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from . import dataset
from .load import require_wrk
from .run import PAGE, RESULTS_DIR, Bench, Workload
from .server import Server


def sensors_for(readings):
    """100 bench sensors, but 10 at 10 thousand readings: 100 readings a sensor would make
    every W3 page the last (no cursor, no next link), cheaper than a page at any larger size."""
    return min(100, max(1, readings // 1000))


INSERT_SAMPLE = 200_000  # rows inserted into each copy of the table for the index cost
READINGS = "records_reading"


def parse_args(argv):
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url", default=env("BENCH_SCALE_DATABASE_URL", "mysql://root@127.0.0.1:3306/relayr_scale_{size}")
    )
    parser.add_argument("--sizes", default="10000,1000000,10000000", help="readings per database, comma-separated")
    parser.add_argument("--duration", type=int, default=10, help="measured seconds per size, over all rounds")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=int(env("WEB_CONCURRENCY", "4")))
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.add_argument(
        "--buffer-pool-mb", type=int, help="InnoDB's buffer pool for the run (the server's own if unset)"
    )
    return parser.parse_args(argv)


WINDOW_SECONDS = 100 * 60  # well inside the smallest database's history per sensor
WORKLOADS = {  # name: (path as the table shows it, wrk mode)
    "W3": ("/api/v1/sensors/{id}/readings?since=...&limit=100", "readings"),
    "A1h": ("/api/v1/sensors/{id}/aggregates?bucket=1h&since=...&until=+100m", f"window:1h:{WINDOW_SECONDS}"),
    "A15m": ("/api/v1/sensors/{id}/aggregates?bucket=15m&since=...&until=+100m", f"window:15m:{WINDOW_SECONDS}"),
}


def ensure(url, readings, log=print):
    """The database at ``url`` with ``sensors_for(readings)`` bench sensors and ``readings`` readings, made once.

    generate_readings makes the sensors; the readings come from MariaDB's
    sequence engine in one INSERT ... SELECT per sensor, a reading a minute:
    generate_readings sends every row from Python and would take most of an
    hour for ten million on this machine.
    """
    sensors = sensors_for(readings)
    data = dataset.ensure(url, sensors, 0, log=log)
    if len(data.sensor_ids) != sensors:
        raise SystemExit(f"{url} holds {len(data.sensor_ids)} bench sensors, not {sensors}: drop it to refill it")
    per_sensor = readings // sensors
    if data.readings < per_sensor * sensors:
        log(f"filling {per_sensor * sensors:,} readings (once; later runs reuse them)")
        connection, _ = dataset.connect(url)
        with connection, connection.cursor() as cursor:
            for sensor_id in data.sensor_ids:
                cursor.execute(
                    f"INSERT IGNORE INTO {READINGS} (sensor_id, recorded_at, value) "  # noqa: S608 - constants only
                    "SELECT %s, TIMESTAMPADD(MINUTE, seq, '2024-01-01'), ROUND(50 + 40 * SIN(seq / 600), 3) "
                    f"FROM seq_0_to_{per_sensor - 1}",
                    [sensor_id],
                )
                connection.commit()
        data = dataset.measure(url)
    log(f"{data.readings:,} readings")
    return data


def disk_use(url):
    """Bytes of the readings table's rows and of its indexes, per reading, after fresh statistics."""
    connection, name = dataset.connect(url)
    with connection, connection.cursor() as cursor:
        cursor.execute(f"ANALYZE TABLE {READINGS}")
        cursor.fetchall()
        cursor.execute(f"SELECT COUNT(*) FROM {READINGS}")  # noqa: S608 - a constant table name
        [(count,)] = cursor.fetchall()
        cursor.execute(
            "SELECT data_length, index_length FROM information_schema.tables "
            "WHERE table_schema = %s AND table_name = %s",
            [name, READINGS],
        )
        data, index = cursor.fetchone()
    return {
        "readings": count,
        "data_bytes": data,
        "index_bytes": index,
        "per_reading": round((data + index) / count, 1),
    }


def index_costs(url, rows=INSERT_SAMPLE):
    """Microseconds per inserted row into copies of the readings table: with every index,
    with the primary key only, and without each secondary index in turn."""
    connection, _ = dataset.connect(url)
    with connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT index_name FROM information_schema.statistics "
            "WHERE table_schema = DATABASE() AND table_name = %s AND index_name <> 'PRIMARY'",
            [READINGS],
        )
        secondary = sorted(row[0] for row in cursor.fetchall())
        variants = {"all indexes": [], "primary key only": secondary}
        variants.update({f"without {name}": [name] for name in secondary})
        costs = {}
        for label, dropped in variants.items():
            cursor.execute("DROP TABLE IF EXISTS scale_insert_copy")
            cursor.execute(f"CREATE TABLE scale_insert_copy LIKE {READINGS}")
            for name in dropped:
                cursor.execute(f"ALTER TABLE scale_insert_copy DROP INDEX `{name}`")
            # Rows in arrival order: every sensor's readings interleaved by time, as devices send them.
            began = time.perf_counter()
            cursor.execute(
                "INSERT INTO scale_insert_copy (sensor_id, recorded_at, value) "  # noqa: S608 - constants only
                f"SELECT sensor_id, recorded_at, value FROM {READINGS} ORDER BY recorded_at, sensor_id LIMIT %s",
                [rows],
            )
            connection.commit()
            costs[label] = round((time.perf_counter() - began) / rows * 1e6, 2)
        cursor.execute("DROP TABLE scale_insert_copy")
    return {"rows": rows, "us_per_row": costs}


def main(argv=None):
    args = parse_args(argv)
    os.environ["WEB_CONCURRENCY"] = str(args.workers)
    require_wrk()
    sizes = [int(size) for size in args.sizes.split(",")]
    began = time.monotonic()
    data = {size: ensure(args.database_url.format(size=size), size) for size in sizes}
    bench = Bench(args)
    with Server(args.database_url.format(size=sizes[0])) as probe:
        ready_path, _ = probe.wait_until_ok("/readyz")
    servers = {}
    with dataset.buffer_pool(data[sizes[0]].url, args.buffer_pool_mb) as pool_bytes:
        try:
            for size in sizes:
                servers[size] = Server(data[size].url, env={"API_CACHE_SECONDS": "0"}).start()
                servers[size].wait_until_ok(ready_path)
            bench.measure(
                [
                    Workload(
                        f"{name} {size:,}",
                        servers[size],
                        f"/api/v1/sensors/{data[size].sensor_ids[0]}",
                        label,
                        mode,
                        data[size],
                    )
                    for size in sizes
                    for name, (label, mode) in WORKLOADS.items()
                ]
            )
        finally:
            for server in servers.values():
                server.stop()
                server.cleanup()
    disk = {size: disk_use(data[size].url) for size in sizes}
    summary = {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.monotonic() - began, 1),
        "page": PAGE,
        "buffer_pool_bytes": pool_bytes,
        "nocache": {name: {size: bench.results[f"{name} {size:,}"] for size in sizes} for name in WORKLOADS},
        "disk": disk,
        "index_cost": index_costs(data[sizes[min(1, len(sizes) - 1)]].url),
    }
    print()
    print(table(summary, sizes))
    args.results_dir.mkdir(parents=True, exist_ok=True)
    (args.results_dir / "scale-latest.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")


def table(summary, sizes):
    lines = [
        "| readings | "
        + " | ".join(f"{name} p50 ms (x smallest) | {name} p99 ms" for name in WORKLOADS)
        + " | bytes per reading (data + indexes) |",
        "| ---: " * (1 + 2 * len(WORKLOADS)) + "| ---: |",
    ]
    for size in sizes:
        cells = []
        for name in WORKLOADS:
            result, base = summary["nocache"][name][size], summary["nocache"][name][sizes[0]]["p50_ms"]
            cells.append(f"{result['p50_ms']:.2f} ({result['p50_ms'] / base:.2f}) | {result['p99_ms']:.2f}")
        disk = summary["disk"][size]
        lines.append(
            f"| {disk['readings']:,} | {' | '.join(cells)} | {disk['per_reading']:.0f} "
            f"({disk['data_bytes'] / disk['readings']:.0f} + {disk['index_bytes'] / disk['readings']:.0f}) |"
        )
    lines.append(f"InnoDB buffer pool: {summary['buffer_pool_bytes'] / 2**20:,.0f} MB")
    cost = summary["index_cost"]
    lines.append("")
    lines.append(f"insert cost, us per row ({cost['rows']:,} rows in arrival order into a copy of the table):")
    for label, value in cost["us_per_row"].items():
        lines.append(f"  {label:<40} {value:6.2f}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
