/*
name: denied-then-admitted
title: Denied, then admitted
description: Which agencies publicly denied use and later admitted or corrected it, with both statements and dates? As of a date, those that had denied by then, and whether they had admitted it yet.
params:
  as_of: {type: date, default: null, example: 2020-02-28, doc: "as it stood at this date (any precision): denied by then; admitted by then or not yet"}
  limit: {type: int, default: 100, example: 100, doc: "at most this many rows (an answer cut short says so)"}
columns:
  agency_id: entity
  denial_id: entity
  admission_id: entity
  admitted_by_ids: entities
  sources: sources
*/
MATCH (later:Statement)-[fix:CORRECTS]->(denial:Statement {stance: 'denial'})
MATCH (denial)-[:ON_BEHALF_OF]->(agency:PoliceAgency)
WITH agency, denial, later, fix, kg.as_of(denial.date) AS as_of, kg.as_of(later.date) AS admitted
WHERE as_of IS NULL OR as_of <> 'later'
// as of a date, an admission that came later is not yet one
WITH agency, denial, fix, as_of, admitted,
     CASE WHEN admitted = 'later' THEN null ELSE later END AS later
// the rest only for the rows shown
ORDER BY agency.name, denial.id
LIMIT $limit
RETURN agency.name AS agency,
       agency.id AS agency_id,
       denial.id AS denial_id,
       denial.date AS denied_on,
       denial.date_as_written AS denied_as_written,
       denial.summary AS denial,
       denial.quotes AS denial_quotes,
       as_of,
       CASE admitted WHEN 'later' THEN 'not yet' ELSE admitted END AS admitted_as_of,
       later.id AS admission_id,
       later.date AS admitted_on,
       later.date_as_written AS admitted_as_written,
       later.stance AS admission_kind,
       later.summary AS admission,
       later.quotes AS admission_quotes,
       COLLECT { MATCH (who)-[:MADE]->(later) RETURN who.name } AS admitted_by,
       COLLECT { MATCH (who)-[:MADE]->(later) RETURN who.id } AS admitted_by_ids,
       CASE WHEN later IS NULL THEN null ELSE fix.quotes END AS correction_quotes,
       denial.sources + [s IN coalesce(later.sources, []) WHERE NOT s IN denial.sources] AS sources
ORDER BY agency, denial_id
