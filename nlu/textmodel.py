"""A small supervised text classifier: Thai words plus character n-grams, a linear SVM.

Shared by the intent and the complaint-category classifiers. It learns from labelled lines
at load time (a few thousand lines fit in well under a second), so the shipped data files
are the model and nothing is downloaded or unpickled.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from nlu.normalise import normalise
from nlu.tokens import tokenize


@dataclass(frozen=True)
class Example:
    label: str
    text: str


@dataclass(frozen=True)
class Scored:
    label: str
    probability: float


def read_examples(folder: Path) -> list[Example]:
    """Every `<label>.txt` in `folder`: one example per line; blank and `#` lines skipped."""
    examples = []
    for path in sorted(folder.glob("*.txt")):
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if line and not line.startswith("#"):
                examples.append(Example(path.stem, line))
    if not examples:
        raise ValueError(f"no training examples in {folder}")
    return examples


# Both models learn from the category examples: normalise each training line once.
_normalised_example = lru_cache(maxsize=None)(normalise)


def _word_features(text: str) -> list[str]:
    words = tokenize(text)
    return words + [f"{a} {b}" for a, b in pairwise(words)]


def _with_markers(markers: Callable[[str], list[str]]) -> Callable[[str], list[str]]:
    def analyse(text: str) -> list[str]:
        return _word_features(text) + markers(text)

    return analyse


@dataclass(frozen=True)
class ModelSettings:
    regularisation: float = 1.0
    char_ngrams: tuple[int, int] = (1, 3)
    calibration_folds: int = 2
    balanced: bool = False
    """Weigh classes inversely to their number of examples."""
    read_chars: int = 600
    """Only the start of a long message is read: what it is about is said early (the
    Traffy hit rate is the same at 400 characters as for whole texts), and the time per
    message stays bounded whatever a client sends."""


class TextClassifier:
    """Fit on examples; `rank` gives every label with a probability, best first.

    The probabilities are a softmax over the SVM's one-vs-rest scores. With
    `calibration_folds` ≥ 2 its temperature is fitted on out-of-fold scores, so a confidence
    of 0.7 means about 70% of such answers were right on examples the model had not seen.
    (A linear SVM fits in a tenth of the time of logistic regression here at the same
    accuracy, which keeps start-up short.)"""

    def __init__(
        self,
        examples: Sequence[Example],
        settings: ModelSettings | None = None,
        markers: Callable[[str], list[str]] | None = None,
    ):
        """`markers` adds features of the caller's own (for example "a corruption phrase is
        here") next to the words; the model learns how much each one counts."""
        self.settings = settings or ModelSettings()
        texts = [_normalised_example(e.text)[: self.settings.read_chars] for e in examples]
        labels = np.array([e.label for e in examples])
        self._words = TfidfVectorizer(
            analyzer=_with_markers(markers) if markers else _word_features,
            sublinear_tf=True,
            min_df=1,
            dtype=np.float32,
        )
        self._chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=self.settings.char_ngrams,
            sublinear_tf=True,
            min_df=2,
            dtype=np.float32,
        )
        features = hstack([self._words.fit_transform(texts), self._chars.fit_transform(texts)])
        features = features.tocsr()
        self.temperature = self._fit_temperature(features, labels)
        self._model = self._new_model().fit(features, labels)
        self.labels: tuple[str, ...] = tuple(str(c) for c in self._model.classes_)
        words_size = len(self._words.vocabulary_)
        self._blocks = [_Block.of(self._words), _Block.of(self._chars, offset=words_size)]
        coef, intercept = _per_class(self._model.coef_, self._model.intercept_)
        self._weights = np.ascontiguousarray(coef.T, dtype=np.float64)
        self._intercept = intercept

    def _new_model(self) -> LinearSVC:
        return LinearSVC(
            C=self.settings.regularisation,
            class_weight="balanced" if self.settings.balanced else None,
            random_state=0,  # liblinear shuffles; a fixed seed makes every start the same
        )

    def _fit_temperature(self, features: object, labels: np.ndarray) -> float:
        folds = self.settings.calibration_folds
        if folds < 2 or np.unique(labels, return_counts=True)[1].min() < folds:
            return 1.0
        logits: list[np.ndarray] = []
        truths: list[np.ndarray] = []
        for train, held in StratifiedKFold(folds, shuffle=True, random_state=0).split(
            labels, labels
        ):
            model = self._new_model().fit(features[train], labels[train])  # type: ignore[index]
            scores = model.decision_function(features[held])  # type: ignore[index]
            logits.append(scores if scores.ndim == 2 else np.column_stack([0 * scores, scores]))
            truths.append(np.searchsorted(model.classes_, labels[held]))
        return _best_temperature(np.vstack(logits), np.concatenate(truths))

    def rank(self, normalised_text: str) -> list[Scored]:
        """All labels, best first. The text must already be normalised."""
        normalised_text = normalised_text[: self.settings.read_chars]
        logits = self._intercept.copy()
        for block in self._blocks:
            indices, values = block.features(normalised_text)
            if len(indices):
                logits += values @ self._weights[indices]
        probabilities = _softmax(logits / self.temperature)
        order = np.argsort(-probabilities)
        return [Scored(self.labels[i], float(probabilities[i])) for i in order]


@dataclass(frozen=True)
class _Block:
    """One fitted TF-IDF vectoriser, applied to a single text without scikit-learn's
    per-call overhead (which is most of the time for one short message). Same arithmetic:
    sublinear tf times idf, then L2 norm; `tests/unit/test_textmodel.py` checks it agrees."""

    analyse: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: np.ndarray
    offset: int

    @classmethod
    def of(cls, vectoriser: TfidfVectorizer, offset: int = 0) -> _Block:
        return cls(
            vectoriser.build_analyzer(),
            vectoriser.vocabulary_,
            vectoriser.idf_.astype(np.float64),
            offset,
        )

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        vocabulary = self.vocabulary
        known = [
            (vocabulary[feature], count)
            for feature, count in Counter(self.analyse(text)).items()
            if feature in vocabulary
        ]
        if not known:
            return np.empty(0, dtype=np.intp), np.empty(0)
        indices = np.fromiter((i for i, _ in known), dtype=np.intp, count=len(known))
        tf = np.fromiter((c for _, c in known), dtype=np.float64, count=len(known))
        values = (1.0 + np.log(tf)) * self.idf[indices]
        values /= np.sqrt(values @ values)
        return indices + self.offset, values


def _per_class(coef: np.ndarray, intercept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One row of weights per class. With two classes scikit-learn keeps a single row, the
    score of the second class against the first; the first class then scores zero."""
    coef = np.asarray(coef, dtype=np.float64)
    intercept = np.asarray(intercept, dtype=np.float64)
    if coef.shape[0] == 1:
        return np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], intercept])
    return coef, intercept


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def _best_temperature(logits: np.ndarray, truths: np.ndarray) -> float:
    """The temperature that minimises held-out log loss, by golden-section search."""

    def loss(log_t: float) -> float:
        probabilities = _softmax(logits / math.exp(log_t))
        picked = probabilities[np.arange(len(truths)), truths]
        return float(-np.log(np.clip(picked, 1e-12, None)).mean())

    low, high = math.log(0.05), math.log(20.0)
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(40):
        a = high - ratio * (high - low)
        b = low + ratio * (high - low)
        if loss(a) < loss(b):
            high = b
        else:
            low = a
    return math.exp((low + high) / 2)
