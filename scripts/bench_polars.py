"""Polars' side of `make bench-compare`: the per-entity features of `creditwatch features`
(and of bench_compare.py's SQL) as Polars lazy queries, from the export's CSV files or
from Parquet files of it. Run once per thread count (Polars fixes its pool at import, so
POLARS_MAX_THREADS is set before importing it); prints the timings on stdout as JSON and
writes the features as CSV files into --out for bench_compare.py to check.

    bench_polars.py --threads N --out DIR (--csv EXPORT | --parquet DIR)
    bench_polars.py --write-parquet EXPORT --out DIR   # the native storage, made once
"""
import argparse, json, os, sys, time

TABLES = {
    "orders": ["order_id", "buyer_id", "shop_id", "created_at", "device_id"],
    "ratings": ["order_id", "buyer_id"],
    "logistics": ["tracking_no", "event", "at"],
}
TIMES = {"orders": "created_at", "logistics": "at"}


def unix_seconds(pl, name):
    """SCHEMA.md times: ISO 8601 with Z, an offset or none (UTC, `T` or a space), or
    integer Unix seconds."""
    column = pl.col(name)
    iso = column.str.replace(" ", "T").str.replace(r"Z$", "+00:00")
    iso = pl.when(iso.str.contains(r"[+-]\d\d:?\d\d$")).then(iso).otherwise(iso + "+00:00")
    return (pl.when(column.str.contains(r"^-?[0-9]+$")).then(column.cast(pl.Int64, strict=False))
            .otherwise(iso.str.to_datetime("%Y-%m-%dT%H:%M:%S%z", time_zone="UTC", strict=False).dt.epoch("s")))


def scan_csv(pl, export, projected=True):
    """The three tables, only the needed columns or (`projected` False, the Parquet files
    of the native race, which hold the whole export as ours and DuckDB's do) all of them
    as text, the times the queries read as Unix seconds."""
    frames = {}
    for table, columns in TABLES.items():
        frame = pl.scan_csv(f"{export}/{table}.csv", infer_schema=False)
        if projected:
            frame = frame.select(columns)
        if table in TIMES:
            frame = frame.with_columns(unix_seconds(pl, TIMES[table]))
        frames[table] = frame
    return frames


def features(pl, frames):
    orders, ratings, logistics = frames["orders"], frames["ratings"], frames["logistics"]
    shared = (orders.filter(pl.col("device_id").is_not_null()).group_by("shop_id", "device_id")
              .agg(pl.col("buyer_id").n_unique().alias("device_buyers"))
              .filter(pl.col("device_buyers") >= 3).select("shop_id", "device_id", pl.lit(1.0).alias("shared")))
    base = (orders.join(shared, on=["shop_id", "device_id"], how="left").group_by("shop_id")
            .agg(pl.len().alias("orders"), pl.col("buyer_id").n_unique().alias("distinct_buyers"),
                 pl.col("shared").fill_null(0.0).mean().alias("shared_device_share")))
    # Windows [t, t + 3599] starting at each order: (t - 1, t + 3599] in Polars' terms.
    windows = (orders.select("shop_id", "buyer_id", pl.col("created_at").alias("t")).sort("shop_id", "t")
               .rolling(index_column="t", period="3600i", offset="-1i", closed="right", group_by="shop_id")
               .agg((pl.len() / pl.col("buyer_id").n_unique()).alias("rate"))
               .group_by("shop_id").agg(pl.col("rate").max().alias("max_window_rate")))
    shops = base.join(windows, on="shop_id").select(
        "shop_id", "orders", "distinct_buyers", "max_window_rate", "shared_device_share")
    waybills = logistics.group_by("tracking_no").agg(
        pl.len().alias("scans"),
        (pl.col("at").filter(pl.col("event") == "signed").min() - pl.col("at").min()).alias("first_to_signed_s"),
        (pl.col("event") == "transit").any().cast(pl.Int64).alias("has_transit"))
    known = orders.select("order_id").unique().with_columns(pl.lit(0.0).alias("missing"))
    raters = (ratings.join(known, on="order_id", how="left").group_by("buyer_id")
              .agg(pl.len().alias("ratings"), pl.col("missing").fill_null(1.0).mean().alias("without_order_share")))
    return pl.collect_all([shops, waybills, raters])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", required=True)
    parser.add_argument("--csv")
    parser.add_argument("--parquet")
    parser.add_argument("--write-parquet")
    args = parser.parse_args()
    os.environ["POLARS_MAX_THREADS"] = str(args.threads)
    import polars as pl
    os.makedirs(args.out, exist_ok=True)
    if args.write_parquet:
        for table, frame in scan_csv(pl, args.write_parquet, projected=False).items():
            frame.sink_parquet(f"{args.out}/{table}.parquet")
        return
    started, started_cpu = time.perf_counter(), time.process_time()
    if args.csv:
        frames = scan_csv(pl, args.csv)
    else:
        frames = {table: pl.scan_parquet(f"{args.parquet}/{table}.parquet") for table in TABLES}
    shops, waybills, raters = features(pl, frames)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    for name, frame in [("shops", shops), ("waybills", waybills), ("raters", raters)]:
        frame.write_csv(f"{args.out}/{name}.csv")
    json.dump({"seconds": elapsed, "cpu_seconds": cpu}, sys.stdout)


if __name__ == "__main__":
    main()
