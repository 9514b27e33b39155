#!/usr/bin/env python3
"""Exports that leave out what is optional: derive, scan and tabulate variants of one export.

Usage:
  scripts/sparse-variants.py derive SOURCE WORK        write WORK/VARIANT/ for every variant
  scripts/sparse-variants.py scan BIN WORK NAME [VARIANT...]  scan each variant (or those named), keep WORK/VARIANT/NAME.json
  scripts/sparse-variants.py recount BIN WORK NAME [VARIANT...]  count the listed suspects of NAME's stores again
  scripts/sparse-variants.py table WORK NAME [BEFORE]  Markdown table of NAME (against BEFORE)
  scripts/sparse-variants.py combined NAME BEFORE WORK...  honest listed per variant over several exports

SOURCE is an export folder with labels.csv (plain .csv files). Each variant drops one
optional column of docs/SCHEMA.md (the column taken out of the header and its values),
or one optional file, or several at once; `format` keeps every value but writes the
files with a UTF-8 BOM, CRLF line ends, every field quoted, the columns in reverse order
and an unknown extra column, so its scan must equal the full export's. Files a variant
leaves alone are symbolic links to SOURCE. A scan result holds the exit code, stderr,
the scan's JSON comparison with the labels, and per list, kind and category the listed
honest entities (not in labels.csv) and those labelled only in other categories.
"""
import csv
import inspect
import json
import os
import subprocess
import sys

OPTIONAL = {
    "orders": ["paid_at", "confirmed_at", "device_id", "ip", "payment_id"],
    "ratings": ["order_id", "item_id", "text_len", "has_media"],
    "logistics": ["location", "weight_g"],
    "accounts": ["registered_at", "region", "credit_code"],
}
FILES = ["orders", "ratings", "logistics", "accounts"]
ROWS = [("shop", "fake_orders"), ("buyer", "fake_orders"), ("shop", "malicious_ratings"),
        ("buyer", "malicious_ratings"), ("shop", "empty_parcels"), ("courier", "empty_parcels")]


def variants():
    """Variant name -> {file: edit}, an edit being ("drop", columns), ("empty", columns),
    "remove" (no such file) or "format"."""
    out = {"full": {}, "format": {f: "format" for f in FILES}}
    for table, columns in OPTIONAL.items():
        for column in columns:
            out[f"{table}-{column}"] = {table: ("drop", [column])}
    out["orders-device_id-empty"] = {"orders": ("empty", ["device_id"])}
    for table in ["accounts", "logistics", "ratings"]:
        out[f"no-{table}"] = {table: "remove"}
    out["all-optional-empty"] = {t: ("empty", c) for t, c in OPTIONAL.items()}
    out["all-optional-dropped"] = {t: ("drop", c) for t, c in OPTIONAL.items()}
    out["orders-only"] = {t: "remove" for t in ["ratings", "logistics", "accounts"]}
    return out


