"""``python -m ghosttrack.sim``: the simulator alone (what ``ghosttrack simulate`` runs)."""

from __future__ import annotations

import typer

from ghosttrack.cli.simulate import simulate

if __name__ == "__main__":
    typer.run(simulate)
