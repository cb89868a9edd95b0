"""The general-complaint taxonomy and the classifier that suggests categories for a description.

Names follow Traffy Fondue where the topic is the same, so reports can be compared with the
largest Thai complaint platform; the last four serve rural offices.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nlu.normalise import normalise
from nlu.textmodel import ModelSettings, TextClassifier, read_examples


@dataclass(frozen=True)
class Category:
    slug: str
    name: str
    """Thai name shown to citizens and staff."""
    traffy: str | None
    """The Traffy Fondue type this topic is filed under there, if any."""


TAXONOMY: tuple[Category, ...] = (
    Category("road", "ถนน", "ถนน"),
    Category("sidewalk", "ทางเท้า", "ทางเท้า"),
    Category("lighting", "แสงสว่าง", "แสงสว่าง"),
    Category("cables", "สายไฟ", "สายไฟ"),
    Category("cleanliness", "ความสะอาด", "ความสะอาด"),
    Category("drainage", "ท่อระบายน้ำ", "ท่อระบายน้ำ"),
    Category("flooding", "น้ำท่วม", "น้ำท่วม"),
    Category("trees", "ต้นไม้", "ต้นไม้"),
    Category("noise", "เสียงรบกวน", "เสียงรบกวน"),
    Category("stray_animals", "สัตว์จรจัด", "สัตว์จรจัด"),
    Category("obstruction", "กีดขวาง", "กีดขวาง"),
    Category("safety", "ความปลอดภัย", "ความปลอดภัย"),
    Category("traffic", "จราจร", "จราจร"),
    Category("signs", "ป้าย", "ป้าย"),
    Category("canal", "คลอง", "คลอง"),
    Category("bridge", "สะพาน", "สะพาน"),
    Category("pm25", "PM2.5", "PM2.5"),
    Category("homeless", "คนจรจัด", "คนจรจัด"),
    Category("water_supply", "น้ำประปา", None),
    # Traffy files smells and burning under ความสะอาด (38 of 63 smell reports in its dev set)
    Category("nuisance", "เหตุรำคาญ กลิ่น/ควัน", "ความสะอาด"),
    Category("staff_service", "การให้บริการของเจ้าหน้าที่", None),
    Category("other", "อื่นๆ", None),
)
BY_SLUG = {c.slug: c for c in TAXONOMY}


# Stronger regularisation than the intent model: complaints are long and mention several
# topics, and a smoother model generalises better to real ones (Traffy dev set: 0.808 at
# C=1, 0.82–0.83 anywhere in C=0.05–0.3; chosen from the middle of that plateau).
# Only the ranking is used, so the probabilities are left uncalibrated.
CATEGORY_MODEL = ModelSettings(regularisation=0.2, char_ngrams=(2, 4), calibration_folds=0)


@dataclass(frozen=True)
class CategorySuggestion:
    category: Category
    probability: float


class CategorySuggester:
    def __init__(self, model: TextClassifier) -> None:
        unknown = set(model.labels) - set(BY_SLUG)
        if unknown:
            raise ValueError(f"training files for categories not in the taxonomy: {unknown}")
        self._model = model

    @classmethod
    def load(cls, folder: Path) -> CategorySuggester:
        return cls(TextClassifier(read_examples(folder), CATEGORY_MODEL))

    def suggest(self, text: str, limit: int = 3) -> list[CategorySuggestion]:
        """The most likely categories for a complaint description, best first."""
        normalised_text = normalise(text)
        if not normalised_text:
            return []
        return [
            CategorySuggestion(BY_SLUG[s.label], s.probability)
            for s in self._model.rank(normalised_text)[:limit]
        ]
