"""The race behind `make bench-compare`: the same per-entity features computed by
`creditwatch features`, by DuckDB SQL and by Polars (bench_polars.py), timed load +
features, with a check that all sides agree on a random sample of shops, waybills and
raters. Each side's native storage holds times already as Unix seconds: ours `.cwseg`,
DuckDB's a database file, Polars' Parquet files."""
import argparse, csv, json, os, random, subprocess, sys, time

import duckdb

from bench_polars import TABLES as NEEDED, TIMES as STORED_TIMES

POLARS = f"{os.path.dirname(os.path.abspath(__file__))}/bench_polars.py"

SHOPS_SQL = """
WITH o AS (SELECT shop_id, buyer_id, device_id, unix_seconds(created_at) AS t FROM orders),
shared AS (SELECT shop_id, device_id FROM o WHERE device_id IS NOT NULL
           GROUP BY shop_id, device_id HAVING count(DISTINCT buyer_id) >= 3),
base AS (SELECT o.shop_id, count(*) AS orders, count(DISTINCT o.buyer_id) AS distinct_buyers,
                avg(CASE WHEN s.device_id IS NULL THEN 0.0 ELSE 1.0 END) AS shared_device_share
         FROM o LEFT JOIN shared s ON o.shop_id = s.shop_id AND o.device_id = s.device_id GROUP BY o.shop_id),
win AS (SELECT shop_id, count(*) OVER w AS n, count(DISTINCT buyer_id) OVER w AS b FROM o
        WINDOW w AS (PARTITION BY shop_id ORDER BY t RANGE BETWEEN CURRENT ROW AND 3599 FOLLOWING)),
best AS (SELECT shop_id, max(n / b) AS max_window_rate FROM win GROUP BY shop_id)
SELECT base.shop_id, orders, distinct_buyers, max_window_rate, shared_device_share
FROM base JOIN best USING (shop_id)
"""
WAYBILLS_SQL = """
SELECT tracking_no, count(*) AS scans,
       min(unix_seconds("at")) FILTER (WHERE event = 'signed') - min(unix_seconds("at")) AS first_to_signed_s,
       bool_or(event = 'transit')::INT AS has_transit
FROM logistics GROUP BY tracking_no
"""
RATERS_SQL = """
SELECT r.buyer_id, count(*) AS ratings, avg(CASE WHEN o.order_id IS NULL THEN 1.0 ELSE 0.0 END) AS without_order_share
FROM ratings r LEFT JOIN (SELECT order_id FROM orders) o ON r.order_id = o.order_id GROUP BY r.buyer_id
"""
TABLES = list(NEEDED)
# SCHEMA.md times: ISO 8601 with Z, an offset or none (UTC), or integer Unix seconds.
UNIX_SECONDS = """CREATE OR REPLACE MACRO unix_seconds(x) AS CASE WHEN regexp_full_match(x, '-?[0-9]+') THEN x::BIGINT
                  ELSE epoch(x::TIMESTAMPTZ)::BIGINT END"""
# In the database file the two times the queries read are stored as Unix seconds already.
STORED_SECONDS = "CREATE OR REPLACE MACRO unix_seconds(x) AS x"
TIME_COLUMNS = {
    "orders": "types={'created_at': 'VARCHAR', 'paid_at': 'VARCHAR', 'confirmed_at': 'VARCHAR'}",
    "ratings": "types={'created_at': 'VARCHAR', 'order_id': 'VARCHAR'}",
    "logistics": "types={'at': 'VARCHAR'}",
}

# The columns the three queries name: the CSV race reads only these on both sides
# (`creditwatch features` frames every record but decodes only its needed columns, as
# DuckDB's reader does with projection pushdown).
NEEDED_COLUMNS = {table: ", ".join(f'"{column}"' for column in columns) for table, columns in NEEDED.items()}


def load_csv(con, export, projected=True):
    """The three tables from CSV: only the needed columns, or all of them with the times
    the queries read as Unix seconds (`projected` False: the database file of the native
    race holds the whole export, as ours does)."""
    for table in TABLES:
        columns = NEEDED_COLUMNS[table]
        if not projected:
            stored = f'"{STORED_TIMES.get(table)}"'
            columns = f"* REPLACE (unix_seconds({stored}) AS {stored})" if table in STORED_TIMES else "*"
        con.execute(f"CREATE TABLE {table} AS SELECT {columns} FROM read_csv('{export}/{table}.csv', header=true, {TIME_COLUMNS[table]})")


def duckdb_run(export, threads, database=None):
    """Wall and CPU seconds (all of the process's threads) for load + the three feature
    queries, and the results keyed by entity."""
    started, started_cpu = time.perf_counter(), time.process_time()
    con = duckdb.connect(database or ":memory:")
    con.execute(f"SET threads={threads}")
    con.execute("SET TimeZone='UTC'")
    con.execute(UNIX_SECONDS if database is None else STORED_SECONDS)
    if database is None:
        load_csv(con, export)
    results = {}
    for name, sql in [("shops", SHOPS_SQL), ("waybills", WAYBILLS_SQL), ("raters", RATERS_SQL)]:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name}_features AS {sql}")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    for name in ["shops", "waybills", "raters"]:
        results[name] = {row[0]: row[1:] for row in con.execute(f"SELECT * FROM {name}_features").fetchall()}
    con.close()
    return elapsed, cpu, results


def creditwatch_run(binary, export, threads, out):
    finished = subprocess.run([binary, "features", export, "--out", out, "--threads", str(threads)],
                              capture_output=True, text=True, check=True)
    timings = dict(item.split("=") for item in finished.stderr.split())
    results = read_features(out)
    wall = float(timings["load_seconds"]) + float(timings["features_seconds"])
    cpu = float(timings["load_cpu_seconds"]) + float(timings["features_cpu_seconds"])
    return wall, cpu, results


