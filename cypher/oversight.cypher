/*
name: oversight
title: Oversight bodies and what they did
description: Which oversight body covers which agencies, and what each did (investigations, calls to stop, statements).
params: {}
*/
MATCH (body:OversightBody)
WITH body,
     COLLECT { MATCH (body)-[j:HAS_JURISDICTION_OVER]->(a) RETURN a.name ORDER BY a.name } AS covers,
     COLLECT { MATCH (body)-[:CONDUCTS]->(i:Investigation) RETURN i.name + ' (' + coalesce(i.status, '?') + ')' ORDER BY i.name } AS investigations,
     COLLECT { MATCH (body)-[o:ORDERED_STOP]->(t) RETURN o.kind + ' to ' + t.name + coalesce(' (' + o.date + ')', '') } AS stop_requests,
     COLLECT { MATCH (st:Statement)-[:ON_BEHALF_OF]->(body) RETURN coalesce(st.date + ': ', '') + st.summary ORDER BY st.date } AS statements,
     COLLECT { MATCH (p:Person)-[h:HOLDS_ROLE]->(body) RETURN h.title + ' ' + p.name } AS people,
     COLLECT { MATCH (body)-[r]-() WHERE r.sources IS NOT NULL UNWIND r.sources AS s RETURN DISTINCT s ORDER BY s } AS sources
RETURN body.name AS body, body.id AS body_id, body.jurisdiction AS jurisdiction, people, covers, investigations,
       stop_requests, statements, sources
ORDER BY body
