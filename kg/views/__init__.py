"""The HTML views of `kg viz`: what a view holds, from the whole graph, a question or a focus (build),
the one self-contained page that draws it offline (page) with vis-network or, for large views,
sigma.js (sigma), what both call its nodes and links (labels), and neighbourhoods in pieces for the
static site (shards)."""
