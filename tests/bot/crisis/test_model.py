"""The learned crisis model (bot/crisis/model.py, features.py, train.py) and how CrisisDetector combines it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from bot.crisis import CrisisDetector, Severity
from bot.crisis.model import ARTEFACT_PATH, ModelScore, RiskModel, from_arrays, load_model
from bot.crisis.train import KINDS, combine, kind_of, load_training_rows, train
from tests.bot.crisis.test_detector import GENERALISATION_NONE, NONE_CASES, TABLE

RULES = CrisisDetector(use_model=False)


@pytest.fixture(scope="module")
def model() -> RiskModel:
    return load_model()


def test_packaged_artefact_loads(model: RiskModel) -> None:
    assert ARTEFACT_PATH.stat().st_size < 30_000_000
    t_risk, t_imm = model.thresholds
    assert 0.0 < t_risk < 1.0 and 0.0 < t_imm < 1.0
    assert 0.0 <= model.veto_floor < t_risk
    assert model.categories == KINDS


def test_scores_are_probabilities_and_batch_independent(model: RiskModel) -> None:
    texts = ["good morning fam", "took the whole bottle 20 min ago, bye everyone", "wish i wouldnt wake up"]
    batch = model.score(texts)
    alone = [model.score([t])[0] for t in texts]
    for b, a in zip(batch, alone, strict=True):
        assert 0.0 <= b.p_risk <= 1.0 and 0.0 <= b.p_imminent <= 1.0
        assert abs(b.p_risk - a.p_risk) < 1e-3 and b.level == a.level
    assert batch[0].level == 0 and batch[0].similar_to == ""
    assert batch[1].level == 2 and batch[1].similar_to in KINDS
    assert batch[2].level >= 1


def test_retraining_reproduces_the_shipped_predictions(model: RiskModel) -> None:
    """`python -m bot.crisis.train` re-creates what the shipped file decides, on any numpy/BLAS/CPU.

    Floats differ in their last digits between machines, so nothing is compared byte for byte: retrained
    probabilities must be within 0.02 of the shipped ones, and labels may differ only for rows whose shipped
    probability lies within that distance of a threshold.
    """
    rows = load_training_rows()
    arrays, report = train(rows, cache=None)
    assert "leave-one-source-out" in report
    retrained = from_arrays(arrays, encoder=model.encoder)
    np.testing.assert_allclose(retrained.thresholds, model.thresholds, atol=0.02)
    texts = [r.text for r in rows] + [t for t, _ in TABLE]
    emb = model.encoder.encode(texts)
    p_old, i_old, _ = model.probabilities(texts, emb)
    p_new, i_new, _ = retrained.probabilities(texts, emb)
    assert float(np.abs(p_old - p_new).max()) < 0.02
    assert float(np.abs(i_old - i_new).max()) < 0.05
    t_risk = model.thresholds[0]
    flipped = (p_old >= t_risk) != (p_new >= retrained.thresholds[0])
    assert np.all(np.abs(p_old[flipped] - t_risk) < 0.02)


def _fixed(score: ModelScore) -> RiskModel:
    class Fixed(RiskModel):
        def __init__(self) -> None:
            self.thresholds = (0.5, 0.5)
            self.veto_floor = 0.1

        def score(self, texts: Sequence[str], *, force: Sequence[bool] | None = None) -> list[ModelScore]:
            return [score for _ in texts]

    return Fixed()


RULE_IMMINENT = "im going to kill myself tonight, i have the pills ready"


def test_decision_table() -> None:
    assert RULES.assess(RULE_IMMINENT).severity is Severity.IMMINENT
    # Rules flag and the model is not confident it is ordinary: the rules' severity stands.
    kept = CrisisDetector(model=_fixed(ModelScore(0.2, 0.0, 0, ""))).assess(RULE_IMMINENT)
    assert kept.severity is Severity.IMMINENT and "similar to" not in " ".join(kept.categories)
    # Rules flag, model confident it is ordinary (below the veto floor): vetoed.
    vetoed = CrisisDetector(model=_fixed(ModelScore(0.05, 0.0, 0, ""))).assess(RULE_IMMINENT)
    assert vetoed.severity is Severity.NONE
    # Model alone flags: its level and "similar to", no rule categories.
    raised = CrisisDetector(model=_fixed(ModelScore(0.9, 0.8, 2, "goodbye"))).assess("ok")
    assert raised.severity is Severity.IMMINENT and raised.categories == ("similar to: goodbye",)
    # Both: the higher severity, categories of both.
    both = CrisisDetector(model=_fixed(ModelScore(0.9, 0.1, 1, "self-harm"))).assess(RULE_IMMINENT)
    assert both.severity is Severity.IMMINENT and both.categories[-1] == "similar to: self-harm"


def test_training_combination_is_the_detectors() -> None:
    """train.combine (used to choose thresholds) is the same table as CrisisDetector.assess_batch."""
    p_risk = np.array([0.05, 0.2, 0.6, 0.6, 0.05])
    p_imm = np.array([0.9, 0.1, 0.1, 0.9, 0.1])
    assert combine(p_risk, p_imm, [2, 2, 0, 0, 0], 0.5, 0.5, 0.1) == [0, 2, 1, 2, 0]


def test_kinds_of_category() -> None:
    assert kind_of("overdose_third_party", "imminent") == "worry about someone else"
    assert kind_of("overdose_in_progress", "imminent") == "overdose or dangerous use"
    assert kind_of("giving_away", "imminent") == "goodbye"
    assert kind_of("self_harm_euphemism", "concern") == "self-harm"
    assert kind_of("means_gun", "imminent") == "plan or means"
    assert kind_of("", "concern") == "passive wish to die"


def test_traps_stay_none() -> None:
    detector = CrisisDetector()
    results = detector.assess_batch(NONE_CASES + GENERALISATION_NONE)
    flagged = [t for t, r in zip(NONE_CASES + GENERALISATION_NONE, results, strict=True) if r.is_risk]
    assert flagged == []
