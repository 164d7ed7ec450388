/*
name: agencies-learned-at-conferences
title: Agencies that learned of a tool at a conference
description: Which agencies learned of a tool at a conference or convention, and which one?
params:
  tool: {type: entity, default: clearview-app, example: Clearview AI, doc: the product, or a vendor for all its products (id, name or alias)}
*/
MATCH (given:Entity {id: $tool})
CALL (given) {
  // the product itself, or every product of a vendor
  WITH given WHERE given:Product RETURN given AS tool
  UNION
  MATCH (given)-[:MAKES]->(tool:Product) RETURN tool
}
CALL (tool) {
  MATCH (tool)-[:PRESENTED_AT]->(conf:Conference)<-[learned:LEARNED_OF_AT]-(agency:Entity)
  RETURN agency, learned, conf
  UNION
  MATCH (agency:Entity)-[learned:LEARNED_OF_AT {product: tool.id}]->(conf:Conference)
  RETURN agency, learned, conf
}
WITH DISTINCT agency, learned, conf
WHERE agency:PoliceAgency OR agency:Unit
OPTIONAL MATCH (agency)-[attended:ATTENDED]->(conf)
RETURN agency.name AS agency,
       agency.id AS agency_id,
       conf.name AS conference,
       conf.kind AS kind,
       coalesce(conf.named, true) AS named,
       attended.officers AS officers,
       learned.confidence AS confidence,
       learned.quotes AS quotes,
       learned.sources AS sources
ORDER BY agency
