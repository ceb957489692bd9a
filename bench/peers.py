"""Python half of bench/compare.

    peers.py time RECIPE MAKE      time DeepDiff (default and id-matched) and
                                   jsonpatch; one JSON line per tool on stdout
    peers.py report RESULTS OUT    print the table for RESULTS (JSON lines from
                                   all tools) and write it as JSON to OUT;
                                   machine facts come from BENCH_* variables

Timing: warm up for ~0.3 s, then time only the diff call in 5 rounds sized to
fill BENCH_SECONDS (default 2) in total; report the mean over all calls and the
spread between the slowest and fastest round.
"""

import json
import os
import sys
import time


def bench(fn):
    """Mean µs per call of fn(), its round-to-round spread and the call count."""
    target = float(os.environ.get("BENCH_SECONDS", "2"))
    calls, start = 0, time.perf_counter()
    while calls < 3 or time.perf_counter() - start < 0.3:  # warm-up + estimate
        fn()
        calls += 1
    estimate = (time.perf_counter() - start) / calls
    per_round = max(2, int(target / 5 / estimate))
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(per_round):
            fn()
        rounds.append((time.perf_counter() - start) * 1e6 / per_round)
    mean = sum(rounds) / len(rounds)
    return {"us_per_diff": mean, "spread": (max(rounds) - min(rounds)) / mean,
            "iterations": per_round * 5}


def count_deepdiff(diff):
    """Leaf entries across all report categories (each is a dict or set of paths)."""
    return sum(len(entries) for entries in diff.values())


def hidden_moves(diff):
    """iterable_item_moved entries the default text view (verbose_level=1) leaves out."""
    return len(diff.tree.get("iterable_item_moved", ())) - len(diff.get("iterable_item_moved", ()))


def time_peers(recipe_path, make_path):
    from deepdiff import DeepDiff, __version__ as deepdiff_version
    from deepdiff.helper import CannotCompare
    import jsonpatch

    with open(recipe_path) as f:
        recipe = json.load(f)
    with open(make_path) as f:
        make = json.load(f)

    def same_item(x, y, level=None):
        for key in ("ingredientId", "stepId"):
            if isinstance(x, dict) and isinstance(y, dict) and key in x and key in y:
                return x[key] == y[key]
        raise CannotCompare() from None

    jsonpatch_version = jsonpatch.__version__
    peers = [
        (f"DeepDiff {deepdiff_version} (default)",
         lambda: DeepDiff(recipe, make), count_deepdiff),
        (f"DeepDiff {deepdiff_version} (id matching)",
         lambda: DeepDiff(recipe, make, ignore_order=False, iterable_compare_func=same_item),
         count_deepdiff),
        (f"jsonpatch {jsonpatch_version} make_patch",
         lambda: jsonpatch.make_patch(recipe, make), lambda patch: len(patch.patch)),
    ]
    patch = jsonpatch.make_patch(recipe, make)
    assert patch.apply(recipe) == make, "jsonpatch patch does not reproduce the make"

    for tool, fn, count in peers:
        print(f"timing {tool}…", file=sys.stderr, flush=True)
        result = fn()
        row = {"tool": tool, "changes": count(result), **bench(fn)}
        if tool.startswith("DeepDiff") and hidden_moves(result):
            row["note"] = (f"its tree also has {hidden_moves(result)} iterable_item_moved "
                           "(one per index-shifted item), left out of the default report")
        print(json.dumps(row), flush=True)


def report(results_path, out_path):
    rows = [json.loads(line) for line in open(results_path) if line.strip()]
    engine = next(r for r in rows if r.get("engine") == "recipe-diff")
    engine["tool"] = "recipe-diff (this engine)"
    peers = [r for r in rows if r is not engine]
    base = engine["us_per_diff"]

    def ratio(us):
        r = us / base
        return f"{r:,.0f}x" if r >= 10 else f"{r:.1f}x"

    env = os.environ
    machine = {"arch": env.get("BENCH_ARCH"), "nproc": int(env.get("BENCH_NPROC", "0")),
               "cpu": env.get("BENCH_CPU"), "date": env.get("BENCH_DATE")}
    print(f"machine: {machine['arch']}, {machine['nproc']} cores, {machine['cpu']}")
    print(f"date:    {machine['date']}")
    print(f"fixture: {env.get('BENCH_RECIPE')} -> {env.get('BENCH_MAKE')}")
    print()
    header = ("tool", "µs/diff", "changes reported", "ratio to engine")
    table = [(r["tool"], f"{r['us_per_diff']:,.1f}", str(r["changes"]), ratio(r["us_per_diff"]))
             for r in [*peers, engine]]
    widths = [max(len(row[i]) for row in [header, *table]) for i in range(4)]
    for i, row in enumerate([header, *table]):
        print(f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  "
              f"{row[2]:>{widths[2]}}  {row[3]:>{widths[3]}}")
        if i == 0:
            print("  ".join("-" * w for w in widths))
    parse = engine["us_per_json_parse_pair"]
    print()
    print("µs/diff: mean per diff call on already-parsed documents, after warm-up; "
          f"peers' round-to-round spread ≤ {max(r['spread'] for r in peers):.0%}")
    for r in peers:
        if "note" in r:
            print(f"note: {r['tool']}: {r['note']}")
    print(f"engine: serde_json parse of the pair = {parse:,.1f} µs; "
          f"diff/parse = {base / parse:.2f}")

    for r in [*peers, engine]:
        r["ratio_to_engine"] = r["us_per_diff"] / base
    summary = {"machine": machine,
               "recipe": env.get("BENCH_RECIPE"), "make": env.get("BENCH_MAKE"),
               "tools": [*peers, engine],
               "engine_us_per_json_parse_pair": parse,
               "engine_diff_over_parse": base / parse}
    with open(out_path, "w") as f:
        json.dump(summary, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"time": time_peers, "report": report}[command](*args)
