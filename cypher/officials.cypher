/*
name: officials
title: Officials and spokespeople
description: Who speaks for or leads each agency or body, with their titles as written?
params:
  agency: {type: entity, default: null, example: EPS, doc: only this organisation (and its units)}
  limit: {type: int, default: 100, example: 100, doc: "at most this many rows (an answer cut short says so)"}
columns:
  organisation_id: entity
  person_id: entity
  sources: sources
*/
CALL () {
  WITH 1 AS everything WHERE $agency IS NULL
  MATCH (person:Person)-[role:HOLDS_ROLE]->(org:Entity)
  RETURN person, role, org
  UNION
  MATCH (agency:Entity {id: $agency})
  CALL (agency) {
    RETURN agency AS org
    UNION
    MATCH (unit)-[:PART_OF]->(agency) RETURN unit AS org
  }
  MATCH (person:Person)-[role:HOLDS_ROLE]->(org)
  RETURN person, role, org
}
RETURN org.name AS organisation,
       org.id AS organisation_id,
       person.name AS person,
       person.id AS person_id,
       role.title AS title,
       role.role AS role,
       role.confidence AS confidence,
       role.quotes AS quotes,
       role.sources AS sources
ORDER BY organisation, organisation_id, person, person_id, title
LIMIT $limit
