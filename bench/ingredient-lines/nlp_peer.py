"""Runs ingredient-parser-nlp over the labelled NYT lines for bench/ingredient-lines.

    nlp_peer.py CSV OUT [LIMIT]

Writes OUT as JSON lines: first one describing the run (version, µs per line, the tagger used),
then one answer per labelled line, in order: {"input", "quantity", "quantity_max", "unit",
"name"}. The Rust side (src/main.rs) scores them with the same rules as every other parser; no
scoring happens here.

Timing: 200 lines to warm up (the first call loads the model), then one timed pass over every
line, in this thread's CPU time (what other work on a shared machine does not inflate) and in
wall-clock time; the spread is between the fastest and slowest fifth of the lines.

ingredient-parser-nlp was trained on these very NYT lines (among others), so its score here is
not a held-out score.

Offline set-up: the package ships its CRF model, but it needs NLTK's averaged-perceptron
part-of-speech tagger (averaged_perceptron_tagger_eng), which NLTK downloads from outside the
package registries. When NLTK cannot find it, this script builds it, once, into the venv from
the weights that the textblob-aptagger package (PyPI, MIT) ships: Matthew Honnibal's
averaged-perceptron tagger, the same model family and features as NLTK's
(nltk.tag.perceptron is a port of it), but not the same training run, so the tags, and
through them the parser's answers, can differ a little from an installation with NLTK's own
file. The first JSON line says which tagger was used.
"""

import csv
import json
import os
import pickle
import sys
import time
from pathlib import Path

TAGGER = "averaged_perceptron_tagger_eng"


class _WeightsOnly(pickle.Unpickler):
    """Unpickles plain data only (dicts, sets, tuples, strings, numbers)."""

    def find_class(self, module, name):
        if module in ("builtins", "__builtin__") and name in ("set", "dict", "frozenset"):
            return {"set": set, "dict": dict, "frozenset": frozenset}[name]
        if module == "collections" and name == "defaultdict":
            import collections

            return collections.defaultdict
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def ensure_tagger():
    """Make NLTK find a perceptron tagger; return a description of the one it will use."""
    data_dir = Path(sys.prefix) / "nltk_data"
    os.environ["NLTK_DATA"] = os.pathsep.join(
        p for p in (str(data_dir), os.environ.get("NLTK_DATA", "")) if p
    )
    import nltk

    if str(data_dir) not in nltk.data.path:
        nltk.data.path.insert(0, str(data_dir))
    files = [f"{TAGGER}.{part}.json" for part in ("weights", "tagdict", "classes")]
    try:
        found = [nltk.data.find(f"taggers/{TAGGER}/{name}") for name in files]
    except LookupError:
        found = None
    built = data_dir / "taggers" / TAGGER
    if found is not None:
        if all(str(getattr(path, "path", path)).startswith(str(built)) for path in found):
            return "averaged-perceptron weights of textblob-aptagger 0.2.0 (converted; NLTK's own file is not reachable offline)"
        return f"NLTK's own {TAGGER}"

    # The package's data file only: importing the package would need TextBlob.
    from importlib.util import find_spec

    spec = find_spec("textblob_aptagger")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("textblob-aptagger is not installed (bench/ingredient-lines/requirements.txt)")
    source = Path(spec.submodule_search_locations[0]) / "trontagger-0.1.0.pickle"
    print(f"building {built} from {source.name}…", file=sys.stderr)
    with open(source, "rb") as f:
        weights, tagdict, classes = _WeightsOnly(f, encoding="latin1").load()
    built.mkdir(parents=True, exist_ok=True)
    for name, data in zip(files, (weights, tagdict, sorted(classes))):
        with open(built / name, "w") as f:
            json.dump(data, f)
    return ensure_tagger()


def number(value):
    """A float for a numeric amount; None for text amounts (`few`) or none."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if result == result and abs(result) != float("inf") else None


def answer(line, parsed):
    amount = parsed.amount[0] if parsed.amount else None
    if amount is not None and hasattr(amount, "amounts"):  # "1 lb 2 oz": the first part
        amount = amount.amounts[0]
    quantity = number(amount.quantity) if amount is not None else None
    quantity_max = number(amount.quantity_max) if amount is not None else None
    unit = str(amount.unit) if amount is not None and amount.unit else None
    names = parsed.name if isinstance(parsed.name, list) else [parsed.name]
    name = " ".join(n.text for n in names if n is not None)
    return {"input": line, "quantity": quantity, "quantity_max": quantity_max,
            "unit": unit, "name": name}


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    csv_path, out_path = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) == 4 else None
    tagger = ensure_tagger()

    from importlib.metadata import version

    from ingredient_parser import parse_ingredient

    with open(csv_path, newline="", encoding="utf-8") as f:
        lines = [row["input"] for row in csv.DictReader(f)][:limit]

    def parse(line):
        return parse_ingredient(line, separate_names=False, string_units=True)

    for line in lines[:200]:
        parse(line)
    print(f"timing ingredient-parser-nlp on {len(lines)} lines (several minutes)…",
          file=sys.stderr, flush=True)
    results, errors, batches = [], 0, []
    batch = max(1, len(lines) // 5)
    cpu_start = time.thread_time_ns()
    start = batch_start = time.perf_counter()
    for i, line in enumerate(lines, 1):
        try:
            results.append(parse(line))
        except Exception:  # noqa: BLE001 - a failure is an empty answer, counted
            results.append(None)
            errors += 1
        if i % batch == 0:
            now = time.perf_counter()
            batches.append((now - batch_start) * 1e6 / batch)
            batch_start = now
    us_per_line = (time.perf_counter() - start) * 1e6 / max(1, len(lines))
    cpu_us_per_line = (time.thread_time_ns() - cpu_start) / 1e3 / max(1, len(lines))
    spread = (max(batches) - min(batches)) / us_per_line if batches else 0.0

    note = ("trained on these NYT lines, so not held out; part-of-speech tagger: " + tagger
            + (f"; raised an error on {errors} lines (scored as empty answers)" if errors else ""))
    with open(out_path, "w", encoding="utf-8") as out:
        out.write(json.dumps({"tool": "ingredient-parser-nlp",
                              "version": version("ingredient-parser-nlp"),
                              "us_per_line": us_per_line, "spread": spread,
                              "cpu_us_per_line": cpu_us_per_line,
                              "errors": errors, "note": note}) + "\n")
        for line, parsed in zip(lines, results):
            if parsed is None:
                row = {"input": line, "quantity": None, "quantity_max": None, "unit": None,
                       "name": ""}
            else:
                row = answer(line, parsed)
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
