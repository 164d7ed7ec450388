/*
name: oversight
title: Oversight bodies and what they did
description: Which oversight body covers which agencies, who heads or speaks for it (heads, with the quotes that tie them to it), and what each did (investigations, calls to stop, statements), optionally as it stood at a date.
params:
  as_of: {type: date, default: null, example: 2020-02-15, doc: "as it stood at this date (any precision): the bodies that had done something by then, and what; an item that only possibly came before is marked (possibly)"}
*/
MATCH (body:OversightBody)
WITH body,
     COLLECT { MATCH (body)-[j:HAS_JURISDICTION_OVER]->(a) RETURN a.name ORDER BY a.name } AS covers,
     COLLECT {
       MATCH (body)-[:CONDUCTS]->(i:Investigation)
       WITH i, kg.as_of(coalesce(i.date,
              COLLECT { MATCH (e:Event)-[:ABOUT]->(i) WHERE e.date IS NOT NULL RETURN e.date ORDER BY e.date LIMIT 1 }[0],
              COLLECT { MATCH (s:Source) WHERE s.id IN i.sources RETURN s.published ORDER BY s.published LIMIT 1 }[0]))
            AS known
       WHERE known IS NULL OR known IN ['certain', 'possible']
       RETURN i.name + ' (' + coalesce(i.status, '?') + ')' + CASE known WHEN 'possible' THEN ' (possibly)' ELSE '' END
       ORDER BY i.name
     } AS investigations,
     COLLECT {
       MATCH (body)-[o:ORDERED_STOP]->(t)
       WITH o, t, kg.as_of(o.date) AS known
       WHERE known IS NULL OR known IN ['certain', 'possible']
       RETURN o.kind + ' to ' + t.name + coalesce(' (' + o.date + ')', '') + CASE known WHEN 'possible' THEN ' (possibly)' ELSE '' END
     } AS stop_requests,
     COLLECT {
       MATCH (st:Statement)-[:ON_BEHALF_OF]->(body)
       WITH st, kg.as_of(st.date) AS known
       WHERE known IS NULL OR known IN ['certain', 'possible']
       RETURN coalesce(st.date + ': ', '') + st.summary + CASE known WHEN 'possible' THEN ' (possibly)' ELSE '' END
       ORDER BY st.date
     } AS statements,
     // who heads or speaks for the body (former office holders left out), and the words that say so
     COLLECT {
       MATCH (p:Person)-[h:HOLDS_ROLE]->(body) WHERE NOT coalesce(h.role, '') STARTS WITH 'former'
       RETURN coalesce(h.title + ' ', '') + p.name ORDER BY p.name
     } AS heads,
     COLLECT {
       MATCH (p:Person)-[h:HOLDS_ROLE]->(body) WHERE NOT coalesce(h.role, '') STARTS WITH 'former'
       UNWIND h.quotes AS quote RETURN quote ORDER BY p.name
     } AS heads_quotes,
     COLLECT { MATCH (body)-[r]-() WHERE r.sources IS NOT NULL UNWIND r.sources AS s RETURN DISTINCT s ORDER BY s } AS sources,
     // as of a date, a body's row holds as surely as the surest thing it had done by then
     COLLECT {
       MATCH (body)-[:CONDUCTS]->(i:Investigation)
       RETURN kg.as_of(coalesce(i.date,
         COLLECT { MATCH (e:Event)-[:ABOUT]->(i) WHERE e.date IS NOT NULL RETURN e.date ORDER BY e.date LIMIT 1 }[0],
         COLLECT { MATCH (s:Source) WHERE s.id IN i.sources RETURN s.published ORDER BY s.published LIMIT 1 }[0])) AS known
       UNION ALL
       MATCH (body)-[o:ORDERED_STOP]->() RETURN kg.as_of(o.date) AS known
       UNION ALL
       MATCH (st:Statement)-[:ON_BEHALF_OF]->(body) RETURN kg.as_of(st.date) AS known
     } AS known
WITH body, covers, investigations, stop_requests, statements, heads, heads_quotes, sources,
     CASE WHEN $as_of IS NULL THEN null
          WHEN 'certain' IN known THEN 'certain'
          WHEN 'possible' IN known THEN 'possible'
          WHEN 'undated' IN known THEN 'undated'
          ELSE 'later' END AS as_of
// bodies that had done nothing by then are left out
WHERE as_of IS NULL OR as_of <> 'later'
RETURN body.name AS body, body.id AS body_id, body.jurisdiction AS jurisdiction, heads, heads_quotes, covers,
       investigations, stop_requests, statements, as_of, sources
ORDER BY body
