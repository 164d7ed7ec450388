"""The one place kg's version and the Neo4j version are set.

docker-compose.yml uses the same LTS line (`neo4j:5.26-community`), the local server resolves
exactly NEO4J_VERSION from Maven Central, and a test checks that the two agree.
"""

#: kg's own version (pyproject.toml says the same; tests/test_packaging.py checks the wheel)
KG_VERSION = "0.1.0"
NEO4J_SERIES = "5.26"
NEO4J_VERSION = "5.26.30"
#: The last Neo4j Browser published to Maven Central; it works against a 5.26 server.
NEO4J_BROWSER_VERSION = "5.24.0"