def rewrite(source, target, edit):
    with open(source, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        if edit == "format":
            order = list(reversed(range(len(header))))
            with open(target, "w", newline="", encoding="utf-8-sig") as out:
                writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
                writer.writerow(["vendor_note"] + [header[i] for i in order])
                for row in reader:
                    writer.writerow(['say "hi", twice'] + [row[i] for i in order])
            return
        action, columns = edit
        present = [c for c in columns if c in header]
        picked = [i for i, name in enumerate(header) if action == "empty" or name not in present]
        blanked = {header.index(c) for c in present} if action == "empty" else set()
        with open(target, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow([header[i] for i in picked])
            for row in reader:
                writer.writerow(["" if i in blanked else row[i] for i in picked])


def derive(source, work):
    source = os.path.abspath(source)
    for name, edits in variants().items():
        folder = os.path.join(work, name)
        if os.path.exists(os.path.join(folder, "labels.csv")):
            continue
        os.makedirs(folder, exist_ok=True)
        for table in FILES:
            path = os.path.join(source, table + ".csv")
            if not os.path.exists(path):
                continue
            edit = edits.get(table)
            if edit == "remove":
                continue
            if edit is None:
                os.symlink(path, os.path.join(folder, table + ".csv"))
            else:
                rewrite(path, os.path.join(folder, table + ".csv"), edit)
        os.symlink(os.path.join(source, "labels.csv"), os.path.join(folder, "labels.csv"))
        print(name, file=sys.stderr)


def store_of(work, variant, name):
    return f"/tmp/sparse-{os.path.basename(os.path.normpath(work))}-{variant}-{name}.sqlite"


def scan(binary, work, name, *only):
    for variant in only or variants():
        folder, store = os.path.join(work, variant), store_of(work, variant, name)
        for suffix in ["", "-wal", "-shm"]:
            if os.path.exists(store + suffix):
                os.remove(store + suffix)
        run = subprocess.run([binary, "scan", folder, "--store", store, "--labels", "--json", "--quiet"],
                             capture_output=True, text=True)
        result = {"exit": run.returncode, "stderr": run.stderr.strip(), "rows": {}}
        if run.returncode == 0:
            result["rows"] = {f"{r['kind']} {r['category']}": r for r in json.loads(run.stdout)["rows"]}
        with open(os.path.join(folder, name + ".json"), "w") as f:
            json.dump(result, f, indent=1, sort_keys=True)
        print(variant, run.returncode, file=sys.stderr)
    recount(binary, work, name, *only)


def recount(binary, work, name, *only):
    """Per variant, the listed suspects that are honest (no line in labels.csv) and those
    labelled only in other categories, per kind, category and list."""
    for variant in only or variants():
        folder = os.path.join(work, variant)
        path = os.path.join(folder, name + ".json")
        result = json.load(open(path))
        result["honest"], result["other"] = {}, {}
        if result["exit"] == 0:
            labels = {}
            with open(os.path.join(folder, "labels.csv"), newline="") as f:
                for r in csv.DictReader(f):
                    labels.setdefault((r["entity_kind"], r["entity_id"]), set()).add(r["category"])
            listed = subprocess.run(
                [binary, "suspects", "--store", store_of(work, variant, name), "--format", "csv", "--limit", "10000000"],
                capture_output=True, text=True, check=True).stdout
            for s in csv.DictReader(listed.splitlines()):
                categories = labels.get((s["kind"], s["id"]), set())
                if s["category"] not in categories:
                    tally = result["other"] if categories else result["honest"]
                    key = f"{s['kind']} {s['category']} {s['list']}"
                    tally[key] = tally.get(key, 0) + 1
        with open(path, "w") as f:
            json.dump(result, f, indent=1, sort_keys=True)


def load(work, variant, name):
    path = os.path.join(work, variant, name + ".json")
    return json.load(open(path)) if os.path.exists(path) else None


def honest(result, lst, tally="honest"):
    return sum(v for k, v in result[tally].items() if k.endswith(" " + lst))


def notes(result, full=None):
    """A failed scan's error; else its warnings and what it did not judge (each gap as
    `file: no column`), leaving out those the full export's scan shows too."""
    lines = result["stderr"].splitlines()
    if result["exit"] != 0:
        return " ".join(lines)[:200]
    kept, inside = [], False
    for line in lines:
        if line.rstrip().endswith(":") and not line.startswith(" "):
            inside = line.startswith(("warnings", "not judged"))
        elif not line.strip():
            inside = False
        elif inside:
            kept.append(":".join(line.strip().split(":")[:2]))
    known = set(notes(full).split("; ")) if full else set()
    return "; ".join(k for k in kept if k not in known)


def table(work, name, before=None):
    full = load(work, "full", name)
    print("| variant | exit | honest on blacklist / key scrutiny (of another category) | F1 changed by the branch | F1 against full (full -> variant); honest listed beyond full | not judged (beyond full) |")
    print("|---|---:|---|---|---|---|")
    for variant in variants():
        r = load(work, variant, name)
        if r is None:
            continue
        b = load(work, variant, before) if before else None
        def listed(x):
            return (f"{honest(x, 'blacklist')} / {honest(x, 'key_scrutiny')} "
                    f"({honest(x, 'blacklist', 'other')} / {honest(x, 'key_scrutiny', 'other')})")
        counts = listed(r) if b is None else f"{listed(b)} -> {listed(r)}"
        changes = []
        for kind, category in ROWS:
            key = f"{kind} {category}"
            f0 = full["rows"].get(key, {}).get("f1")
            f1 = r["rows"].get(key, {}).get("f1")
            if f0 is not None and (f1 is None or abs(f0 - f1) >= 0.005):
                changes.append(f"{key} {f0:.2f} -> " + ("-" if f1 is None else f"{f1:.2f}"))
            extra = [f"{k.split()[0]} {k.split()[2][:3]} {v - full['honest'].get(k, 0):+d}"
                     for k, v in sorted(r["honest"].items())
                     if k.startswith(key + " ") and v > full["honest"].get(k, 0)]
            changes += extra
        message = notes(r, None if variant == "full" else full).replace("|", "\\|")
        fixed = []
        for kind, category in ROWS if b is not None else []:
            key = f"{kind} {category}"
            f0, f1 = b["rows"].get(key, {}).get("f1"), r["rows"].get(key, {}).get("f1")
            if f0 is not None and f1 is not None and abs(f0 - f1) >= 0.005:
                fixed.append(f"{key} {f0:.2f} -> {f1:.2f}")
        print(f"| {variant} | {r['exit']} | {counts} | {'; '.join(fixed)} | {'; '.join(changes)} | {message} |")


def combined(name, before, *works):
    """One row per variant over several exports: exit codes, and the honest entities
    listed (blacklist / key scrutiny) before -> after, per export."""
    print("| variant | exit | " + " | ".join(f"{os.path.basename(os.path.normpath(w))} honest, {before} -> {name}" for w in works) + " |")
    print("|---|---|" + "---|" * len(works))
    for variant in variants():
        cells, exits = [], []
        for work in works:
            r, b = load(work, variant, name), load(work, variant, before)
            exits.append(str(r["exit"]))
            cells.append(f"{honest(b, 'blacklist')}/{honest(b, 'key_scrutiny')} -> {honest(r, 'blacklist')}/{honest(r, 'key_scrutiny')}")
        print(f"| {variant} | {'/'.join(exits)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    commands = {"derive": derive, "scan": scan, "recount": recount, "table": table, "combined": combined}
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help", "help"):
        print(__doc__)
        sys.exit(0 if len(sys.argv) >= 2 else 2)
    if sys.argv[1] not in commands:
        sys.exit(f"sparse-variants.py: unknown command {sys.argv[1]!r} (one of {', '.join(commands)}; --help)")
    command, args = commands[sys.argv[1]], sys.argv[2:]
    try:
        inspect.signature(command).bind(*args)
    except TypeError as error:
        sys.exit(f"sparse-variants.py {sys.argv[1]}: wrong arguments ({error}); --help shows the usage")
    command(*args)
