"""Thai language understanding: normaliser, tokeniser, intent and category classifiers, entities.

The lowest layer: it knows Thai, not the bot. Everything here runs offline from data files
shipped in `nlu/data/`.
"""

import os

# PyThaiNLP must never reach for the network or write a corpus cache: with these unset a
# missing corpus is silently downloaded, or silently yields empty results offline. They must
# be set before pythainlp is first imported, which is why this happens at import time.
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")
