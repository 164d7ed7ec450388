/*
name: investigations
title: Investigations and reviews
description: Who is investigating or reviewing whom, about what, and the status? Optionally only those into or by one subject.
params:
  subject: {type: entity, default: null, example: Clearview AI, doc: "only investigations into (or by) this entity; a vendor includes its products"}
*/
MATCH (inv:Investigation)
WITH inv,
     COLLECT { MATCH (by)-[:CONDUCTS]->(inv) RETURN by.id } AS by_ids,
     COLLECT { MATCH (inv)-[:INTO]->(target) RETURN target.id } AS into_ids
WHERE $subject IS NULL
   OR $subject IN by_ids
   OR $subject IN into_ids
   OR EXISTS { MATCH (:Entity {id: $subject})-[:MAKES]->(product) WHERE product.id IN into_ids }
RETURN inv.name AS investigation,
       inv.kind AS kind,
       COLLECT { MATCH (by)-[:CONDUCTS]->(inv) RETURN by.name ORDER BY by.name } AS conducted_by,
       COLLECT { MATCH (inv)-[:INTO]->(target) RETURN target.name ORDER BY target.name } AS into,
       inv.subject AS about,
       inv.status AS status,
       COLLECT { MATCH (waiter)-[:AWAITS]->(inv) RETURN waiter.name } AS awaited_by,
       inv.quotes AS quotes,
       inv.sources AS sources
ORDER BY investigation
