"""The ``ghosttrack`` command: the app of ``cli/app.py`` with every command module's commands
registered on it, one line each. Settings are read once, by the command that runs."""

from __future__ import annotations

from ghosttrack.cli import analytics, channels, db, searches, status, track, videos, web
from ghosttrack.cli.app import app
from ghosttrack.cli.discover import discover
from ghosttrack.cli.migrate import migrate
from ghosttrack.cli.simulate import simulate

app.command("version")(status.version)
app.command("add")(videos.add)
app.command("remove")(videos.remove)
app.command("pause")(videos.pause)
app.command("revive")(videos.revive)
app.command("import")(videos.import_)
app.command("track")(track.track)
app.command("run")(track.run)
app.command("janitor")(db.janitor)
app.command("status")(status.status)
app.command("tiers")(status.tiers)
app.command("settings")(status.settings_)
app.add_typer(db.app, name="db")
app.command("simulate")(simulate)
app.add_typer(channels.app, name="channels")
app.add_typer(searches.app, name="searches")
app.command("discover")(discover)
app.command("migrate")(migrate)
app.command("serve")(web.serve)
app.command("video")(analytics.video)
app.command("top")(analytics.top)
app.command("breakouts")(analytics.breakouts)
app.command("channel")(analytics.channel)
app.add_typer(analytics.trends_app, name="trends")
app.command("sql")(analytics.sql)
app.command("export")(analytics.export)


def main() -> None:
    """Entry point of the console script."""
    app()
