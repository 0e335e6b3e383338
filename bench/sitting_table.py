#!/usr/bin/env python3
"""The table of one benchmark sitting (bench/sitting.sh), from the rows run_wrk.sh appended.

Usage: sitting_table.py SITTING.tsv

Reads the harness's machine-readable rows (OUT=...), which bench/sitting.sh extends with row
counts (`LABEL<TAB>query<TAB>rows<TAB>N`), the sqlite3 command line's timing of c (a row shaped
like the harness's for c) and notes (`#note<TAB>text`). Prints markdown: req/s of a, b, d for
each system with the ratios the goals are stated in (memo hits against nginx serving the same
bytes, first requests against Datasette); seconds per export of c against the sqlite3 command
line, with the server's memory growth; the row counts of every answer. Exits 1 when a count
differs between systems or a figure a goal needs is missing. Standard library only.
"""
import csv
import sys

QUERIES = {"a": "a_series", "b": "b_page", "c": "c_csv100k", "d": "d_fts"}
BACKENDS = {"sqlite": "SQLite", "postgres": "Postgres"}
DATASETTE, NGINX, SQLITE_CLI = "datasette", "nginx", "sqlite3-cli"

# The goals of the project's issue.
MEMO_HIT_VS_NGINX = 1.0  # memo on, a b d: at least nginx serving the same bytes
FIRST_VS_DATASETTE = {  # memo off: at least this many times Datasette's req/s
    "sqlite": {"a": 25, "b": 20, "d": 10},
    "postgres": {"a": 10, "b": 15, "d": 4},
}
EXPORT_VS_CLI = 1.3  # c: at most this many times the sqlite3 command line's time
RSS_GROWTH_MB = 30  # c: server RSS growth under this
NOISY_OTHER_CORES = 0.1  # run_wrk.sh's "other cores" above this: a noisy run

DASH = "—"


def trilateral(backend, memo):
    return f"trilateral-{backend}-memo-{memo}"


def read(path):
    """Rows by (label, query): wrk rows, bulk rows (c), errors, counts; and the notes."""
    wrk, bulk, errors, counts, notes = {}, {}, {}, {}, []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if not row:
                continue
            if row[0] == "#note":
                notes.append(row[1])
            elif len(row) >= 4 and row[2] == "rows":
                counts[row[0], row[1]] = int(row[3])
            elif len(row) >= 4 and row[2] == "error":
                errors[row[0], row[1]] = row[3]
            elif len(row) >= 9 and row[3] == "bulk":
                bulk[row[0], row[1]] = {
                    "bytes": int(row[2]),
                    "median": float(row[4]),
                    "best": float(row[5]),
                    "rss": parse_rss(row[8]),
                }
            elif len(row) >= 13:
                wrk[row[0], row[1]] = {
                    "rps": float(row[3]),
                    "p99": row[5],
                    "other": row[10],
                    "non2xx": row[11],
                    "errs": row[12],
                }
    return wrk, bulk, errors, counts, notes


def parse_rss(text):
    """(before, peak) in KB of the largest process, from "rss_before_max=..KB peak_max=..KB ..."."""
    fields = dict(part.split("=", 1) for part in text.split() if "=" in part)
    try:
        return int(fields["rss_before_max"].rstrip("KB")), int(fields["peak_max"].rstrip("KB"))
    except (KeyError, ValueError):
        return None


def rps(wrk, errors, label, query):
    key = (label, QUERIES[query])
    if key in wrk:
        return wrk[key]["rps"], f"{wrk[key]['rps']:,.0f}"
    if key in errors:
        return None, f"HTTP {errors[key]}"
    return None, DASH


def ratio(num, den):
    return num / den if num is not None and den else None


def verdict(value, goal, at_least):
    """"1.23x (met)" against a goal of at least / at most `goal`."""
    if value is None:
        return DASH
    met = value >= goal if at_least else value <= goal
    return f"{value:.2f}x ({'met' if met else 'not met'})"


