#!/usr/bin/env python3
"""Fits each pipeline stage's growth exponent from criterion's estimates.

Usage: python3 bench/fit.py [CRITERION_DIR]   (default: $CARGO_TARGET_DIR/criterion or target/criterion)

Reads <dir>/<stage>/<facts>/new/estimates.json for the stages load, lower and evaluate (written by
`cargo bench --bench pipeline`), takes the median estimate per size, and fits log(time) against
log(facts) by least squares: time ~ facts^k. Prints a markdown table. Standard library only.
"""
import json
import math
import os
import sys

STAGES = ["load", "lower", "evaluate"]


def main():
    default = os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "criterion")
    root = sys.argv[1] if len(sys.argv) > 1 else default
    rows = []
    for stage in STAGES:
        d = os.path.join(root, stage)
        if not os.path.isdir(d):
            continue
        points = {}
        for name in os.listdir(d):
            est = os.path.join(d, name, "new", "estimates.json")
            if not os.path.isfile(est):
                continue
            with open(est) as f:
                ns = json.load(f)["median"]["point_estimate"]
            points[name] = ns
        sizes = sorted((int(k), v) for k, v in points.items() if k.isdigit())
        k = float("nan")
        if len(sizes) >= 2:
            xs = [math.log(n) for n, _ in sizes]
            ys = [math.log(t) for _, t in sizes]
            mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
            k = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
        rows.append((stage, points.get("baseline"), sizes, k))
    all_sizes = sorted({n for _, _, s, _ in rows for n, _ in s})
    print("| stage | baseline | " + " | ".join(f"{n:,} facts" for n in all_sizes) + " | exponent k (time ∝ facts^k) |")
    print("|---|---:|" + "---:|" * len(all_sizes) + "---:|")
    for stage, base, sizes, k in rows:
        by = dict(sizes)
        cells = [fmt(by.get(n)) for n in all_sizes]
        print(f"| {stage} | {fmt(base)} | " + " | ".join(cells) + f" | {k:.2f} |")


def fmt(ns):
    if ns is None:
        return "–"
    if ns >= 1e9:
        return f"{ns / 1e9:.2f} s"
    if ns >= 1e6:
        return f"{ns / 1e6:.1f} ms"
    return f"{ns / 1e3:.0f} µs"


if __name__ == "__main__":
    main()
