"""`python -m kg`: the `kg` command, as the console script runs it."""

from kg.cli import main

main()
