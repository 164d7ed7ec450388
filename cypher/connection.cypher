/*
name: connection
title: How two entities are connected
description: The shortest chains of facts (up to 6 links) between two entities, with the fact and its sources on each link.
params:
  from: {type: entity, example: Ann Cavoukian, doc: one end}
  to: {type: entity, example: Clearview AI, doc: the other end}
  limit: {type: int, default: 10, example: 5, doc: at most this many chains}
columns:
  path_ids: entities
  sources: sources
*/
MATCH (a:Entity {id: $from}), (b:Entity {id: $to})
MATCH path = ALL SHORTEST (a)-[:!MENTIONS&!REPORTS&!PUBLISHED_BY&!AUTHORED_BY]-{1,6}(b)
WITH path LIMIT $limit
RETURN size(relationships(path)) AS hops,
       reduce(chain = head(nodes(path)).name, i IN range(0, size(relationships(path)) - 1) |
         chain + CASE WHEN startNode(relationships(path)[i]) = nodes(path)[i]
                      THEN ' -[' + type(relationships(path)[i]) + ']-> '
                      ELSE ' <-[' + type(relationships(path)[i]) + ']- ' END
               + nodes(path)[i + 1].name) AS chain,
       [n IN nodes(path) | n.id] AS path_ids,
       [r IN relationships(path) | {fact: startNode(r).name + ' ' + type(r) + ' ' + endNode(r).name,
                                    quote: r.quotes[0], sources: r.sources}] AS links,
       reduce(all = [], r IN relationships(path) | all + [s IN r.sources WHERE NOT s IN all]) AS sources
ORDER BY hops, chain
