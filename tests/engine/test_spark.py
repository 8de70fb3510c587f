"""Same answers: the medium scenario resolved on Spark (local mode) and on the embedded engine.

Each engine runs the whole resolution by itself (blocking, training, scoring, clustering), from
its own copy of the records; nothing is handed from one run to the other.
"""

from pathlib import Path

import pytest

from counterflow.engine import LocalEngine
from counterflow.resolve.evaluate import scenario_entities
from counterflow.resolve.records import record_from_ftm
from counterflow.resolve.resolver import Resolution, resolve
from counterflow.scenario import generate

pytestmark = pytest.mark.xdist_group("spark")


def _records(world: Path):
    return [r for r in (record_from_ftm(e) for e in scenario_entities(world)) if r is not None]


def _pairs(res: Resolution) -> dict[tuple[str, str], tuple[float, float]]:
    ids = [r.entity_id for r in res.records]
    return {(ids[p.left], ids[p.right]): (p.match_weight, p.match_probability) for p in res.scored}


def _parameters(settings) -> list[float]:
    out = [settings["probability_two_random_records_match"]]
    for comp in settings["comparisons"]:
        for level in comp["comparison_levels"]:
            out.extend(level.get(k, -1.0) for k in ("m_probability", "u_probability"))
    return out


@pytest.fixture(scope="module")
def medium_world(tmp_path_factory) -> Path:
    world = tmp_path_factory.mktemp("medium")
    generate(world, seed=7, size="medium")
    return world


def test_spark_resolves_the_medium_scenario_as_the_embedded_engine_does(spark, medium_world):
    from counterflow.engine.spark import SparkEngine

    local = resolve(_records(medium_world), engine=LocalEngine(threads=2))
    on_spark = resolve(_records(medium_world), engine=SparkEngine(spark))

    assert local.stats["records"] > 20_000 and local.stats["candidate_pairs"] > 100_000
    assert on_spark.stats == local.stats
    # DuckDB sums in parallel, so two runs of either engine agree to rounding, not to the bit
    for kind, model in local.models.items():
        assert _parameters(on_spark.models[kind].settings) == pytest.approx(
            _parameters(model.settings), rel=1e-9
        )
    a, b = _pairs(local), _pairs(on_spark)
    assert a.keys() == b.keys()
    assert max(abs(a[k][0] - b[k][0]) for k in a) < 1e-6
    assert max(abs(a[k][1] - b[k][1]) for k in a) < 1e-9
    assert on_spark.cluster_ids() == local.cluster_ids()
    assert len(set(local.cluster_ids().values())) < local.stats["records"]  # something merged


def test_the_spark_engine_scores_with_a_model_trained_elsewhere(spark, medium_world):
    """A stored model (DuckDB SQL in its settings) scores on Spark: its parameters move, not its SQL."""
    from counterflow.engine.spark import SparkEngine

    recs = _records(medium_world)[:3000]
    trained = resolve(recs, engine=LocalEngine(threads=2))
    again = resolve(_records(medium_world)[:3000], engine=SparkEngine(spark), models=trained.models)
    assert _pairs(again).keys() == _pairs(trained).keys()
    assert again.cluster_ids() == trained.cluster_ids()
