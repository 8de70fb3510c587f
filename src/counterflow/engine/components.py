"""Connected components on an engine, by Splink's clustering (connected components in SQL).

Used where a stage must split work by component: graph components, and resolution's
constrained clustering, which is exact component by component.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from counterflow.engine import Engine

__all__ = ["connected_components"]


def connected_components(engine: Engine, edges: str, target: str, *, nodes: str | None = None) -> None:
    """Create table ``target`` (``node``, ``component``: the smallest node of its component) from
    the edges in table ``edges`` (columns ``l``, ``r``). ``nodes`` (a select with a ``node``
    column) adds nodes that may have no edge, each its own component."""
    from splink.clustering import cluster_pairwise_predictions_at_threshold

    node_sql = f"SELECT l AS node FROM {edges} UNION SELECT r AS node FROM {edges}"
    if nodes is not None:
        node_sql += f" UNION SELECT node FROM ({nodes}) extra"
    engine.create("cf_cc_nodes", f"SELECT DISTINCT node AS unique_id FROM ({node_sql}) n")
    engine.create("cf_cc_edges", f"SELECT l AS unique_id_l, r AS unique_id_r FROM {edges} WHERE l <> r")
    db = engine.splink_api()
    found = cluster_pairwise_predictions_at_threshold(
        db.register("cf_cc_nodes"), db.register("cf_cc_edges"), db, "unique_id"
    )
    engine.create(
        target,
        f"SELECT unique_id AS node, min(unique_id) OVER (PARTITION BY cluster_id) AS component "
        f"FROM {found.physical_name}",
    )
    found.drop_table_from_database_and_remove_from_cache()
    engine.drop("cf_cc_nodes")
    engine.drop("cf_cc_edges")
