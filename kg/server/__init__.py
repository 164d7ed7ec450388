"""The Neo4j servers kg starts and works on: the local server (its jars, its process, its class
archive), Docker Compose, the checkout's server that `kg db up` remembers, and neo4j-admin (dump,
restore, and the bulk import of `kg load --bulk`)."""

#: where `kg db up` starts Neo4j: auto picks Docker when it can serve, else the local server
BACKENDS = ("auto", "docker", "local")
