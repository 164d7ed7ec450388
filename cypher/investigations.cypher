/*
name: investigations
title: Investigations and reviews
description: Who is investigating or reviewing whom, about what, who heads or speaks for each body that conducts it (heads), and the status? Optionally only those into or by one subject, or as they stood at a date (an investigation is dated by its opening, else by its first report).
params:
  subject: {type: entity, default: null, example: Clearview AI, doc: "only investigations into (or by) this entity; a vendor includes its products"}
  as_of: {type: date, default: null, example: 2020-02-15, doc: "as they stood at this date (any precision): opened by then, and the status reported by then"}
  limit: {type: int, default: 100, example: 100, doc: "at most this many rows (an answer cut short says so)"}
columns:
  investigation_id: entity
  conducted_by_ids: entities
  into_ids: entities
  awaited_by_ids: entities
  sources: sources
*/
MATCH (inv:Investigation)
WITH inv,
     COLLECT { MATCH (by)-[:CONDUCTS]->(inv) RETURN by.id } AS by_ids,
     COLLECT { MATCH (inv)-[:INTO]->(target) RETURN target.id } AS into_ids
WHERE $subject IS NULL
   OR $subject IN by_ids
   OR $subject IN into_ids
   OR EXISTS { MATCH (:Entity {id: $subject})-[:MAKES]->(product) WHERE product.id IN into_ids }
// when it was opened: its own date, else the earliest dated event about it (a launch, an announcement)
WITH inv,
     coalesce(inv.date, COLLECT {
       MATCH (e:Event)-[:ABOUT]->(inv) WHERE e.date IS NOT NULL RETURN e.date ORDER BY e.date LIMIT 1
     }[0]) AS opened,
     // the status is as its sources report it, so as of their publication
     COLLECT {
       MATCH (s:Source:Entity) WHERE s.id IN inv.sources AND s.published IS NOT NULL
       RETURN s.published ORDER BY s.published LIMIT 1
     }[0] AS reported
// known by its opening, else by its first report
WITH inv, opened, reported, kg.as_of(coalesce(opened, reported)) AS as_of, kg.as_of(reported) AS status_as_of
WHERE as_of IS NULL OR as_of <> 'later'
// the rest only for the rows shown
WITH inv, opened, reported, as_of, status_as_of ORDER BY inv.name, inv.id LIMIT $limit
RETURN inv.name AS investigation,
       inv.id AS investigation_id,
       inv.kind AS kind,
       COLLECT { MATCH (by)-[:CONDUCTS]->(inv) RETURN by.name ORDER BY by.name } AS conducted_by,
       COLLECT { MATCH (by)-[:CONDUCTS]->(inv) RETURN by.id ORDER BY by.name } AS conducted_by_ids,
       // who heads or speaks for each body that conducts it (former office holders left out)
       COLLECT {
         MATCH (by)-[:CONDUCTS]->(inv)
         MATCH (person:Person)-[role:HOLDS_ROLE]->(by)
         WHERE NOT coalesce(role.role, '') STARTS WITH 'former'
         RETURN coalesce(role.title + ' ', '') + person.name + ' (' + by.name + ')' ORDER BY person.name
       } AS heads,
       COLLECT {
         MATCH (by)-[:CONDUCTS]->(inv)
         MATCH (person:Person)-[role:HOLDS_ROLE]->(by)
         WHERE NOT coalesce(role.role, '') STARTS WITH 'former'
         UNWIND role.quotes AS quote
         RETURN quote ORDER BY person.name
       } AS heads_quotes,
       COLLECT { MATCH (inv)-[:INTO]->(target) RETURN target.name ORDER BY target.name } AS into,
       COLLECT { MATCH (inv)-[:INTO]->(target) RETURN target.id ORDER BY target.name } AS into_ids,
       inv.subject AS about,
       opened,
       as_of,
       CASE WHEN status_as_of = 'later' THEN 'opened; status not yet reported' ELSE inv.status END AS status,
       reported AS status_reported,
       COLLECT { MATCH (waiter)-[:AWAITS]->(inv) RETURN waiter.name } AS awaited_by,
       COLLECT { MATCH (waiter)-[:AWAITS]->(inv) RETURN waiter.id } AS awaited_by_ids,
       inv.quotes AS quotes,
       inv.sources AS sources
ORDER BY investigation, investigation_id
