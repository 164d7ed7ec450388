/*
name: entity-profile
title: Everything about one entity
description: An entity's own record, then every fact that involves it, each with its sources and quotes.
params:
  entity: {type: entity, example: Warren Driechel, doc: the entity (id, name or alias)}
  limit: {type: int, default: 100, example: 100, doc: "at most this many rows (an answer cut short says so)"}
columns:
  other_id: entity
  sources: sources
*/
MATCH (n:Entity {id: $entity})
CALL (n) {
  RETURN 0 AS order, 'is' AS direction, [l IN labels(n) WHERE l <> 'Entity'][0] AS relation,
         n.name AS other, n.id AS other_id,
         n {.*, sources: null, quotes: null, confidences: null, quotes_text: null, aliases_text: null, name_key: null} AS details,
         n.quotes AS quotes,
         coalesce(n.sources, COLLECT { MATCH (s:Source)-[:MENTIONS]->(n) RETURN s.id ORDER BY s.id }) AS sources
  UNION ALL
  MATCH (n)-[r]-(m:Entity)
  WHERE r.sources IS NOT NULL
  RETURN 1 AS order, CASE WHEN startNode(r) = n THEN 'out' ELSE 'in' END AS direction, type(r) AS relation,
         m.name AS other, m.id AS other_id,
         r {.*, key: null, sources: null, quotes: null, confidences: null, quotes_text: null} AS details,
         r.quotes AS quotes, r.sources AS sources
}
RETURN n.name AS entity, direction, relation, other, other_id, details, quotes, sources
ORDER BY order, relation, other
LIMIT $limit
