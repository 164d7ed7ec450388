/*
name: oversight
title: Oversight bodies and what they did
description: Which oversight body covers which agencies, who heads or speaks for it (heads, with the quotes that tie them to it), and what each did (investigations, calls to stop, statements), optionally as it stood at a date.
params:
  as_of: {type: date, default: null, example: 2020-02-15, doc: "as it stood at this date (any precision): the bodies that had done something by then, and what; an item that only possibly came before is marked (possibly)"}
  limit: {type: int, default: 20, example: 20, doc: "at most this many bodies (an answer cut short says so): each row is a whole body, with all it did"}
columns:
  body_id: entity
  covers_ids: entities
  sources: sources
*/
MATCH (body:OversightBody) WHERE body.name IS NOT NULL
// in the answer's order (the name index gives it), so that only the bodies shown are worked out
WITH body ORDER BY body.name, body.id
// what each body did, each act once with how surely it was done by the date asked (null: no date asked)
WITH body,
     COLLECT {
       MATCH (body)-[:CONDUCTS]->(i:Investigation)
       RETURN {text: i.name + ' (' + coalesce(i.status, '?') + ')', known: kg.as_of(coalesce(i.date,
                 COLLECT { MATCH (e:Event)-[:ABOUT]->(i) WHERE e.date IS NOT NULL RETURN e.date ORDER BY e.date LIMIT 1 }[0],
                 COLLECT { MATCH (s:Source:Entity) WHERE s.id IN i.sources RETURN s.published ORDER BY s.published LIMIT 1 }[0]))}
       ORDER BY i.name
     } AS investigations,
     COLLECT {
       MATCH (body)-[o:ORDERED_STOP]->(t)
       RETURN {text: o.kind + ' to ' + t.name + coalesce(' (' + o.date + ')', ''), known: kg.as_of(o.date)}
     } AS stop_requests,
     COLLECT {
       MATCH (st:Statement)-[:ON_BEHALF_OF]->(body)
       RETURN {text: coalesce(st.date + ': ', '') + st.summary, known: kg.as_of(st.date)} ORDER BY st.date
     } AS statements
// as of a date, a body's row holds as surely as the surest thing it had done by then
WITH body, investigations, stop_requests, statements,
     [x IN investigations + stop_requests + statements | x.known] AS known
WITH body, investigations, stop_requests, statements,
     CASE WHEN $as_of IS NULL THEN null
          WHEN 'certain' IN known THEN 'certain'
          WHEN 'possible' IN known THEN 'possible'
          WHEN 'undated' IN known THEN 'undated'
          ELSE 'later' END AS as_of
// bodies that had done nothing by then are left out; acts of theirs not done by then too
WHERE as_of IS NULL OR as_of <> 'later'
WITH body, investigations, stop_requests, statements, as_of
LIMIT $limit
// the rest only for the rows shown: the agencies covered, who heads or speaks for the body (former
// office holders left out) and the words that say so, the sources
WITH body, investigations, stop_requests, statements, as_of,
     COLLECT { MATCH (body)-[j:HAS_JURISDICTION_OVER]->(a) RETURN a.name ORDER BY a.name } AS covers,
     COLLECT { MATCH (body)-[j:HAS_JURISDICTION_OVER]->(a) RETURN a.id ORDER BY a.name } AS covers_ids,
     COLLECT {
       MATCH (p:Person)-[h:HOLDS_ROLE]->(body) WHERE NOT coalesce(h.role, '') STARTS WITH 'former'
       RETURN {who: coalesce(h.title + ' ', '') + p.name, quotes: h.quotes} ORDER BY p.name
     } AS roles,
     COLLECT { MATCH (body)-[r]-() WHERE r.sources IS NOT NULL UNWIND r.sources AS s RETURN DISTINCT s ORDER BY s } AS sources
RETURN body.name AS body, body.id AS body_id, body.jurisdiction AS jurisdiction,
       [r IN roles | r.who] AS heads,
       reduce(all = [], r IN roles | all + coalesce(r.quotes, [])) AS heads_quotes,
       covers,
       covers_ids,
       [x IN investigations WHERE x.known IS NULL OR x.known IN ['certain', 'possible'] |
        x.text + CASE x.known WHEN 'possible' THEN ' (possibly)' ELSE '' END] AS investigations,
       [x IN stop_requests WHERE x.known IS NULL OR x.known IN ['certain', 'possible'] |
        x.text + CASE x.known WHEN 'possible' THEN ' (possibly)' ELSE '' END] AS stop_requests,
       [x IN statements WHERE x.known IS NULL OR x.known IN ['certain', 'possible'] |
        x.text + CASE x.known WHEN 'possible' THEN ' (possibly)' ELSE '' END] AS statements,
       as_of, sources
ORDER BY body, body_id
