"""Neo4j Browser, with kg's guide and style: their URLs and the allow-list (urls), the style (style),
the guide's slides (guide, from the story in cypher/guide.yaml: story), the folder the local server
serves them from (serve), and the standalone server docker compose runs (guide_server)."""
