"""Train the danger detector's learned model: ``python -m tests.dangertrain`` (needs ``pip install -e '.[train]'``).

Writes ``conversations/danger/learned/<lang>.json``, read by :mod:`resource_bot.dialog.dangermodel`.
It learns from everything rules may be written from (the tuning half, the spent sets, the third to fifth tuning
sets), the hand-written probes (tests/data/danger-probes-*.yaml), everyday bot traffic and hard-life
problems and conflicts (tests/data/danger-everyday-*.yaml, danger-hardship-*.yaml, danger-conflict-*.yaml)
and the needs sets' tuning half without a crisis; never from the held-out halves, the fresh set or the conflict
check (danger-conflict-check-*.yaml), which measure it. Each message's class is its level, or for danger now
its kind, so the model also says which line comes first.

The limits (:data:`THRESHOLDS`) were chosen with ``python -m tests.dangertrain --dev SET``, which trains the
model without one spent set and reads that set at the limits in :data:`TRIED` (counts only):

- where the rules heard nothing (``now``, ``maybe``): on the fifth spent set, 2026-12-02, before the sixth
  spent set and the fourth tuning set were written. The rules alone caught 83.0% / 80.9% of its danger
  (English / Spanish) with 6.5% / 5.4% false alarms; with the model, 91.2% / 90.6% with 8.2% / 5.4%.
- over a rules' "maybe" (``over_maybe``): on the seventh and eighth spent sets, 2026-12-02, after the
  eighth was measured as a fresh set and before the ninth was read, with the Spanish model still trained
  at strength 100 (:data:`STRENGTH`). At 0.95 in Spanish, recall went from 87.9% to 92.4% on the eighth
  (false alarms 2.2% both) and from 90.3% to 94.4% on the seventh (7.1% to 8.2%); 0.97 caught three fewer
  in each. English gained 2 to 3 points at 0.97, but the model was as sure
  of "my ex is stalking me" and "my pimp takes all my money", requests the needs sets send to their
  topics: English keeps the rules' "Are you safe?" (None).
- A limit the other way, turning a rules' "now" the model was sure was a look-alike into "Are you safe?",
  cut false alarms on both spent sets by half or more (at 0.8), for at most one danger message a set; but
  the model was as sure of "i was abused as a kid and now i want to kill myself" and "jaja no es chiste,
  trae una pistola", which the rules catch on purpose (tests/test_danger_context.py). It was left out.

The shipped model is trained on those sets too, so ``--dev`` now reads a little differently.
Retrain after the sets or probes change:
tests/test_danger_model.py fails until the weights match them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

import yaml

from resource_bot.dialog.danger import MAX_WORDS, DangerDetector
from resource_bot.dialog.dangermodel import LearnedModel, Thresholds, features
from resource_bot.matching.textnorm import normalize
from resource_bot.paths import conversations_dir
from tests.dangereval import DATA, LANGS, NAMED_TUNING_SETS, Cases, conflict_check, fresh, halves, score, summary
from tests.evalsplit import split
from tests.needs_tuning import load_cases

#: Per language, how sure the model must be to raise a message the rules heard nothing in to danger now
#: (``now``) or to "Are you safe?" (``maybe``), and to raise a rules' "maybe" to danger now (``over_maybe``,
#: None: never). See the module docstring.
THRESHOLDS: dict[str, dict[str, float | None]] = {
    "en": {"now": 0.85, "maybe": 0.9, "over_maybe": None},
    "es": {"now": 0.85, "maybe": 0.9, "over_maybe": 0.95},
}
#: Inverse regularisation strength, per language. Of 3, 10, 30, 100 and 300, 100 read the fifth spent set as
#: well as any and held the probes' and the needs sets' look-alikes best. With the seventh and eighth spent sets
#: left out in turn (2026-12-02), Spanish at 300 caught 4 more of each set's 340 danger messages than at 100,
#: with 0 and 1 more false alarms (30 caught fewer; 1000 caught more with 1 and 3 more false alarms). English
#: at 300 caught 3 and 2 more, but read "help me get a job" as a plea and no longer "my boss took my
#: passport and does not pay me" as danger now (tests/test_danger.py, tests/test_danger_model.py).
STRENGTH = {"en": 100.0, "es": 300.0}
#: A letter run or word pair seen in fewer messages than this is left out: it says too little.
MIN_MESSAGES = 2
#: Probes whose probabilities the file keeps, so a test can check the hand-written arithmetic against scikit-learn's.
CHECKS = 12
DIGITS = 5


def words(text: str) -> list[str]:
    """The words of ``text`` as the detector reads them."""
    return normalize(text).split()[:MAX_WORDS]


def probes(lang: str) -> Cases:
    rows = yaml.safe_load((DATA / f"danger-probes-{lang}.yaml").read_text(encoding="utf-8"))
    return [{"text": text, "level": level, "kind": kind} for text, level, kind in rows]


def label(case: dict[str, Any]) -> str:
    return str(case["kind"]) if case["level"] == "now" else str(case["level"])


def plain(lang: str) -> Cases:
    """Everyday bot traffic ("hola", "food bank near 60601", "is this free"), hard-life problems a
    service answers (wages kept, eviction, debt) and conflicts said with heat (a boss who yells, a landlord
    who wants someone out), written as such: without them the model has seen only danger and its
    look-alikes, and reads "what time is it" as fear and "they keep my tips" as trafficking."""
    return [
        {"text": text, "level": level, "kind": kind}
        for name in ("everyday", "hardship", "conflict")
        for text, level, kind in yaml.safe_load((DATA / f"danger-{name}-{lang}.yaml").read_text(encoding="utf-8"))
    ]


def needs(lang: str) -> Cases:
    """The needs sets' tuning half in ``lang`` without a crisis: service requests, danger none."""
    return [
        {"text": case["text"], "level": "none"}
        for case in split(load_cases())[0]
        if case.get("lang") == lang and "crisis" not in case
    ]


