"""Score regard.insight.coach.review on the labelled drafts and print `name value` lines."""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from regard.insight.coach import CHECKS, review

DATA = Path(__file__).resolve().parent.parent / "tests/insight/data/coach_drafts.jsonl"


def load(path: Path = DATA) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def run(row: dict) -> dict[str, bool]:
    findings = review(
        row["draft"],
        customer_name=row["customer_name"],
        customer_message=row["customer_message"],
        upset=row["upset"],
        recent_replies=row["recent_replies"],
    )
    return {finding.check: finding.ok for finding in findings}


def score(rows: list[dict]) -> tuple[dict[str, float], float]:
    """Per-check precision and recall of flagging problems (ok False), and p95 ms per review."""
    tally: Counter = Counter()
    timings = []
    for row in rows:
        started = time.perf_counter()
        found = run(row)
        timings.append((time.perf_counter() - started) * 1000)
        for check in CHECKS:
            flagged = found.get(check) is False
            problem = row["expected"].get(check) is False
            tally[check, flagged, problem] += 1
    scores = {}
    for check in CHECKS:
        hits = tally[check, True, True]
        flagged = hits + tally[check, True, False]
        problems = hits + tally[check, False, True]
        scores[f"{check}_precision"] = hits / flagged if flagged else 1.0
        scores[f"{check}_recall"] = hits / problems if problems else 1.0
    timings.sort()
    return scores, timings[int(0.95 * (len(timings) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="score every 5th draft only")
    args = parser.parse_args()
    rows = load()
    if args.quick:
        rows = rows[::5]
    run(rows[0])
    scores, p95 = score(rows)
    for name, value in scores.items():
        print(f"coach_{name} {value:.3f}")
    print(f"coach_p95_ms {p95:.2f}")
    for split in sorted({row.get("split", "dev") for row in rows} - {"dev"}):
        subset = [row for row in rows if row.get("split") == split]
        for name, value in score(subset)[0].items():
            print(f"coach_{split}_{name} {value:.3f}")


if __name__ == "__main__":
    main()