def shops_with_tied_times(con_export):
    con = duckdb.connect()
    con.execute(UNIX_SECONDS)
    rows = con.execute(f"""SELECT DISTINCT shop_id FROM read_csv('{con_export}/orders.csv', header=true, {TIME_COLUMNS['orders']})
                           GROUP BY shop_id, unix_seconds(created_at) HAVING count(*) > 1""").fetchall()
    return {row[0] for row in rows}


def agree(ours, theirs, tied, sample=200, seed=1):
    """Checks a random sample per entity kind: counts exactly, shares to 1e-9. A shop
    with orders at the same second may have a busier window on our side (our windows
    start at each order, theirs at each distinct time), never a quieter one."""
    rng = random.Random(seed)
    problems = []
    for name in ["shops", "waybills", "raters"]:
        if set(ours[name]) != set(theirs[name]):
            problems.append(f"{name}: entity sets differ ({len(ours[name])} vs {len(theirs[name])})")
            continue
        for key in rng.sample(sorted(ours[name]), min(sample, len(ours[name]))):
            a, b = ours[name][key], theirs[name][key]
            for index, (x, y) in enumerate(zip(a, b)):
                if x == "" or y is None:
                    if not (x == "" and y is None):
                        problems.append(f"{name} {key} field {index}: {x!r} vs {y!r}")
                    continue
                x, y = float(x), float(y)
                if name == "shops" and index == 2 and key in tied:
                    if x < y - 1e-9:
                        problems.append(f"{name} {key} window rate {x} below DuckDB's {y}")
                elif abs(x - y) > 1e-9 * max(1.0, abs(y)):
                    problems.append(f"{name} {key} field {index}: {x} vs {y}")
    return problems


def polars_run(export, threads, out, parquet=None):
    """Polars in its own process (its thread pool is fixed at import): its wall and CPU
    seconds for load + features, and the results keyed by entity."""
    source = ["--parquet", parquet] if parquet else ["--csv", export]
    finished = subprocess.run([sys.executable, POLARS, "--threads", str(threads),
                               "--out", out] + source, capture_output=True, text=True, check=True)
    timings = json.loads(finished.stdout)
    return timings["seconds"], timings["cpu_seconds"], read_features(out, typed=True)


def read_features(folder, typed=False):
    """The three feature files in `folder` by entity; with `typed`, empty fields as None
    and numbers as floats, as DuckDB returns them."""
    results = {}
    for name in ["shops", "waybills", "raters"]:
        with open(f"{folder}/{name}.csv") as handle:
            reader = csv.reader(handle)
            next(reader)
            rows = {row[0]: row[1:] for row in reader}
        if typed:
            rows = {key: [None if value == "" else float(value) for value in values] for key, values in rows.items()}
        results[name] = rows
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--export", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--repeat", type=int, default=1, help="runs per cell; the best of them is reported")
    args = parser.parse_args()
    native = f"{args.work}/native"
    database = f"{args.work}/export.duckdb"
    parquet = f"{args.work}/parquet"
    subprocess.run([args.bin, "convert", args.export, "--out", native], check=True, capture_output=True)
    if os.path.exists(database):
        os.remove(database)
    con = duckdb.connect(database)
    con.execute(UNIX_SECONDS)
    load_csv(con, args.export, projected=False)
    con.close()
    subprocess.run([sys.executable, POLARS, "--write-parquet", args.export,
                    "--out", parquet], check=True)
    tied = shops_with_tied_times(args.export)
    rows = []
    failures = []
    for source in ["CSV", "native"]:
        for threads in [1, 2]:
            best = None
            for _ in range(args.repeat):
                duck_wall, duck_cpu, duck = duckdb_run(args.export, threads, database if source == "native" else None)
                ours_wall, ours_cpu, ours = creditwatch_run(args.bin, args.export if source == "CSV" else native, threads, f"{args.work}/features")
                polars_wall, polars_cpu, polars = polars_run(args.export, threads, f"{args.work}/polars",
                                                             parquet if source == "native" else None)
                failures += [f"{source} {threads} threads, DuckDB: {p}" for p in agree(ours, duck, tied)]
                failures += [f"{source} {threads} threads, Polars: {p}" for p in agree(ours, polars, tied)]
                times = (duck_wall, polars_wall, ours_wall, duck_cpu, polars_cpu, ours_cpu)
                best = times if best is None else tuple(map(min, best, times))
            rows.append((source, threads) + best)
    print(f"export {args.export}; load + features in seconds, each side's best of {args.repeat} "
          "(wall; and CPU seconds of all threads, which a shared machine inflates less)")
    print(f"{'source':8} {'threads':>7} {'DuckDB':>8} {'Polars':>8} {'CreditWatch':>11} {'vs DuckDB':>9} {'vs Polars':>9}   "
          f"{'DuckDB CPU':>10} {'Polars CPU':>10} {'CW CPU':>7} {'vs DuckDB':>9} {'vs Polars':>9}")
    for source, threads, duck, polars, ours, duck_cpu, polars_cpu, ours_cpu in rows:
        print(f"{source:8} {threads:>7} {duck:>8.3f} {polars:>8.3f} {ours:>11.3f} {duck / ours:>8.1f}x {polars / ours:>8.1f}x   "
              f"{duck_cpu:>10.3f} {polars_cpu:>10.3f} {ours_cpu:>7.3f} {duck_cpu / ours_cpu:>8.1f}x {polars_cpu / ours_cpu:>8.1f}x")
    if failures:
        print("DISAGREEMENT:", *failures[:20], sep="\n  ")
        sys.exit(1)
    print("values agree on the sampled shops, waybills and raters")


if __name__ == "__main__":
    main()
