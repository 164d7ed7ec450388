/*
name: unapproved-use
title: Use without approval or the chief's knowledge
description: Where was a tool used or accessed without organisational approval, or before the agency or its chief knew?
params:
  tool: {type: entity, default: clearview-app, example: Clearview AI, doc: the product, or a vendor for all its products (id, name or alias)}
  as_of: {type: date, default: null, example: 2020-01, doc: "as it stood at this date (any precision): uses and discoveries known by then"}
  limit: {type: int, default: 100, example: 100, doc: "at most this many rows (an answer cut short says so)"}
columns:
  agency_id: entity
  discovery_ids: entities
  sources: sources
*/
MATCH (given:Entity {id: $tool})
CALL (given) {
  // the product itself, or every product of a vendor
  WITH given WHERE given:Product RETURN given AS tool
  UNION
  MATCH (given)-[:MAKES]->(tool:Product) RETURN tool
}
MATCH (agency:Entity)-[use:USED|HAD_ACCESS]->(tool)
WHERE $as_of IS NULL OR kg.as_of(use.start) <> 'later'
WITH agency, tool,
     collect(use) AS uses,
     COLLECT {
       MATCH (agency)-[:PARTICIPATED_IN]->(e:Event {kind: 'discovery'})
       WHERE $as_of IS NULL OR kg.as_of(e.date) <> 'later'
       RETURN e
     } AS discoveries
WHERE any(u IN uses WHERE u.approved = false) OR size(discoveries) > 0
// as of a date, the row holds as surely as the surest fact behind it
WITH agency, uses, discoveries,
     [u IN uses WHERE u.approved = false | kg.as_of(u.start)] + [e IN discoveries | kg.as_of(e.date)] AS known
RETURN agency.name AS agency,
       agency.id AS agency_id,
       [u IN uses | type(u) + coalesce(' ' + u.mode, '')] AS uses,
       any(u IN uses WHERE u.approved = false) AS unapproved,
       [e IN discoveries | coalesce(e.date, '?') + ': ' + e.name] AS learned_of_it,
       [e IN discoveries | e.id] AS discovery_ids,
       CASE WHEN $as_of IS NULL THEN null
            WHEN 'certain' IN known THEN 'certain'
            WHEN 'possible' IN known THEN 'possible'
            ELSE 'undated' END AS as_of,
       [u IN uses WHERE u.approved = false | u.quotes[0]] + [e IN discoveries | e.quotes[0]] AS quotes,
       reduce(all = [], s IN [u IN uses | u.sources] + [e IN discoveries | e.sources] |
              all + [x IN s WHERE NOT x IN all]) AS sources
ORDER BY agency, agency_id
LIMIT $limit
