/*
name: figures
title: Reported figures
description: The numbers the media reported (images collected, agencies using the tool), who reported them and the words used.
params: {}
columns:
  figure_id: entity
  reported_by_ids: entities
  about_ids: entities
  sources: sources
*/
MATCH (fig:Figure)
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
