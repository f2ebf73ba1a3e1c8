"""A small shipped model (TF-IDF word and character n-grams plus rule cues, logistic regression)
that scores a message over five broad emotions, in plain Python and NumPy."""

from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np

from regard.insight import emotion_rules as rules

MODEL_FILE = "emotion_model.json.gz"
COARSE = ("anger", "fear", "joy", "neutral", "sadness")
TO_COARSE = {
    "angry": "anger",
    "frustrated": "anger",
    "anxious": "fear",
    "sad": "sadness",
    "neutral": "neutral",
    "satisfied": "joy",
    "grateful": "joy",
}
DENSE_FEATURES = (
    "cue_anger",
    "cue_fear",
    "cue_joy",
    "cue_sadness",
    "sarcasm",
    "complaint",
    "caps",
    "exclamation",
    "vader_pos",
    "vader_neg",
    "vader_compound",
)
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_WORD_CACHE_LIMIT = 20_000


def word_ngrams(text: str) -> list[str]:
    tokens = _TOKEN.findall(text.lower())
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def char_ngrams(text: str) -> list[str]:
    """Character 2- to 5-grams inside word boundaries, as scikit-learn's "char_wb" makes them."""
    grams: list[str] = []
    for word in text_words(text):
        grams += word_char_ngrams(word)
    return grams


def text_words(text: str) -> list[str]:
    # split() already treats a run of whitespace as one break, as collapsing it to " " did.
    return text.lower().split()


def word_char_ngrams(word: str) -> list[str]:
    padded = f" {word} "
    size = len(padded)
    if size <= 5:
        return [padded[i : i + n] for n in range(2, size) for i in range(size - n + 1)] + [padded]
    return [padded[i : i + n] for n in range(2, 6) for i in range(size - n + 1)]


def dense_features(found: rules.Findings) -> list[float]:
    """Rule cues and VADER polarity as numbers the model can weigh against the n-grams."""
    counts = Counter(rules.TO_COARSE_CUE[span.reason] for span in found.cues)
    boosts = Counter(span.reason for span in found.boosts)
    return [
        math.log1p(counts["anger"]),
        math.log1p(counts["fear"]),
        math.log1p(counts["joy"]),
        math.log1p(counts["sadness"]),
        float(bool(found.sarcasm)),
        math.log1p(len(found.complaints)),
        math.log1p(boosts["caps"]),
        math.log1p(boosts["exclamation"]),
        found.polarity["pos"],
        found.polarity["neg"],
        found.polarity["compound"],
    ]


@dataclass(frozen=True)
class Block:
    """One TF-IDF block: vocabulary index, idf per term, and the class weights per term."""

    index: dict[str, int]
    idf: np.ndarray
    weights: np.ndarray
    known_words: dict[str, np.ndarray] = field(default_factory=dict, compare=False)

    def contribution(self, grams: list[str]) -> np.ndarray:
        find = self.index.get
        found = [(i, c) for g, c in Counter(grams).items() if (i := find(g)) is not None]
        if not found:
            return np.zeros(self.weights.shape[1])
        ids, counts = zip(*found, strict=True)
        return self._score(np.array(ids), np.array(counts))

    def word_contribution(self, words: list[str]) -> np.ndarray:
        """Character n-grams scored word by word; a word's n-gram ids are looked up once."""
        known = self.known_words
        if len(known) > _WORD_CACHE_LIMIT:
            known.clear()
        parts = []
        for word in words:
            ids = known.get(word)
            if ids is None:
                grams = (self.index.get(g) for g in word_char_ngrams(word))
                ids = known[word] = np.array([i for i in grams if i is not None], dtype=np.int64)
            parts.append(ids)
        if not parts:
            return np.zeros(self.weights.shape[1])
        rows, counts = np.unique(np.concatenate(parts), return_counts=True)
        if not rows.size:
            return np.zeros(self.weights.shape[1])
        return self._score(rows, counts)

    def _score(self, rows: np.ndarray, counts: np.ndarray) -> np.ndarray:
        values = (1.0 + np.log(counts)) * self.idf[rows]
        return values @ self.weights[rows] / np.sqrt(values @ values)


@dataclass(frozen=True)
class EmotionModel:
    classes: tuple[str, ...]
    words: Block
    chars: Block
    dense: np.ndarray
    intercept: np.ndarray

    def probabilities(self, text: str, found: rules.Findings) -> dict[str, float]:
        scores = (
            self.intercept
            + self.words.contribution(word_ngrams(text))
            + self.chars.word_contribution(text_words(text))
            + np.asarray(dense_features(found)) @ self.dense
        )
        exp = np.exp(scores - scores.max())
        return dict(zip(self.classes, (exp / exp.sum()).tolist(), strict=True))

    def word_evidence(self, text: str, label: str, limit: int = 3) -> list[str]:
        """The words (unigrams) of the text that push hardest towards the given class."""
        column = self.classes.index(label)
        found = {t for t in _TOKEN.findall(text.lower()) if t in self.words.index}
        weight = {t: self.words.weights[self.words.index[t], column] for t in found}
        ranked = sorted((t for t in found if weight[t] > 0), key=lambda t: -weight[t])
        return ranked[:limit]


def _block(payload: dict) -> Block:
    terms = payload["terms"]
    return Block(
        index={term: i for i, term in enumerate(terms)},
        idf=np.asarray(payload["idf"], dtype=np.float64),
        weights=np.asarray(payload["weights"], dtype=np.float64),
    )


def model_from_payload(payload: dict) -> EmotionModel:
    if payload.get("dense_features") != list(DENSE_FEATURES):
        raise ValueError("emotion model was trained on other rule features: run train_emotion.py")
    return EmotionModel(
        classes=tuple(payload["classes"]),
        words=_block(payload["words"]),
        chars=_block(payload["chars"]),
        dense=np.asarray(payload["dense"], dtype=np.float64),
        intercept=np.asarray(payload["intercept"], dtype=np.float64),
    )


@cache
def load_model() -> EmotionModel | None:
    """Load the shipped model once; None when the package was built without it."""
    source = resources.files("regard.insight") / "data" / MODEL_FILE
    if not source.is_file():
        return None
    with source.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as stream:
        return model_from_payload(json.load(stream))
