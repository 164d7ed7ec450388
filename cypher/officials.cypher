/*
name: officials
title: Officials and spokespeople
description: Who speaks for or leads each agency or body, with their titles as written?
params:
  agency: {type: entity, default: null, example: EPS, doc: only this organisation (and its units)}
*/
MATCH (person:Person)-[role:HOLDS_ROLE]->(org:Entity)
WHERE $agency IS NULL OR org.id = $agency OR EXISTS { (org)-[:PART_OF]->(:Entity {id: $agency}) }
RETURN org.name AS organisation,
       org.id AS organisation_id,
       person.name AS person,
       person.id AS person_id,
       role.title AS title,
       role.role AS role,
       role.confidence AS confidence,
       role.quotes AS quotes,
       role.sources AS sources
ORDER BY organisation, person
