/*
name: agencies-using-tool
title: Agencies with access to or use of a tool
description: Which agencies had access to or used a tool, how, from when, and is it stopped?
params:
  tool: {type: entity, default: clearview-app, example: Clearview AI, doc: the product, or a vendor for all its products (id, name or alias)}
  collectives: {type: bool, default: false, example: true, doc: also list groups such as "law enforcement agencies"}
  as_of: {type: date, default: null, example: 2019-11, doc: "as it stood at this date (any precision): access or use known by then, stopped by then"}
  limit: {type: int, default: 100, example: 100, doc: "at most this many rows (an answer cut short says so)"}
columns:
  agency_id: entity
  sources: sources
*/
MATCH (given:Entity {id: $tool})
CALL (given) {
  // the product itself, or every product of a vendor
  WITH given WHERE given:Product RETURN given AS tool
  UNION
  MATCH (given)-[:MAKES]->(tool:Product) RETURN tool
}
MATCH (agency:Entity)-[use:HAD_ACCESS|USED]->(tool)
WHERE (agency:PoliceAgency OR agency:Unit) AND ($collectives OR NOT coalesce(agency.collective, false))
WITH agency, use, kg.as_of(use.start) AS as_of
WHERE as_of IS NULL OR as_of <> 'later'
// the rest only for the rows shown
WITH agency, use, as_of ORDER BY agency.name, type(use), use.start, use.key LIMIT $limit
WITH agency, use, as_of,
     COLLECT {
       MATCH (who)-[stop:ORDERED_STOP]->(agency)
       WHERE $as_of IS NULL OR kg.as_of(stop.date) IN ['certain', 'possible']
       RETURN who.name + ' (' + stop.kind + coalesce(', ' + stop.date, '') + ')'
     } AS stop_orders
RETURN agency.name AS agency,
       agency.id AS agency_id,
       type(use) AS relation,
       use.mode AS how,
       use.purpose AS purpose,
       use.officers AS officers,
       use.start AS since,
       use.start_precision AS since_precision,
       use.approved AS approved,
       // as of a date, stopped only when the end or a stop order is known by then
       coalesce(use.stopped, false)
         AND ($as_of IS NULL OR kg.as_of(use.end) IN ['certain', 'possible'] OR size(stop_orders) > 0) AS stopped,
       stop_orders,
       as_of,
       use.confidence AS confidence,
       use.quotes AS quotes,
       use.sources AS sources
ORDER BY agency, relation, since, use.key
