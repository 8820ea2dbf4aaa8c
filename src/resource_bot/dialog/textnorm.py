"""Kept only for ``dialog/danger.py`` and ``dialog/dangerfile.py``: text normalisation now lives in
:mod:`resource_bot.matching.textnorm`. Those two files are being changed on another branch; once
they import from ``resource_bot.matching.textnorm``, delete this file.
"""

from resource_bot.matching.textnorm import MAX_INPUT_CHARS, STOPWORDS, normalize, stem, tokens

__all__ = ["MAX_INPUT_CHARS", "STOPWORDS", "normalize", "stem", "tokens"]
