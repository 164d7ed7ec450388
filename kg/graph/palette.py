"""One colour, shape and caption per kind of node, shared by the HTML views (kg/views/viz.py) and the
Neo4j Browser style (the GraSS file), so a PoliceAgency looks the same everywhere. The looks are
declared with the labels, in kg/graph/schema.py; this module only reads them."""

from __future__ import annotations

from kg.graph.schema import VOCABULARY, Look

__all__ = ["DEFAULT_LOOK", "PALETTE", "Look", "look"]

PALETTE: dict[str, Look] = VOCABULARY.looks()
#: for a node with no label of the vocabulary (only possible in a database kg did not write)
DEFAULT_LOOK = Look("#cccccc", "#888888", "dot", "name", 16)


def look(labels: list[str] | tuple[str, ...]) -> tuple[str, Look]:
    """The kind (label) a node is drawn as, and its look: its first label that has one."""
    for label in labels:
        if label in PALETTE:
            return label, PALETTE[label]
    return (labels[0] if labels else "Entity"), DEFAULT_LOOK
