"""``python -m ghosttrack`` is the ``ghosttrack`` command."""

from ghosttrack.cli.main import main

main()
