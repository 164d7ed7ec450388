/*
name: timeline
title: Timeline
description: Dated events, statements and facts in order, optionally for one entity or between two dates, each with the precision of its date. A month sorts before the days in it.
params:
  entity: {type: entity, default: null, example: Hamilton police, doc: only what involves this entity}
  from: {type: date, default: null, example: 2020-02, doc: "only what happened from this date on (any precision)"}
  to: {type: date, default: null, example: 2020-02-15, doc: "only what happened up to this date (any precision)"}
  limit: {type: int, default: 100, example: 100, doc: "at most this many rows (an answer cut short says so)"}
columns:
  id: fact
  sources: sources
*/
CALL () {
  // the whole timeline, when no entity is asked for
  WITH 1 AS everything WHERE $entity IS NULL
  MATCH (n:Statement|Event|Report|Investigation) WHERE n.date IS NOT NULL
  RETURN n AS fact, null AS r
  UNION
  WITH 1 AS everything WHERE $entity IS NULL
  MATCH ()-[r]->() WHERE r.sources IS NOT NULL AND coalesce(r.date, r.start) IS NOT NULL
  RETURN null AS fact, r
  UNION
  // else what involves the entity: itself, the facts it takes part in, its dated links
  MATCH (focus:Entity {id: $entity})
  CALL (focus) {
    RETURN focus AS n
    UNION
    MATCH (focus)-[link]-(n:Statement|Event|Report|Investigation) WHERE link.sources IS NOT NULL RETURN n
  }
  WITH n WHERE n.date IS NOT NULL AND (n:Statement OR n:Event OR n:Report OR n:Investigation)
  RETURN n AS fact, null AS r
  UNION
  MATCH (focus:Entity {id: $entity})-[r]-()
  WHERE r.sources IS NOT NULL AND coalesce(r.date, r.start) IS NOT NULL
  RETURN null AS fact, r
}
// sorted and cut on the date and the id alone: the rest only for the rows shown
WITH fact, r,
     CASE WHEN fact IS NOT NULL THEN fact.date ELSE coalesce(r.date, r.start) END AS date,
     CASE WHEN fact IS NOT NULL THEN fact.id ELSE r.key END AS id
WITH fact, r, date, id, kg.between(date) AS as_of
WHERE as_of IS NULL OR as_of IN ['certain', 'possible']
WITH fact, r, date, id, as_of ORDER BY date, id LIMIT $limit
WITH fact, r, date, id, as_of,
     CASE WHEN r IS NULL THEN null ELSE startNode(r) END AS a, CASE WHEN r IS NULL THEN null ELSE endNode(r) END AS b
WITH date, id, as_of, CASE WHEN fact IS NOT NULL THEN {
         precision: fact.date_precision, as_written: fact.date_as_written,
         kind: [l IN labels(fact) WHERE l <> 'Entity'][0], what: fact.name,
         confidence: fact.confidence, quote: fact.quotes[0], sources: fact.sources}
     ELSE {
         precision: coalesce(r.date_precision, r.start_precision),
         as_written: coalesce(r.date_as_written, r.start_as_written), kind: type(r),
         what: a.name + ' ' + toLower(replace(type(r), '_', ' ')) + ' ' + b.name
               + CASE WHEN r.date IS NULL THEN ' (from)' ELSE '' END,
         confidence: r.confidence, quote: r.quotes[0], sources: r.sources}
     END AS e
RETURN date, e.precision AS precision, e.as_written AS as_written, as_of, e.kind AS kind, e.what AS what, id,
       e.confidence AS confidence, e.quote AS quote, e.sources AS sources
ORDER BY date, id
