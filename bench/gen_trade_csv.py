#!/usr/bin/env python3
"""Synthetic trade flows for the benchmark, in the tidy CSV that `trilateral import csv` reads.

Same shape as the team's benchmark data set: 3 reporters (USA, MEX, CAN) x 6 partners (the other
two plus CHN, DEU, JPN, KOR) x 2 flows x 300 months (2000-01..2024-12) x N HS-4 codes
(default 100, giving 1,080,000 rows), written in (reporter, partner, flow, period, code) order.
Values are random; they are benchmark data, never served as real numbers. Deterministic for a seed.

Usage: gen_trade_csv.py OUT.csv [--codes 100] [--seed 42]
"""
import argparse
import csv
import math
import random

REPORTERS = ["USA", "MEX", "CAN"]
ECONOMIES = ["USA", "MEX", "CAN", "CHN", "DEU", "JPN", "KOR"]
FLOWS = ["import", "export"]
YEARS = range(2000, 2025)
SOURCE_ID = "bench_synthetic"


def product_codes(count, rnd):
    codes = set()
    while len(codes) < count:
        codes.add(f"{rnd.randint(1, 97):02d}{rnd.randint(1, 99):02d}")
    return sorted(codes)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--codes", type=int, default=100)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    rnd = random.Random(args.seed)
    codes = product_codes(args.codes, rnd)
    level = {code: rnd.lognormvariate(15, 1.5) for code in codes}
    rows = 0
    with open(args.out, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["reporter", "partner", "flow", "period", "classification", "product_code",
                         "value_usd", "source_id"])
        for reporter in REPORTERS:
            for partner in (e for e in ECONOMIES if e != reporter):
                scale = rnd.uniform(0.05, 1.0)
                for flow in FLOWS:
                    for year in YEARS:
                        growth = 1.04 ** (year - YEARS.start)
                        for month in range(1, 13):
                            season = 1 + 0.1 * math.sin(month / 12 * 2 * math.pi)
                            period = f"{year}-{month:02d}"
                            for code in codes:
                                value = level[code] * scale * growth * season * rnd.uniform(0.8, 1.2)
                                writer.writerow([reporter, partner, flow, period, "HS4", code,
                                                 f"{value:.2f}", SOURCE_ID])
                                rows += 1
    print(f"{rows} rows written to {args.out}")


if __name__ == "__main__":
    main()