def measured(lang: str) -> frozenset[str]:
    """The held-out half's, the fresh set's and the conflict check's messages, as the model reads them: never
    learned from, even when a tuning set or a probe says the same short thing ("me quiero matar")."""
    return frozenset(" ".join(words(case["text"])) for case in halves(lang)[1] + fresh(lang) + conflict_check(lang))


def training(lang: str, leave_out: Callable[[str], Cases] | None = None) -> list[tuple[str, str]]:
    """(text, class) for every message the model learns from, in a fixed order; ``leave_out`` drops one
    named set, to measure the model on it (``python -m tests.dangertrain --dev``)."""
    sets = [cases for _, cases in NAMED_TUNING_SETS if cases is not leave_out]
    material = halves(lang)[0] + [c for cases in sets for c in cases(lang)] + probes(lang) + needs(lang) + plain(lang)
    held = measured(lang)
    return [(case["text"], label(case)) for case in material if " ".join(words(case["text"])) not in held]


def digest(lang: str) -> str:
    """A fingerprint of the training messages, so a test can tell when the weights are out of date."""
    blob = json.dumps(training(lang), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


def train(lang: str, leave_out: Callable[[str], Cases] | None = None) -> dict[str, Any]:
    """The model file's content: weights, limits, and a few probes' probabilities as scikit-learn gives them."""
    import sklearn
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    cases = training(lang, leave_out)
    vectorizer = TfidfVectorizer(analyzer=features, min_df=MIN_MESSAGES, sublinear_tf=True)
    matrix = vectorizer.fit_transform([words(text) for text, _ in cases])
    model = LogisticRegression(C=STRENGTH[lang], max_iter=5000, class_weight="balanced")
    model.fit(matrix, [cls for _, cls in cases])
    weights = model.coef_.T  # one row per feature, one column per class
    rows = {
        feature: [round(float(vectorizer.idf_[i]), DIGITS), *(round(float(w), DIGITS) for w in weights[i])]
        for feature, i in sorted(vectorizer.vocabulary_.items())
    }
    samples = [case["text"] for case in probes(lang)[:: max(1, len(probes(lang)) // CHECKS)]][:CHECKS]
    expected = model.predict_proba(vectorizer.transform([words(t) for t in samples]))
    return {
        "language": lang,
        "about": "Written by python -m tests.dangertrain; read by resource_bot.dialog.dangermodel.",
        "trained_on": {"messages": len(cases), "sha256": digest(lang), "with": f"scikit-learn {sklearn.__version__}"},
        "classes": [str(c) for c in model.classes_],
        "intercepts": [round(float(b), DIGITS) for b in model.intercept_],
        "thresholds": THRESHOLDS[lang],
        "checks": [[text, [round(float(p), DIGITS) for p in row]] for text, row in zip(samples, expected, strict=True)],
        "features": rows,
    }


#: Limits tried by ``--dev``: (now, maybe, over a rules' maybe), None leaving the rules' maybe be.
TRIED: tuple[tuple[float, float, float | None], ...] = (
    (0.85, 0.9, None),
    (0.8, 0.9, None),
    (0.85, 0.9, 0.99),
    (0.85, 0.9, 0.97),
    (0.85, 0.9, 0.95),
    (0.85, 0.9, 0.9),
)


def short_name(name: str) -> str:
    """The name ``--dev`` takes for a tuning set: "SPENT SET 8" -> "spent8", "TUNE SET 4" -> "tune4"."""
    return name.lower().replace(" set ", "").replace(" set", "")


def dev(leave_out: str, langs: Sequence[str] = LANGS) -> None:
    """How the limits read on one spent set, with the model trained without it, for a few limits
    (counts only; the held-out half and the fresh set are never read here)."""
    cases_of = {short_name(name): cases for name, cases in NAMED_TUNING_SETS}[leave_out]
    rules = DangerDetector(DangerDetector.from_directory(conversations_dir()).rules)  # the rules alone
    for lang in langs:
        model = LearnedModel(train(lang, leave_out=cases_of))
        cases = cases_of(lang)
        print(f"{lang} rules alone:", summary(lang, score(rules, cases)))
        for limits in TRIED:
            model.thresholds = Thresholds(*limits)
            both = DangerDetector(rules.rules, {lang: model})
            raised = sum(c["level"] == "maybe" and both.check(c["text"]).now for c in cases)
            print(f"{lang} {model.thresholds}:", summary(lang, score(both, cases)), f"maybe raised to now {raised}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tests.dangertrain",
        description="Train the danger detector's learned model and write conversations/danger/learned/<lang>.json.",
        epilog="examples: python -m tests.dangertrain es   (retrain the Spanish model only)\n"
        "          python -m tests.dangertrain es --dev spent8   (read the limits on the eighth spent set)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("langs", nargs="*", metavar="LANG", help="en or es (default: both)")
    parser.add_argument(
        "--dev",
        metavar="SET",
        choices=[short_name(name) for name, _ in NAMED_TUNING_SETS],
        help="show how the limits read on one tuning set (spent8, tune4...), with the model trained without it",
    )
    args = parser.parse_args(argv)
    if unknown := [lang for lang in args.langs if lang not in LANGS]:
        parser.error(f"no danger sets for {', '.join(unknown)}; choose from {', '.join(LANGS)}")
    try:
        import sklearn  # noqa: F401
    except ImportError:
        sys.exit("dangertrain: scikit-learn is needed to train; install it with: pip install -e '.[train]'")
    if args.dev:
        dev(args.dev, args.langs or LANGS)
        return
    folder = conversations_dir() / "danger" / "learned"
    folder.mkdir(exist_ok=True)
    for lang in args.langs or LANGS:
        spec = train(lang)
        LearnedModel(spec)  # the bot must read what was written
        path = folder / f"{lang}.json"
        path.write_text(json.dumps(spec, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"{path}: {spec['trained_on']['messages']} messages, {len(spec['features'])} features")


if __name__ == "__main__":
    main(sys.argv[1:])
