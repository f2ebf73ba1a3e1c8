"""Measure regard.insight.emotion: Ekman macro F1 on the GoEmotions dev split, complaint and
label F1 on the held-out customer messages, and messages per second on one core."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from unittest import mock

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sklearn.metrics import f1_score  # noqa: E402
from train_emotion import CORPUS, read_customer_messages, read_ekman  # noqa: E402

from regard.insight import emotion_model  # noqa: E402
from regard.insight.emotion import SIGNALS, analyze  # noqa: E402

EKMAN = ("anger", "fear", "joy", "neutral", "sadness")
QUICK_ROWS = 400


def score_ekman(texts: list[str], gold: list[str], prefix: str) -> None:
    predicted = [emotion_model.TO_COARSE[analyze(t).label] for t in texts]
    print(f"{prefix}macro_f1 {f1_score(gold, predicted, average='macro'):.4f}")
    if prefix == "emotion_":
        per_label = f1_score(gold, predicted, labels=list(EKMAN), average=None)
        for label, value in zip(EKMAN, per_label, strict=True):
            print(f"emotion_f1_{label} {value:.4f}")


def score_customers(rows: list[dict]) -> None:
    results = [analyze(row["text"]) for row in rows]
    gold_complaint = [row["complaint"] for row in rows]
    print(f"complaint_f1 {f1_score(gold_complaint, [r.complaint for r in results]):.4f}")
    gold_labels = [row["label"] for row in rows]
    predicted = [r.label for r in results]
    print(f"customer_label_macro_f1 {f1_score(gold_labels, predicted, average='macro'):.4f}")
    for signal in SIGNALS:
        gold = [signal in row["signals"] for row in rows]
        found = [signal in r.signals for r in results]
        print(f"signal_f1_{signal} {f1_score(gold, found, zero_division=0):.4f}")


def score_customer_labels(rows: list[dict], prefix: str) -> None:
    predicted = [analyze(row["text"]).label for row in rows]
    value = f1_score([row["label"] for row in rows], predicted, average="macro")
    print(f"{prefix}customer_label_macro_f1 {value:.4f}")


def throughput(texts: list[str]) -> None:
    """Messages per CPU second of this one process, so a busy shared machine does not skew it."""
    analyze("warm up: loads the model and lexicons")
    started = time.process_time()
    for text in texts:
        analyze(text)
    print(f"emotion_msgs_per_s {len(texts) / (time.process_time() - started):.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help=f"first {QUICK_ROWS} dev rows only")
    args = parser.parse_args()
    if not (CORPUS / "dev.tsv").is_file():
        sys.exit(f"GoEmotions corpus not found at {CORPUS} (expected ../shared/corpora)")
    texts, gold = read_ekman("dev")
    if args.quick:
        texts, gold = texts[:QUICK_ROWS], gold[:QUICK_ROWS]
    customers = read_customer_messages(held_out=True)
    score_ekman(texts, gold, "emotion_")
    score_customers(customers)
    with mock.patch.object(emotion_model, "load_model", return_value=None):
        score_ekman(texts, gold, "rules_only_emotion_")
        score_customer_labels(customers, "rules_only_")
    throughput(texts + [row["text"] for row in customers])


if __name__ == "__main__":
    main()