def table(rows):
    head, *body = rows
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(out)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    wrk, bulk, errors, counts, notes = read(sys.argv[1])
    backends = [b for b in BACKENDS if any(l == trilateral(b, "on") for l, _ in wrk.keys() | bulk.keys())]
    missing = []
    out = ["## Benchmark sitting", ""]

    # a, b, d: requests per second, 32 connections.
    rows = [["query", "backend", "Datasette req/s", "nginx req/s", "memo on req/s", "memo off req/s",
             f"memo on ÷ nginx (goal ≥ {MEMO_HIT_VS_NGINX:.1f}x)", "memo off ÷ Datasette", "goal (memo off)"]]
    for query in "abd":
        ds, ds_text = rps(wrk, errors, DATASETTE, query)
        ngx, ngx_text = rps(wrk, errors, NGINX, query)
        for backend in backends:
            on, on_text = rps(wrk, errors, trilateral(backend, "on"), query)
            off, off_text = rps(wrk, errors, trilateral(backend, "off"), query)
            goal = FIRST_VS_DATASETTE[backend][query]
            hit, first = ratio(on, ngx), ratio(off, ds)
            missing += [f"{query} {backend} {what}" for what, r in (("memo on ÷ nginx", hit), ("memo off ÷ Datasette", first)) if r is None]
            rows.append([query, BACKENDS[backend], ds_text, ngx_text, on_text, off_text,
                         verdict(hit, MEMO_HIT_VS_NGINX, True), verdict(first, goal, True), f"≥ {goal}x"])
    out += ["### a, b, d: requests per second", "", table(rows), ""]

    # c: seconds per export against the sqlite3 command line.
    cli = bulk.get((SQLITE_CLI, QUERIES["c"]))
    systems = [(SQLITE_CLI, "sqlite3 command line"), (DATASETTE, "Datasette"), (NGINX, "nginx (static file)")]
    systems += [(trilateral(b, m), f"Trilateral {BACKENDS[b]}, memo {m}") for b in backends for m in ("on", "off")]
    rows = [["system", "median s", "best s", "bytes", f"÷ sqlite3 CLI (goal ≤ {EXPORT_VS_CLI}x)",
             "server RSS before → peak", f"RSS growth (goal < {RSS_GROWTH_MB} MB)"]]
    for label, name in systems:
        run = bulk.get((label, QUERIES["c"]))
        if run is None:
            rows.append([name, DASH, DASH, DASH, DASH, DASH, DASH])
            if label.startswith("trilateral") or label == SQLITE_CLI:
                missing.append(f"c {name}")
            continue
        is_trilateral = label.startswith("trilateral")
        time_ratio = ratio(run["median"], cli["median"] if cli else None)
        if is_trilateral:
            versus = verdict(time_ratio, EXPORT_VS_CLI, False)
            if time_ratio is None:
                missing.append(f"c {name} ÷ sqlite3 CLI")
        else:
            versus = DASH if time_ratio is None or label == SQLITE_CLI else f"{time_ratio:.2f}x"
        rss_text = growth_text = DASH
        if run["rss"]:
            before, peak = (kb / 1024 for kb in run["rss"])
            rss_text = f"{before:.1f} → {peak:.1f} MB"
            growth = peak - before
            growth_text = f"{growth:.1f} MB" + (
                f" ({'met' if growth < RSS_GROWTH_MB else 'not met'})" if is_trilateral else "")
        elif is_trilateral:
            missing.append(f"c {name} RSS")
        rows.append([name, f"{run['median']:.3f}", f"{run['best']:.3f}", f"{run['bytes']:,}", versus,
                     rss_text, growth_text])
    out += ["### c: a 100,800-row CSV export, seconds per download", "", table(rows), ""]

    # Row counts: every system must answer with the same rows (the sqlite3 command line runs c only).
    counted = {label for label, _ in counts}
    columns = [(f"trilateral-{b}", f"Trilateral {BACKENDS[b]}") for b in BACKENDS if f"trilateral-{b}" in counted]
    columns += [(DATASETTE, "Datasette"), (SQLITE_CLI, "sqlite3 CLI")]
    rows = [["query"] + [name for _, name in columns] + ["same rows"]]
    mismatches = []
    for query, name in QUERIES.items():
        found = [counts.get((label, name)) for label, _ in columns]
        expected = found if query == "c" else found[:-1]
        same = None not in expected and len(set(expected)) == 1
        if not same:
            mismatches.append(query)
        rows.append([query] + [DASH if n is None else f"{n:,}" for n in found] + ["yes" if same else "NO"])
    out += ["### Rows in each answer", "", table(rows), ""]

    # Runs to distrust: failures under load, or other work on the machine.
    doubts = []
    for (label, name), run in sorted(wrk.items()):
        if run["non2xx"] not in ("0", "") or run["errs"] != "none":
            doubts.append(f"{label} {name}: non-2xx {run['non2xx']}, socket errors {run['errs']}")
        try:
            if float(run["other"]) > NOISY_OTHER_CORES:
                doubts.append(f"{label} {name}: {run['other']} cores used by other work (noisy run)")
        except ValueError:
            pass
    for (label, name), code in sorted(errors.items()):
        doubts.append(f"{label} {name}: HTTP {code}")
    if doubts or missing or mismatches:
        out.append("### Problems")
        out.append("")
        out += [f"- {d}" for d in doubts]
        out += [f"- missing: {m}" for m in missing]
        out += [f"- row counts differ for {q}" for q in mismatches]
        out.append("")

    if notes:
        out += ["### Settings", ""] + [f"- {n}" for n in notes] + [""]
    print("\n".join(out).rstrip())
    sys.exit(1 if missing or mismatches else 0)


if __name__ == "__main__":
    main()
