/*
name: stop-orders
title: Stop orders
description: Who ordered (or asked) that use stop, for which agency, and when?
params:
  agency: {type: entity, default: null, example: Toronto police, doc: only orders aimed at this agency (or a group it belongs to)}
  as_of: {type: date, default: null, example: 2020-02-05, doc: "as it stood at this date (any precision): orders given by then"}
  limit: {type: int, default: 100, example: 100, doc: "at most this many rows (an answer cut short says so)"}
columns:
  ordered_by_id: entity
  for_agency_id: entity
  product: entity
  sources: sources
*/
CALL () {
  // every order, when no agency is asked for
  WITH 1 AS everything WHERE $agency IS NULL
  MATCH (who:Entity)-[stop:ORDERED_STOP]->(target:Entity)
  RETURN who, stop, target
  UNION
  // else those aimed at the agency, or at a group it belongs to
  MATCH (agency:Entity {id: $agency})
  CALL (agency) {
    RETURN agency AS target
    UNION
    MATCH (agency)-[:PART_OF]->(group) RETURN group AS target
  }
  MATCH (who:Entity)-[stop:ORDERED_STOP]->(target)
  RETURN who, stop, target
}
WITH who, stop, target, kg.as_of(stop.date) AS as_of
WHERE as_of IS NULL OR as_of <> 'later'
RETURN who.name AS ordered_by,
       who.id AS ordered_by_id,
       target.name AS for_agency,
       target.id AS for_agency_id,
       stop.kind AS kind,
       stop.date AS date,
       stop.date_precision AS date_precision,
       stop.date_as_written AS date_as_written,
       stop.product AS product,
       as_of,
       stop.confidence AS confidence,
       stop.quotes AS quotes,
       stop.sources AS sources
ORDER BY coalesce(date, '9999'), for_agency, ordered_by, stop.key
LIMIT $limit
