#!/usr/bin/env bash
# lode against Soufflé (compiled and interpreted) and clingo, on the same rules and facts.
#
#   bench/compare.sh [FACTS ...]        default: 1000 10000 100000 1000000
#
# Builds lode in release, generates a synthetic world per size in the layout real data use
# (`lode gen --out DIR/`: a TOML scenario that `[[load]]`s CSV tables), exports it
# (`lode export --to souffle` and `--to asp`), then times, on the same machine in one run:
#   - lode run:   `lode run DIR/scenario.toml --format json` as a whole process, at every size:
#                 TOML and CSV parsing, validation, lowering, aggregates, evaluation, JSON output
#                 (nothing switched off);
#   - lode eval:  the evaluation alone, timed inside the process (`--example stages`: the best of
#                 REPEAT evaluations of the lowered facts; crepe plus sorting the result);
#   - souffle-c:  the `souffle -o` binary on the exported .facts, writing its output CSVs
#                 (compiled once per distinct rules.dl; the compile time is reported apart);
#   - souffle-i:  `souffle` interpreting the exported rules.dl (INTERP=0 skips it);
#   - clingo:     `clingo -q --stats` on the exported program (its own Time line and the process).
# Wall time is the median of REPEAT runs; peak memory is the largest max RSS from GNU time.
# Soufflé columns read "n/a" when no `souffle` is on PATH. Output: the tables on standard
# output, raw figures in $OUT/results.tsv.
#
# Environment: OUT (work dir, default /tmp/lode-compare), REPEAT (default 3; 1 at 10^6 facts),
# SEED (default 8), CARGO_TARGET_DIR (as cargo), CLINGO (default: clingo on PATH, else
# `python3 -m clingo`; `none` skips it), SOUFFLE (default: souffle on PATH), JOBS (souffle -j,
# default 1), INTERP (1: also time Soufflé's interpreter; default 1), BUILD (0: use the binaries
# already built).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-/tmp/lode-compare}
SEED=${SEED:-8}
JOBS=${JOBS:-1}
INTERP=${INTERP:-1}
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(1000 10000 100000 1000000)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
TIME=/usr/bin/time
mkdir -p "$OUT"

log() { printf '%s\n' "$*" >&2; }

if ! $TIME -f %M true 2>/dev/null; then
  log "GNU time is missing: apt-get install time"; exit 2
fi
if [ "${CLINGO:-}" = none ]; then CLINGO=""
elif [ -z "${CLINGO:-}" ]; then
  if command -v clingo >/dev/null; then CLINGO=clingo
  elif python3 -c 'import clingo' 2>/dev/null; then CLINGO="python3 -m clingo"
  else log "clingo is missing: pip install clingo"; CLINGO=""; fi
fi
SOUFFLE=${SOUFFLE:-$(command -v souffle || true)}

if [ "${BUILD:-1}" != 0 ]; then
  log "building lode (release) ..."
  (cd "$ROOT" && cargo build --release --quiet --bin lode --example stages)
fi
LODE=$TARGET/release/lode
STAGES=$TARGET/release/examples/stages

