"""Alerts: a job failed, a quota bucket ran out while videos were due, the backlog passed its
threshold, the on-schedule share fell below its target — told once per episode, to the log and
to a Slack-compatible webhook.

``episodes`` is the pure part (what is wrong now, and which episodes open or close);
``notify`` checks the store and tells; ``ghosttrack run`` checks every ``alert_every``.
"""
