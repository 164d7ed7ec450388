"""The named questions (cypher/*.cypher): their catalogue and headers, their parameters (params),
the guard that keeps them read-only, names resolved to ids (entities), full-text search, running
them (run) and their answers with the sources they cite (answers)."""
