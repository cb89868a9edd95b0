"""Thai retrieval over the office's entries: BM25 fused with a classifier of the examples.

- BM25 on words and on character trigrams. Words carry the meaning; trigrams forgive
  typos and words the segmenter splits differently ("ถังขยะ" against "ถัง ขยะ"). Each entry
  is indexed from its title and aliases (weighted most: they are the names people use), its
  example questions, its summary and, for info entries, its body.
- A linear classifier (`nlu.textmodel`) trained on the same title, aliases, questions and
  summary per entry. It generalises from the examples to wordings that share few exact
  words with them, and gives a calibrated confidence that tells a clear answer from a guess.
The two rankings are fused by reciprocal rank. A question that shares not even a trigram
with any entry matches nothing.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge.content import Entry
from nlu.normalise import normalise
from nlu.textmodel import Example, ModelSettings, TextClassifier
from nlu.tokens import tokenize

# Words that say how a question is asked, not what about.
_STOPWORD_TEXT = (
    "ครับ คับ ค่ะ คะ ค่า จ้า จ้ะ นะ นะคะ นะครับ ไหม มั้ย มั๊ย ป่าว เปล่า หรือ อะไร ไร ยังไง "
    "อย่างไร ไง บ้าง ต้อง ทำ ได้ ไป มา ให้ ที่ ของ การ ความ จะ ก็ แล้ว และ กับ ด้วย หน่อย "
    "อยาก ทราบ สอบถาม ถาม รบกวน ช่วย คุณ ผม ดิฉัน ฉัน หนู เรา เค้า เขา มี เป็น อยู่ คือ ขอ "
    "นี้ นั้น ไหน เมื่อไร เมื่อไหร่ กี่ ว่า ใน จาก ถึง เพื่อ แต่ สวัสดี ใช้"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
FIELD_WEIGHTS = {"title": 3, "aliases": 3, "questions": 2, "summary": 1, "body": 1}
TRIGRAM_WEIGHT = 0.35
FUSION_K = 10  # reciprocal-rank fusion: 1 / (K + rank)
CLASSIFIER_WEIGHT = 1.5  # the classifier's ranking counts a little more than BM25's
ENTRY_MODEL = ModelSettings(regularisation=0.3, char_ngrams=(1, 3), calibration_folds=2)


@dataclass(frozen=True)
class Hit:
    entry_id: str
    score: float
    """The fused score: higher is better; comparable within one search only."""
    confidence: float = 0.0
    """The classifier's calibrated probability that this is the entry meant."""


def words(text: str) -> list[str]:
    """The words of a text that say what it is about."""
    return content_words(normalise(text))


def content_words(normalised_text: str) -> list[str]:
    """`words` for text that is already normalised."""
    return [w for w in tokenize(normalised_text) if w not in STOPWORDS and w.strip(".,?!()-:")]


def _trigrams_of(content: list[str]) -> list[str]:
    joined = "".join(content)
    return [joined[i : i + 3] for i in range(len(joined) - 2)]


def _weighted_fields(entry: Entry) -> Iterable[tuple[str, int]]:
    yield entry.title, FIELD_WEIGHTS["title"]
    for alias in (entry.short_title, *entry.aliases) if entry.short_title else entry.aliases:
        yield alias, FIELD_WEIGHTS["aliases"]
    for question in entry.questions:
        yield question, FIELD_WEIGHTS["questions"]
    yield entry.summary, FIELD_WEIGHTS["summary"]
    if entry.body:
        yield entry.body, FIELD_WEIGHTS["body"]


class _BM25:
    def __init__(self, documents: Sequence[Counter[str]], k1: float = 1.2, b: float = 0.75):
        self.documents = documents
        self.k1, self.b = k1, b
        self.lengths = [sum(d.values()) for d in documents]
        self.average_length = sum(self.lengths) / max(len(documents), 1)
        frequency: Counter[str] = Counter()
        for document in documents:
            frequency.update(document.keys())
        n = len(documents)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}

    def scores(self, query: Iterable[str]) -> list[float]:
        terms = [t for t in set(query) if t in self.idf]
        result = []
        for document, length in zip(self.documents, self.lengths, strict=True):
            norm = self.k1 * (1 - self.b + self.b * length / self.average_length)
            score = 0.0
            for term in terms:
                tf = document.get(term, 0)
                if tf:
                    score += self.idf[term] * tf * (self.k1 + 1) / (tf + norm)
            result.append(score)
        return result


class SearchIndex:
    def __init__(self, entries: Sequence[Entry]) -> None:
        self.ids = [e.id for e in entries]
        word_docs, trigram_docs = [], []
        for entry in entries:
            word_counts: Counter[str] = Counter()
            trigram_counts: Counter[str] = Counter()
            for text, weight in _weighted_fields(entry):
                field_words = words(text)
                for word, count in Counter(field_words).items():
                    word_counts[word] += weight * count
                for trigram, count in Counter(_trigrams_of(field_words)).items():
                    trigram_counts[trigram] += weight * count
            word_docs.append(word_counts)
            trigram_docs.append(trigram_counts)
        self._words = _BM25(word_docs)
        self._trigrams = _BM25(trigram_docs)
        examples = [Example(e.id, text) for e in entries for text, _ in _weighted_fields(e)]
        self._model = TextClassifier(examples, ENTRY_MODEL) if len(entries) > 1 else None

    def search(self, question: str, limit: int = 5) -> list[Hit]:
        """Entries that match, best first, with their scores (nothing when nothing matches)."""
        normalised = normalise(question)
        lexical = self._lexical(content_words(normalised))
        if not lexical:
            return []
        if self._model is None:
            return [Hit(entry_id, score, 1.0) for entry_id, score in lexical[:limit]]
        ranked = self._model.rank(normalised)
        confidence = {s.label: s.probability for s in ranked}
        fused: dict[str, float] = {}
        for rank, (entry_id, _) in enumerate(lexical):
            fused[entry_id] = 1 / (FUSION_K + rank)
        for rank, scored in enumerate(ranked):
            fused[scored.label] = fused.get(scored.label, 0.0) + CLASSIFIER_WEIGHT / (
                FUSION_K + rank
            )
        best = sorted(fused, key=lambda entry_id: -fused[entry_id])[:limit]
        return [Hit(entry_id, fused[entry_id], confidence[entry_id]) for entry_id in best]

    def _lexical(self, query_words: list[str]) -> list[tuple[str, float]]:
        """BM25 matches, best first."""
        query_trigrams = _trigrams_of(query_words)
        by_words = self._words.scores(query_words)
        by_trigrams = self._trigrams.scores(query_trigrams)
        # trigram scores grow with the query's length; scale them to a per-word figure
        scale = TRIGRAM_WEIGHT * max(len(query_words), 1) / max(len(query_trigrams), 1)
        combined = [w + scale * t for w, t in zip(by_words, by_trigrams, strict=True)]
        matched = [(i, s) for i, s in zip(self.ids, combined, strict=True) if s > 0]
        return sorted(matched, key=lambda pair: -pair[1])
