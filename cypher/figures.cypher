/*
name: figures
title: Reported figures
description: The numbers the media reported (images collected, agencies using the tool), who reported them and the words used.
params: {}
*/
MATCH (fig:Figure)
RETURN fig.name AS figure,
       fig.value AS value,
       fig.unit AS unit,
       fig.qualifier AS qualifier,
       COLLECT { MATCH (r)-[:REPORTED_FIGURE]->(fig) RETURN r.name } AS reported_by,
       COLLECT { MATCH (fig)-[:ABOUT]->(x) RETURN x.name } AS about,
       fig.quotes AS quotes,
       fig.sources AS sources
ORDER BY value DESC