# measure NAME REPEAT CMD...: runs CMD REPEAT times under GNU time; prints
# "median_wall_s median_cpu_s max_rss_kib" (cpu = user + sys).
measure() {
  local name=$1 rep=$2; shift 2
  local rss=0 w u s m
  : >"$OUT/$name.runs"
  for _ in $(seq "$rep"); do
    if ! $TIME -f '%e %U %S %M' -o "$OUT/time.txt" "$@" >"$OUT/$name.stdout" 2>"$OUT/$name.stderr"; then
      log "  $name failed: $(tail -n 3 "$OUT/$name.stderr")"; echo "fail fail fail"; return
    fi
    read -r w u s m < <(tail -n 1 "$OUT/time.txt")
    echo "$w $(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')" >>"$OUT/$name.runs"
    [ "$m" -gt "$rss" ] && rss=$m
  done
  local mw mc
  mw=$(cut -d' ' -f1 "$OUT/$name.runs" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  mc=$(cut -d' ' -f2 "$OUT/$name.runs" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$mw $mc $rss"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a+0 > 0 && b+0 > 0 && a != "fail" && b != "fail") printf "%.3g", a/b; else printf "n/a" }'; }
mib() { awk -v k="$1" 'BEGIN { if (k ~ /^[0-9]+$/) printf "%.1f", k/1024; else printf "n/a" }'; }

printf 'facts\tinput_tuples\tderived\tlode_run_s\tlode_run_cpu_s\tlode_run_kib\tlode_eval_s\tlode_eval_kib\tsouffle_compile_s\tsouffle_c_s\tsouffle_c_cpu_s\tsouffle_c_kib\tsouffle_i_s\tsouffle_i_cpu_s\tsouffle_i_kib\tclingo_s\tclingo_cpu_s\tclingo_kib\tclingo_own_s\tclingo_own_cpu_s\n' >"$OUT/results.tsv"
for n in "${SIZES[@]}"; do
  rep=${REPEAT:-3}; [ "$n" -ge 1000000 ] && rep=${REPEAT:-1}
  d=$OUT/$n; rm -rf "$d"; mkdir -p "$d"
  log "== $n facts: generate, export"
  "$LODE" gen --facts "$n" --seed "$SEED" --out "$d/world/" >&2
  world=$d/world/scenario.toml
  "$LODE" export --to souffle "$d/souffle" "$world" >/dev/null
  if [ -n "$CLINGO" ]; then "$LODE" export --to asp "$d/world.lp" "$world" >/dev/null; fi

  log "   lode run"
  read -r run_s run_cpu run_kib < <(measure lode-run "$rep" "$LODE" run "$world" --format json)
  log "   lode eval"
  read -r _ _ eval_kib < <(measure lode-stages 1 "$STAGES" --repeat "$rep" "$world")
  stages_json=$(cat "$OUT/lode-stages.stdout")
  eval_s=$(python3 -c 'import json,sys; print("%.4f" % (json.loads(sys.argv[1])["evaluate_ms"]/1000))' "$stages_json")
  inputs=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["input_tuples"])' "$stages_json")
  derived=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["derived_tuples"])' "$stages_json")

  comp_s=cached; sc_s=n/a; sc_cpu=n/a; sc_kib=n/a; si_s=n/a; si_cpu=n/a; si_kib=n/a
  if [ -n "$SOUFFLE" ]; then
    # The generated program is the same at every size: compile it once per distinct text.
    prog=$OUT/souffle-prog-$(sha1sum "$d/souffle/rules.dl" | cut -c1-12)
    if [ ! -x "$prog" ]; then
      log "   souffle compile"
      start=$(date +%s.%N)
      "$SOUFFLE" -o "$prog" "$d/souffle/rules.dl" >/dev/null
      comp_s=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e-s }')
    fi
    mkdir -p "$d/souffle-out-c" "$d/souffle-out-i"
    log "   souffle compiled"
    read -r sc_s sc_cpu sc_kib < <(measure souffle-c "$rep" "$prog" -j "$JOBS" -F "$d/souffle" -D "$d/souffle-out-c")
    if [ "$INTERP" != 0 ]; then
      log "   souffle interpreted"
      read -r si_s si_cpu si_kib < <(measure souffle-i "$rep" "$SOUFFLE" -j "$JOBS" -F "$d/souffle" -D "$d/souffle-out-i" "$d/souffle/rules.dl")
    fi
    got=$(cat "$d"/souffle-out-c/*.csv | wc -l)
    [ "$got" = "$derived" ] || log "   NOTE: souffle derived $got tuples, lode $derived"
  fi

  cl_s=n/a; cl_cpu=n/a; cl_kib=n/a; cl_own=n/a; cl_own_cpu=n/a
  if [ -n "$CLINGO" ]; then
    log "   clingo"
    # clingo exits 10/20/30 for SAT/UNSAT/exhaustive (0 through the Python module's main).
    read -r cl_s cl_cpu cl_kib < <(measure clingo "$rep" sh -c "$CLINGO -q --stats \"\$1\"; rc=\$?; case \$rc in 0|10|20|30) exit 0;; *) exit \$rc;; esac" sh "$d/world.lp")
    cl_own=$(awk '/^Time/ { sub(/s$/, "", $3); print $3; exit }' "$OUT/clingo.stdout")
    cl_own_cpu=$(awk '/^CPU Time/ { sub(/s$/, "", $4); print $4; exit }' "$OUT/clingo.stdout")
  fi
  printf '%s\t' "$n" "$inputs" "$derived" "$run_s" "$run_cpu" "$run_kib" "$eval_s" "$eval_kib" "$comp_s" \
    "$sc_s" "$sc_cpu" "$sc_kib" "$si_s" "$si_cpu" "$si_kib" "$cl_s" "$cl_cpu" "$cl_kib" "$cl_own" >>"$OUT/results.tsv"
  printf '%s\n' "$cl_own_cpu" >>"$OUT/results.tsv"
  rm -rf "$d/souffle-out-c" "$d/souffle-out-i"
done

# The tables: median wall seconds (cpu seconds), peak MiB, and lode's ratio to each peer
# (lode / peer: below 1 means lode is faster or smaller).
echo "| facts | input / derived tuples | lode run s (cpu) | lode run MiB | lode eval s | Soufflé -o s (cpu) | Soufflé -o MiB | Soufflé interp. s (cpu) | clingo s (cpu) | clingo MiB | clingo own Time s (CPU) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
tail -n +2 "$OUT/results.tsv" | while IFS=$'\t' read -r n inp der rs rc rk es ek cs scs scc sck sis sic sik cls clc clk clo cloc; do
  echo "| $n | $inp / $der | $rs ($rc) | $(mib "$rk") | $es | $scs ($scc) | $(mib "$sck") | $sis ($sic) | $cls ($clc) | $(mib "$clk") | $clo ($cloc) |"
done
echo
echo "| facts | run: lode / Soufflé -o (wall) | peak mem: lode run / Soufflé -o | eval: lode / Soufflé -o | eval: lode / clingo own CPU | run: lode / clingo (wall) | peak mem: lode run / clingo |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
tail -n +2 "$OUT/results.tsv" | while IFS=$'\t' read -r n inp der rs rc rk es ek cs scs scc sck sis sic sik cls clc clk clo cloc; do
  echo "| $n | $(ratio "$rs" "$scs") | $(ratio "$rk" "$sck") | $(ratio "$es" "$scs") | $(ratio "$es" "$cloc") | $(ratio "$rs" "$cls") | $(ratio "$rk" "$clk") |"
done
echo
comp=$(cut -f9 "$OUT/results.tsv" | grep -E '^[0-9.]+$' | paste -sd, - || true)
echo "lode run: the whole process on the generated world (TOML + CSV tables, \`lode run --format json\`); lode eval: evaluation alone (crepe + sorting), in-process, best of REPEAT; Soufflé and clingo: whole process on the exported facts; clingo's own Time/CPU Time exclude its Python start-up. Wall = median of REPEAT (${REPEAT:-3}; 1 at 10^6). $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end, souffle -j $JOBS, seed $SEED. Soufflé compile (not counted): ${comp:-cached} s. Soufflé: ${SOUFFLE:-not installed}. clingo: ${CLINGO:-skipped}."
