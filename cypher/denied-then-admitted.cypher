/*
name: denied-then-admitted
title: Denied, then admitted
description: Which agencies publicly denied use and later admitted or corrected it, with both statements and dates?
params: {}
*/
MATCH (later:Statement)-[fix:CORRECTS]->(denial:Statement {stance: 'denial'})
MATCH (denial)-[:ON_BEHALF_OF]->(agency:PoliceAgency)
RETURN agency.name AS agency,
       agency.id AS agency_id,
       denial.date AS denied_on,
       denial.date_as_written AS denied_as_written,
       denial.summary AS denial,
       denial.quotes AS denial_quotes,
       later.date AS admitted_on,
       later.date_as_written AS admitted_as_written,
       later.stance AS admission_kind,
       later.summary AS admission,
       later.quotes AS admission_quotes,
       COLLECT { MATCH (who)-[:MADE]->(later) RETURN who.name } AS admitted_by,
       fix.quotes AS correction_quotes,
       denial.sources + [s IN later.sources WHERE NOT s IN denial.sources] AS sources
ORDER BY agency
