"""The HTML views of `kg viz`: what a view holds, from the whole graph, a question or a focus (build),
the one self-contained page that draws it offline (page), and neighbourhoods in pieces for the
static site (shards)."""
