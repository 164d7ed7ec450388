"""The graph itself: its vocabulary (schema: labels, relationship types, properties, looks), the
connection (db), the records a graph streams out as (records), dates and standing at a date (when),
the palette the views and the Browser draw with, and py2neo for those who use it (interop)."""
