/*
name: agencies-learned-at-conferences
title: Agencies that learned of a tool at a conference
description: Which agencies learned of a tool at a conference or convention, and which one?
params:
  tool: {type: entity, default: clearview-app, example: Clearview AI, doc: the product, or a vendor for all its products (id, name or alias)}
  as_of: {type: date, default: null, example: 2019-11, doc: "as it stood at this date (any precision): learned by then"}
  limit: {type: int, default: 100, example: 100, doc: "at most this many rows (an answer cut short says so)"}
columns:
  agency_id: entity
  conference_id: entity
  sources: sources
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
WITH agency, learned, conf, attended,
     coalesce(learned.date, learned.start, attended.date, attended.start, conf.date, conf.start) AS learned_on
WITH agency, learned, conf, attended, learned_on, kg.as_of(learned_on) AS as_of
WHERE as_of IS NULL OR as_of <> 'later'
RETURN agency.name AS agency,
       agency.id AS agency_id,
       conf.name AS conference,
       conf.id AS conference_id,
       conf.kind AS kind,
       coalesce(conf.named, true) AS named,
       attended.officers AS officers,
       learned_on,
       as_of,
       learned.confidence AS confidence,
       learned.quotes AS quotes,
       learned.sources AS sources
ORDER BY agency, conference, learned.key
LIMIT $limit
