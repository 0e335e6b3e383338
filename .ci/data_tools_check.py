"""Reads a running service's exports the way a data team does: pandas and DuckDB straight from
the URL, Parquet and CSV, with the column types and units the data package declares.

Usage: data_tools_check.py BASE_URL

Run by .ci/client-check, in the venv that has pandas, pyarrow and duckdb.
"""

import json
import sys
import urllib.request

import duckdb
import pandas as pd
from duckdb_extensions import import_extension

EXPORTS = [
    "/v1/trade/flows?reporter=usa&partner=mex&from=2015&to=2016",
    "/v1/wages/mx/series/mx.minimum_wage.general?frequency=A&from=2015&currency=USD&per=hour",
    "/v1/wages/compare?countries=mx,us,ca&measure=minimum_wage&currency=USD&per=hour&from=2015",
]

PANDAS_KINDS = {"number": "f", "integer": "i", "boolean": "b", "string": "O"}


def package_of(base, export):
    with urllib.request.urlopen(f"{base}{export}&format=datapackage") as answer:
        return json.load(answer)


def check(base, export):
    fields = package_of(base, export)["resources"][0]["schema"]["fields"]
    names = [field["name"] for field in fields]

    frame = pd.read_parquet(f"{base}{export}&format=parquet")
    assert list(frame.columns) == names, (export, list(frame.columns), names)
    assert len(frame) > 0, f"{export}: no rows"
    for field in fields:
        column = frame[field["name"]]
        if field["type"] == "date":
            assert column.dropna().map(lambda d: hasattr(d, "year")).all(), (export, field)
        elif field["type"] in PANDAS_KINDS and column.notna().any():
            kind = PANDAS_KINDS[field["type"]]
            # Integers with missing values come as floats, which pandas does for any nullable column.
            allowed = {kind, "f"} if kind == "i" else {kind}
            assert column.dtype.kind in allowed, (export, field["name"], column.dtype)

    csv = pd.read_csv(f"{base}{export}&format=csv")
    assert list(csv.columns) == names and len(csv) == len(frame), export

    duck = duckdb.sql(f"SELECT count(*) FROM read_parquet('{base}{export}&format=parquet')")
    assert duck.fetchone()[0] == len(frame), export

    units = {f["name"]: f["unit"] for f in fields if "unit" in f}
    print(f"{export}: {len(frame)} rows in pandas and DuckDB, units {units}")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    base = sys.argv[1].rstrip("/")
    # DuckDB reads http:// with its httpfs extension, installed from PyPI rather than downloaded.
    import_extension("httpfs")
    duckdb.sql("LOAD httpfs")
    for export in EXPORTS:
        check(base, export)


if __name__ == "__main__":
    main()
