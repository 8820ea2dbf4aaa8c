"""Matching typed words: text normalisation, typo-tolerant lookup, topic scoring and the service index.

Used by the dialog engine (typed requests) and by directory tools (the HSDS importer's topic
guesses, "did you mean" hints). It imports no dialog engine, channel, database or web code.
"""
