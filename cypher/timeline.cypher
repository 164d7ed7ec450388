/*
name: timeline
title: Timeline
description: Dated events, statements and facts in order, optionally for one entity, each with the precision of its date. A month sorts before the days in it.
params:
  entity: {type: entity, default: null, example: Hamilton police, doc: only what involves this entity}
*/
CALL () {
  MATCH (n:Statement|Event|Report|Investigation)
  WHERE n.date IS NOT NULL
    AND ($entity IS NULL OR n.id = $entity
         OR EXISTS { MATCH (n)-[r]-(:Entity {id: $entity}) WHERE r.sources IS NOT NULL })
  RETURN n.date AS date, n.date_precision AS precision, n.date_as_written AS as_written,
         [l IN labels(n) WHERE l <> 'Entity'][0] AS kind, n.name AS what, n.id AS id,
         n.confidence AS confidence, n.quotes[0] AS quote, n.sources AS sources
  UNION ALL
  MATCH (a:Entity)-[r]->(b:Entity)
  WHERE r.sources IS NOT NULL AND coalesce(r.date, r.start) IS NOT NULL
    AND ($entity IS NULL OR a.id = $entity OR b.id = $entity)
  RETURN coalesce(r.date, r.start) AS date,
         coalesce(r.date_precision, r.start_precision) AS precision,
         coalesce(r.date_as_written, r.start_as_written) AS as_written,
         type(r) AS kind,
         a.name + ' ' + toLower(replace(type(r), '_', ' ')) + ' ' + b.name
           + CASE WHEN r.date IS NULL THEN ' (from)' ELSE '' END AS what,
         r.key AS id, r.confidence AS confidence, r.quotes[0] AS quote, r.sources AS sources
}
RETURN date, precision, as_written, kind, what, id, confidence, quote, sources
ORDER BY date, id
