"""One colour, shape and caption per kind of node, shared by the HTML views (kg/viz.py) and the
Neo4j Browser style (the GraSS file), so a PoliceAgency looks the same everywhere."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Look:
    color: str       # fill, as #rrggbb
    border: str      # outline, as #rrggbb
    shape: str       # a vis-network shape
    caption: str     # the property shown as the node's caption
    size: int = 22   # relative size in the views; the Browser style draws twice this diameter


PALETTE: dict[str, Look] = {
    "PoliceAgency": Look("#1f77b4", "#15507f", "dot", "name", 30),
    "Unit": Look("#7fb3e0", "#4f83b0", "dot", "name", 20),
    "OversightBody": Look("#2ca02c", "#1c6b1c", "diamond", "name", 28),
    "Person": Look("#ff7f0e", "#b35500", "dot", "name", 22),
    "Vendor": Look("#d62728", "#8f1a1a", "square", "name", 28),
    "Product": Look("#e377c2", "#a14f89", "square", "name", 26),
    "Organization": Look("#8c564b", "#5e3a32", "triangle", "name", 20),
    "Conference": Look("#bcbd22", "#7e7f16", "star", "name", 24),
    "Investigation": Look("#17becf", "#0f7f8a", "hexagon", "name", 22),
    "Statement": Look("#c5b0d5", "#8c78a0", "box", "name", 16),
    "Event": Look("#f7b6d2", "#b9819a", "ellipse", "name", 18),
    "Report": Look("#9edae5", "#6aa3ad", "box", "name", 18),
    "Figure": Look("#dbdb8d", "#a3a35f", "box", "name", 16),
    "Source": Look("#7f7f7f", "#4d4d4d", "box", "title", 22),
}
DEFAULT_LOOK = Look("#cccccc", "#888888", "dot", "name", 16)


def look(labels: list[str] | tuple[str, ...]) -> tuple[str, Look]:
    """The kind (label) a node is drawn as, and its look: its first label that has one."""
    for label in labels:
        if label in PALETTE:
            return label, PALETTE[label]
    return (labels[0] if labels else "Entity"), DEFAULT_LOOK
