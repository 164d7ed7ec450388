"""`kg serve`: the graph on the web, read-only, every page citable. What each page shows, read from
the database (facts), the Starlette application with its routes and headers (app), the curation
desk of `kg serve --curate` (curate), and its Jinja2 templates (templates/)."""
