/*
name: agencies-using-tool
title: Agencies with access to or use of a tool
description: Which agencies had access to or used a tool, how, from when, and is it stopped?
params:
  tool: {type: entity, default: clearview-app, example: Clearview AI, doc: the product, or a vendor for all its products (id, name or alias)}
  collectives: {type: bool, default: false, example: true, doc: also list groups such as "law enforcement agencies"}
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
RETURN agency.name AS agency,
       agency.id AS agency_id,
       type(use) AS relation,
       use.mode AS how,
       use.purpose AS purpose,
       use.officers AS officers,
       use.start AS since,
       use.start_precision AS since_precision,
       use.approved AS approved,
       coalesce(use.stopped, false) AS stopped,
       COLLECT {
         MATCH (who)-[stop:ORDERED_STOP]->(agency)
         RETURN who.name + ' (' + stop.kind + coalesce(', ' + stop.date, '') + ')'
       } AS stop_orders,
       use.confidence AS confidence,
       use.quotes AS quotes,
       use.sources AS sources
ORDER BY agency, relation, since
