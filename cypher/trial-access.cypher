/*
name: trial-access
title: Free or trial access
description: Which agencies got free or trial access to a tool, how, and through whom (conferences, conventions)?
params:
  tool: {type: entity, default: clearview-app, example: Clearview AI, doc: the product, or a vendor for all its products (id, name or alias)}
  as_of: {type: date, default: null, example: 2019-11, doc: "as it stood at this date (any precision): access known by then"}
  limit: {type: int, default: 100, example: 100, doc: "at most this many rows (an answer cut short says so)"}
columns:
  agency_id: entity
  through_ids: entities
  sources: sources
*/
MATCH (given:Entity {id: $tool})
CALL (given) {
  // the product itself, or every product of a vendor
  WITH given WHERE given:Product RETURN given AS tool
  UNION
  MATCH (given)-[:MAKES]->(tool:Product) RETURN tool
}
MATCH (agency:Entity)-[access:HAD_ACCESS]->(tool)
WHERE access.mode IN ['trial', 'free_trial', 'evaluation']
WITH agency, tool, access, kg.as_of(access.start) AS as_of
WHERE as_of IS NULL OR as_of <> 'later'
// the rest only for the rows shown
WITH agency, tool, access, as_of ORDER BY agency.name, agency.id, access.start, access.mode LIMIT $limit
RETURN agency.name AS agency,
       agency.id AS agency_id,
       access.mode AS access,
       access.how AS how,
       access.officers AS officers,
       access.start AS since,
       COLLECT { MATCH (agency)-[:ATTENDED|LEARNED_OF_AT]->(c:Conference) RETURN DISTINCT c.name } AS through,
       COLLECT { MATCH (agency)-[:ATTENDED|LEARNED_OF_AT]->(c:Conference) RETURN DISTINCT c.id } AS through_ids,
       COLLECT { MATCH (agency)-[u:USED]->(tool) RETURN u.mode } AS used_for,
       coalesce(access.stopped, false)
         AND ($as_of IS NULL OR kg.as_of(access.end) IN ['certain', 'possible']
              OR EXISTS { MATCH ()-[stop:ORDERED_STOP]->(agency) WHERE kg.as_of(stop.date) IN ['certain', 'possible'] })
         AS stopped,
       as_of,
       access.confidence AS confidence,
       access.quotes AS quotes,
       access.sources AS sources
ORDER BY agency, agency_id, since, access
