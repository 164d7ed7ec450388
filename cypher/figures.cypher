/*
name: figures
title: Reported figures
description: The numbers the media reported (images collected, agencies using the tool), who reported them and the words used.
params:
  limit: {type: int, default: 100, example: 100, doc: "at most this many rows (an answer cut short says so)"}
columns:
  figure_id: entity
  reported_by_ids: entities
  about_ids: entities
  sources: sources
*/
MATCH (fig:Figure)
// the rest only for the rows shown
WITH fig ORDER BY fig.value DESC LIMIT $limit
RETURN fig.name AS figure,
       fig.id AS figure_id,
       fig.value AS value,
       fig.unit AS unit,
       fig.qualifier AS qualifier,
       COLLECT { MATCH (r)-[:REPORTED_FIGURE]->(fig) RETURN r.name } AS reported_by,
       COLLECT { MATCH (r)-[:REPORTED_FIGURE]->(fig) RETURN r.id } AS reported_by_ids,
       COLLECT { MATCH (fig)-[:ABOUT]->(x) RETURN x.name } AS about,
       COLLECT { MATCH (fig)-[:ABOUT]->(x) RETURN x.id } AS about_ids,
       fig.quotes AS quotes,
       fig.sources AS sources
ORDER BY value DESC
