#!/usr/bin/env python3
"""Differential test: lode against clingo, on the same program and the same input facts.

For every scenario in scenarios/ and for generated scenarios (`lode gen`, fixed seeds, small
sizes), this script

1. runs `lode export --to asp -` (the rules of rules/*.dl translated from lode's parsed program,
   plus the scenario's input facts after lowering and the computed aggregates),
2. solves that program with clingo (python API; the program is stratified: one answer set),
3. runs `lode run --all --format json`,

and compares EVERY derived relation as a set of tuples. Any difference is a bug in lode, in its
build script or in the translation: the script prints a readable report and exits 1.

Usage: python3 scripts/differential.py [--generated N] [--seed-base S] [--profile debug|release] [--jobs N]
Requires: pip install clingo
"""

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fail_setup(msg):
    print(f"differential: {msg}", file=sys.stderr)
    sys.exit(2)


try:
    import clingo
    import clingo.script
except ImportError:
    fail_setup("the clingo python module is missing: pip install clingo")

# The export evaluates arithmetic in a `#script (python)` block (clingo's own integers are 32 bits
# and wrap silently); embedded clingo runs such scripts only once Python is enabled.
clingo.script.enable_python()


def build(profile):
    cmd = ["cargo", "build", "--quiet", "--bin", "lode"]
    if profile == "release":
        cmd.append("--release")
    r = subprocess.run(cmd, cwd=ROOT)
    if r.returncode != 0:
        fail_setup("cargo build failed")
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, profile, "lode")


def run(lode, args, stdin=None):
    r = subprocess.run([lode, *args], cwd=ROOT, input=stdin, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"`lode {' '.join(args)}` exited {r.returncode}:\n{r.stderr}")
    return r.stdout


def parse_header(asp_text):
    """Relations from the `%% lode relation` lines: name -> (asp name, arity, kind, fields)."""
    rels = {}
    for line in asp_text.splitlines():
        if not line.startswith("%% lode relation "):
            continue
        parts = line.split()
        name, sig, kind = parts[3], parts[4], parts[5]
        fields = parts[6].split(",") if len(parts) > 6 else []
        asp_name, arity = sig.rsplit("/", 1)
        rels[name] = (asp_name, int(arity), kind, fields)
    return rels


def value_of_symbol(sym):
    if sym.type == clingo.SymbolType.Number:
        return sym.number
    if sym.type == clingo.SymbolType.String:
        return sym.string
    return str(sym)


def clingo_model(asp_text):
    ctl = clingo.Control(["--warn=none", "0"])
    ctl.add("base", [], asp_text)
    ctl.ground([("base", [])])
    models = []
    ctl.solve(on_model=lambda m: models.append(m.symbols(shown=True)))
    if len(models) != 1:
        raise RuntimeError(f"clingo found {len(models)} answer sets, expected exactly 1")
    out = {}
    for s in models[0]:
        out.setdefault((s.name, len(s.arguments)), set()).add(tuple(value_of_symbol(a) for a in s.arguments))
    return out


def compare(label, lode, path, extra_args=()):
    """Returns a list of human-readable differences (empty when lode and clingo agree)."""
    asp_text = run(lode, ["export", "--to", "asp", "-", path, *extra_args])
    doc = json.loads(run(lode, ["run", path, "--all", "--format", "json", *extra_args]))
    rels = parse_header(asp_text)
    if not rels:
        return [f"{label}: the ASP export has no `%% lode relation` header"]
    model = clingo_model(asp_text)
    diffs = []
    lode_rels = doc.get("relations", {})
    for name, (asp_name, arity, kind, fields) in sorted(rels.items()):
        if kind != "derived":
            continue
        if name not in lode_rels:
            diffs.append(f"{label}: `lode run --all` has no relation {name}")
            continue
        ours = {tuple(row[f] for f in fields) for row in lode_rels[name]}
        theirs = model.get((asp_name, arity), set())
        if ours != theirs:
            only_lode = sorted(ours - theirs, key=str)
            only_clingo = sorted(theirs - ours, key=str)
            lines = [f"{label}: {name} differs ({len(ours)} tuples in lode, {len(theirs)} in clingo)"]
            for t in only_lode[:10]:
                lines.append(f"    only lode:   {name}{t}")
            for t in only_clingo[:10]:
                lines.append(f"    only clingo: {name}{t}")
            more = len(only_lode) + len(only_clingo) - min(10, len(only_lode)) - min(10, len(only_clingo))
            if more > 0:
                lines.append(f"    … and {more} more")
            diffs.append("\n".join(lines))
    return diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--generated", type=int, default=200, help="number of generated scenarios (default 200)")
    ap.add_argument("--seed-base", type=int, default=1000, help="first seed of the generated scenarios")
    ap.add_argument("--profile", choices=["release", "debug"], default=os.environ.get("LODE_PROFILE", "debug"),
                    help="cargo profile of the lode binary (default debug: CI has built it for the tests already)")
    ap.add_argument("--jobs", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    args = ap.parse_args()

    start = time.time()
    lode = build(args.profile)
    print(f"differential: lode built ({args.profile}) in {time.time() - start:.0f}s")

    cases = []  # (label, path, extra args)
    scen_dir = os.path.join(ROOT, "scenarios")
    for f in sorted(os.listdir(scen_dir)):
        if f.endswith(".toml"):
            cases.append((f"scenarios/{f}", os.path.join("scenarios", f), ()))
    # The baseline under a few other thresholds and dates, so other rules fire.
    cases.append(("baseline --set dominant_share=30", "scenarios/baseline.toml", ("--set", "dominant_share=30")))
    cases.append(("baseline --as-of 2024-01-01", "scenarios/baseline.toml", ("--as-of", "2024-01-01")))

    gen_dir = os.path.join(ROOT, "target", "differential")
    os.makedirs(gen_dir, exist_ok=True)
    for i in range(args.generated):
        seed = args.seed_base + i
        # Small sizes, varied: 50 to ~1,500 facts.
        facts = 50 + (seed * 7919) % 1450
        path = os.path.join(gen_dir, f"gen-{seed}.toml")
        run(lode, ["gen", "--facts", str(facts), "--seed", str(seed), "-o", path])
        cases.append((f"lode gen --facts {facts} --seed {seed}", path, ()))

    failures = []
    checked = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(compare, label, lode, path, extra): label for (label, path, extra) in cases}
        for fut in concurrent.futures.as_completed(futures):
            label = futures[fut]
            try:
                diffs = fut.result()
            except Exception as e:  # noqa: BLE001 — any failure is reported, not raised
                diffs = [f"{label}: {e}"]
            checked += 1
            failures.extend(diffs)

    elapsed = time.time() - start
    if failures:
        print(f"differential: lode and clingo DISAGREE on {len(failures)} relation(s) "
              f"over {checked} scenarios ({elapsed:.0f}s):\n")
        for d in sorted(failures):
            print(d)
            print()
        sys.exit(1)
    print(f"differential: lode and clingo agree on every derived relation of {checked} scenarios "
          f"({len(cases) - args.generated} from scenarios/, {args.generated} generated) in {elapsed:.0f}s")


if __name__ == "__main__":
    main()
