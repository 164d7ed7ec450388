"""The HTML views of `kg viz`: what a view holds, from the whole graph, a question or a focus (build),
and the one self-contained page that draws it offline (page)."""
