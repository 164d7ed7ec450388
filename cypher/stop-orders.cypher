/*
name: stop-orders
title: Stop orders
description: Who ordered (or asked) that use stop, for which agency, and when?
params:
  agency: {type: entity, default: null, example: Toronto police, doc: only orders aimed at this agency (or a group it belongs to)}
*/
MATCH (who:Entity)-[stop:ORDERED_STOP]->(target:Entity)
WHERE $agency IS NULL OR target.id = $agency OR EXISTS { (:Entity {id: $agency})-[:PART_OF]->(target) }
RETURN who.name AS ordered_by,
       who.id AS ordered_by_id,
       target.name AS for_agency,
       target.id AS for_agency_id,
       stop.kind AS kind,
       stop.date AS date,
       stop.date_precision AS date_precision,
       stop.date_as_written AS date_as_written,
       stop.product AS product,
       stop.confidence AS confidence,
       stop.quotes AS quotes,
       stop.sources AS sources
ORDER BY coalesce(date, '9999'), for_agency, ordered_by
