"""Train the shipped emotion model on GoEmotions (Ekman train split) plus the training part of
Regard's own customer messages, and write src/regard/insight/data/emotion_model.json.gz."""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import sys
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from regard.insight import emotion_model, emotion_rules
from regard.insight.emotion import scored_text

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "goemotions" / "ekman"
CUSTOMER_SET = REPO / "tests" / "insight" / "data" / "customer_messages.jsonl"
MODEL_PATH = REPO / "src" / "regard" / "insight" / "data" / emotion_model.MODEL_FILE
EKMAN_TO_COARSE = {
    "anger": "anger",
    "disgust": "anger",
    "fear": "fear",
    "joy": "joy",
    "neutral": "neutral",
    "sadness": "sadness",
}
SEED = 13
# Customer messages are few but in-domain; weight them so they are not drowned by Reddit.
CUSTOMER_WEIGHT = 6.0
MAX_TERMS = 30_000


def read_ekman(split: str, single_label: bool = True) -> tuple[list[str], list[str]]:
    """Rows of an Ekman split as (texts, coarse labels); surprise is dropped, disgust is anger."""
    names = (CORPUS / "labels.txt").read_text(encoding="utf-8").split()
    texts, labels = [], []
    with (CORPUS / f"{split}.tsv").open(encoding="utf-8", newline="") as stream:
        for row in csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE):
            indices = row[1].split(",")
            if single_label and len(indices) != 1:
                continue
            coarse = {EKMAN_TO_COARSE.get(names[int(i)]) for i in indices}
            if len(coarse) == 1 and None not in coarse:
                texts.append(row[0])
                labels.append(coarse.pop())
    return texts, labels


def read_customer_messages(held_out: bool) -> list[dict]:
    """Every 4th line is the fixed held-out part; the rest may be trained on."""
    lines = CUSTOMER_SET.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for i, line in enumerate(lines) if (i % 4 == 3) == held_out]


def require_corpus() -> None:
    if not (CORPUS / "train.tsv").is_file():
        sys.exit(f"GoEmotions corpus not found at {CORPUS} (expected ../shared/corpora)")


def featurise(vectorisers, texts: list[str]):
    words, chars = vectorisers
    dense = csr_matrix([emotion_model.dense_features(emotion_rules.collect(t)) for t in texts])
    return hstack([words.transform(texts), chars.transform(texts), dense]).tocsr()


def fit(texts: list[str], labels: list[str], weights: list[float], c: float):
    words = TfidfVectorizer(
        analyzer=emotion_model.word_ngrams, min_df=2, sublinear_tf=True, max_features=MAX_TERMS
    )
    chars = TfidfVectorizer(
        analyzer=emotion_model.char_ngrams, min_df=3, sublinear_tf=True, max_features=MAX_TERMS
    )
    words.fit(texts)
    chars.fit(texts)
    matrix = featurise((words, chars), texts)
    classifier = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, random_state=SEED)
    classifier.fit(matrix, labels, sample_weight=weights)
    return (words, chars), classifier


def training_set(validate: bool):
    texts, labels = read_ekman("train")
    validation = ([], [])
    if validate:
        order = list(range(len(texts)))
        random.Random(SEED).shuffle(order)
        cut = len(order) // 10
        validation = ([texts[i] for i in order[:cut]], [labels[i] for i in order[:cut]])
        texts = [texts[i] for i in order[cut:]]
        labels = [labels[i] for i in order[cut:]]
    weights = [1.0] * len(texts)
    for row in read_customer_messages(held_out=False):
        texts.append(row["text"])
        labels.append(emotion_model.TO_COARSE[row["label"]])
        weights.append(CUSTOMER_WEIGHT)
    return [scored_text(t) for t in texts], labels, weights, validation


def payload(vectorisers, classifier) -> dict:
    words, chars = vectorisers
    n_words, n_chars = len(words.vocabulary_), len(chars.vocabulary_)
    coef = classifier.coef_.T

    def block(vectoriser, rows):
        terms = sorted(vectoriser.vocabulary_, key=vectoriser.vocabulary_.get)
        return {
            "terms": terms,
            "idf": np.round(vectoriser.idf_, 4).tolist(),
            "weights": np.round(rows, 4).tolist(),
        }

    return {
        "classes": classifier.classes_.tolist(),
        "words": block(words, coef[:n_words]),
        "chars": block(chars, coef[n_words : n_words + n_chars]),
        "dense": np.round(coef[n_words + n_chars :], 4).tolist(),
        "dense_features": list(emotion_model.DENSE_FEATURES),
        "intercept": np.round(classifier.intercept_, 4).tolist(),
    }


def check_parity(data: dict, vectorisers, classifier, texts: list[str]) -> None:
    """The plain-Python scorer must agree with scikit-learn on what it predicts."""
    model = emotion_model.model_from_payload(data)
    expected = classifier.predict(featurise(vectorisers, texts))
    agree = 0
    for text, label in zip(texts, expected, strict=True):
        scores = model.probabilities(text, emotion_rules.collect(text))
        agree += max(scores, key=scores.get) == label
    if agree < 0.99 * len(texts):
        sys.exit(f"exported model disagrees with scikit-learn on {len(texts) - agree} texts")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument(
        "--validate", action="store_true", help="hold out 10%% of train, report, write nothing"
    )
    args = parser.parse_args()
    require_corpus()
    texts, labels, weights, (val_texts, val_labels) = training_set(args.validate)
    vectorisers, classifier = fit(texts, labels, weights, args.c)
    if args.validate:
        predicted = classifier.predict(featurise(vectorisers, val_texts))
        print(f"validation_macro_f1 {f1_score(val_labels, predicted, average='macro'):.4f}")
        return
    data = payload(vectorisers, classifier)
    check_parity(data, vectorisers, classifier, texts[:500] + texts[-100:])
    MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(data, separators=(",", ":")).encode("utf-8")
    with MODEL_PATH.open("wb") as out, gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as stream:
        stream.write(raw)
    print(f"wrote {MODEL_PATH} ({MODEL_PATH.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
