"""The shared text classifier: it learns from lines, ranks every label, and its fast path
computes exactly what scikit-learn would."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import hstack

from nlu.normalise import normalise
from nlu.textmodel import Example, ModelSettings, TextClassifier, read_examples

EXAMPLES = [
    *(Example("road", t) for t in ["ถนนพัง", "ถนนเป็นหลุม", "ถนนลูกรังพัง", "หลุมบนถนน"]),
    *(Example("light", t) for t in ["ไฟทางดับ", "ไฟถนนไม่ติด", "เสาไฟดับ", "ไฟดับทั้งซอย"]),
    *(Example("dog", t) for t in ["หมาจรจัด", "สุนัขกัด", "หมาเห่า", "สุนัขจรจัดเยอะ"]),
]


def test_reads_one_example_per_line_and_skips_comments_and_blanks(tmp_path: Path) -> None:
    (tmp_path / "road.txt").write_text("# ถนน\nถนนพัง\n\n  หลุมใหญ่  \n", encoding="utf-8")
    (tmp_path / "light.txt").write_text("ไฟดับ\n", encoding="utf-8")
    assert read_examples(tmp_path) == [
        Example("light", "ไฟดับ"),
        Example("road", "ถนนพัง"),
        Example("road", "หลุมใหญ่"),
    ]


def test_a_folder_without_examples_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no training examples"):
        read_examples(tmp_path)


def test_ranks_every_label_with_probabilities_that_sum_to_one() -> None:
    model = TextClassifier(EXAMPLES, ModelSettings(calibration_folds=0))
    ranked = model.rank(normalise("ไฟทางดับหน้าบ้าน"))
    assert ranked[0].label == "light"
    assert sorted(s.label for s in ranked) == ["dog", "light", "road"]
    assert sum(s.probability for s in ranked) == pytest.approx(1.0)
    assert [s.probability for s in ranked] == sorted((s.probability for s in ranked), reverse=True)


def test_text_with_no_known_feature_still_gets_a_ranking() -> None:
    model = TextClassifier(EXAMPLES, ModelSettings(calibration_folds=0))
    assert len(model.rank("zzzz")) == 3


def test_fast_scoring_matches_scikit_learn() -> None:
    model = TextClassifier(EXAMPLES * 3, ModelSettings(calibration_folds=2))
    texts = [normalise(t) for t in ["ถนนหน้าบ้านพังมาก", "หมากัด", "ไฟ ไฟ ไฟ ดับ", "xyz"]]
    features = hstack([model._words.transform(texts), model._chars.transform(texts)]).tocsr()
    expected = model._model.decision_function(features) / model.temperature
    for text, logits in zip(texts, expected, strict=True):
        shifted = np.exp(logits - logits.max())
        reference = dict(zip(model.labels, shifted / shifted.sum(), strict=True))
        for scored in model.rank(text):
            assert scored.probability == pytest.approx(reference[scored.label], abs=1e-6)


def test_calibration_softens_or_sharpens_but_never_reorders() -> None:
    plain = TextClassifier(EXAMPLES * 3, ModelSettings(calibration_folds=0))
    calibrated = TextClassifier(EXAMPLES * 3, ModelSettings(calibration_folds=3))
    assert calibrated.temperature != 1.0
    text = normalise("สุนัขจรจัดกัดคน")
    assert [s.label for s in plain.rank(text)] == [s.label for s in calibrated.rank(text)]


def test_two_labels_are_ranked_like_any_other_number() -> None:
    two = [e for e in EXAMPLES if e.label != "dog"] * 2
    model = TextClassifier(two, ModelSettings(calibration_folds=2))
    ranked = model.rank(normalise("ไฟทางดับ"))
    assert [s.label for s in ranked] == ["light", "road"]
    assert sum(s.probability for s in ranked) == pytest.approx(1.0)


def test_a_single_label_is_refused_as_nothing_to_tell_apart() -> None:
    with pytest.raises(ValueError):
        TextClassifier(EXAMPLES[:4], ModelSettings(calibration_folds=0))
