/*
name: statements
title: Statements by a person or agency
description: What did a person or agency say, when, and in which source?
params:
  speaker: {type: entity, example: Frank Bergen, doc: the person or organisation (its statements and those made on its behalf)}
  as_of: {type: date, default: null, example: 2019-11, doc: "as it stood at this date (any precision): statements made by then"}
  limit: {type: int, default: 100, example: 100, doc: "at most this many rows (an answer cut short says so)"}
columns:
  statement_id: entity
  said_by_ids: entities
  sources: sources
*/
MATCH (speaker:Entity {id: $speaker})
CALL (speaker) {
  MATCH (speaker)-[:MADE]->(st:Statement) RETURN st
  UNION
  MATCH (st:Statement)-[:ON_BEHALF_OF]->(speaker) RETURN st
}
WITH st, kg.as_of(st.date) AS as_of
WHERE as_of IS NULL OR as_of <> 'later'
// the rest only for the rows shown
WITH st, as_of ORDER BY coalesce(st.date, '9999'), st.id LIMIT $limit
RETURN st.date AS date,
       st.date_precision AS date_precision,
       st.date_as_written AS date_as_written,
       COLLECT { MATCH (who)-[:MADE]->(st) RETURN who.name } AS said_by,
       COLLECT { MATCH (who)-[:MADE]->(st) RETURN who.id } AS said_by_ids,
       as_of,
       st.stance AS stance,
       st.medium AS medium,
       st.summary AS summary,
       st.quotes AS quotes,
       st.confidence AS confidence,
       st.sources AS sources,
       st.id AS statement_id
ORDER BY coalesce(date, '9999'), statement_id
