"""Score regard.insight.commitments.extract on the labelled set and print `name value` lines."""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime, timedelta
from pathlib import Path

from regard.insight.commitments import extract

DATA = Path(__file__).resolve().parent.parent / "tests/insight/data/commitments.jsonl"
TOLERANCE = timedelta(hours=1)


def load(path: Path = DATA) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _due_matches(expected: str | None, predicted: datetime | None) -> bool:
    if expected is None or predicted is None:
        return expected is None and predicted is None
    return abs(datetime.fromisoformat(expected) - predicted) <= TOLERANCE


def score(rows: list[dict]) -> dict[str, float]:
    """Precision, recall and due-time accuracy; promises are paired in reading order."""
    predicted = expected = matched = due_ok = 0
    started = time.perf_counter()
    for row in rows:
        found = extract(row["text"], sent_at=datetime.fromisoformat(row["sent_at"]), tz=row["tz"])
        predicted += len(found)
        expected += len(row["expected"])
        for label, promise in zip(row["expected"], found, strict=False):
            matched += 1
            due_ok += _due_matches(label["due_at"], promise.due_at)
    elapsed = time.perf_counter() - started
    return {
        "precision": matched / predicted if predicted else 1.0,
        "recall": matched / expected if expected else 1.0,
        "due_accuracy": due_ok / matched if matched else 1.0,
        "per_s": len(rows) / elapsed if elapsed else float("inf"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="score every 5th row only")
    args = parser.parse_args()
    rows = load()
    if args.quick:
        rows = rows[::5]
    extract("warm up: I'll call you on 3 March.", sent_at=datetime.now().astimezone(), tz="UTC")
    for name, value in score(rows).items():
        print(f"commitments_{name} {value:.3f}")
    for split in sorted({row.get("split", "dev") for row in rows} - {"dev"}):
        subset = [row for row in rows if row.get("split") == split]
        for name, value in score(subset).items():
            if name != "per_s":
                print(f"commitments_{split}_{name} {value:.3f}")


if __name__ == "__main__":
    main()
