/*
name: sources-for
title: Sources for an entity
description: Which sources support the facts about an entity, with the quote each one gives for each fact.
params:
  entity: {type: entity, example: Niagara police, doc: the entity (id, name or alias)}
  limit: {type: int, default: 100, example: 100, doc: "at most this many rows (an answer cut short says so)"}
columns:
  source: source
  fact_id: fact
*/
MATCH (n:Entity {id: $entity})
CALL (n) {
  MATCH (n)-[r]-(m:Entity)
  WHERE r.sources IS NOT NULL
  UNWIND range(0, size(r.sources) - 1) AS i
  RETURN r.sources[i] AS source_id,
         startNode(r).name + ' ' + type(r) + ' ' + endNode(r).name AS fact,
         r.key AS fact_id, r.quotes[i] AS quote, r.confidences[i] AS confidence
  UNION ALL
  MATCH (s:Source)-[rep:REPORTS]->(n)
  RETURN s.id AS source_id, n.name AS fact, n.id AS fact_id, rep.quote AS quote, rep.confidence AS confidence
}
MATCH (src:Entity {id: source_id})
RETURN src.id AS source, src.title AS title, src.published AS published, fact, fact_id, quote, confidence
ORDER BY source, fact, quote
LIMIT $limit
