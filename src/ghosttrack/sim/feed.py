"""A channel's Atom feed (``/feeds/videos.xml?channel_id=…``), shaped like YouTube's: the 15
newest public uploads with their view count (``media:statistics``) and like count
(``media:starRating``)."""

from __future__ import annotations

import itertools
import time
from xml.sax.saxutils import escape, quoteattr

from ghosttrack.sim.world import Channel, Observed, World

FEED_SIZE = 15


def feed_time(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(ts))


def channel_feed(world: World, channel: Channel, ts: float) -> str:
    """The feed XML as YouTube would serve it at ``ts``."""
    channel_url = f"https://www.youtube.com/channel/{channel.channel_id}"
    head = f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" \
xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
 <link rel="self" href="http://www.youtube.com/feeds/videos.xml?channel_id={channel.channel_id}"/>
 <id>yt:channel:{channel.channel_id}</id>
 <yt:channelId>{channel.channel_id}</yt:channelId>
 <title>{escape(channel.title)}</title>
 <link rel="alternate" href="{channel_url}"/>
 <author>
  <name>{escape(channel.title)}</name>
  <uri>{channel_url}</uri>
 </author>
 <published>{feed_time(channel.created_at)}</published>
"""
    latest = [t.number for t in itertools.islice(world.public_uploads_desc(channel, ts), FEED_SIZE)]
    entries = [_entry(world, channel, seen, ts) for seen in world.observe_many(latest, ts) if seen]
    return head + "".join(entries) + "</feed>\n"


def _entry(world: World, channel: Channel, seen: Observed, ts: float) -> str:
    views, likes = seen.views, seen.likes
    info = world.info(seen.number)
    video_id = info.video_id
    updated = min(ts, seen.published + 3600 + (seen.number % 7) * 1800)
    title = escape(info.title)
    return f""" <entry>
  <id>yt:video:{video_id}</id>
  <yt:videoId>{video_id}</yt:videoId>
  <yt:channelId>{channel.channel_id}</yt:channelId>
  <title>{title}</title>
  <link rel="alternate" href="https://www.youtube.com/watch?v={video_id}"/>
  <author>
   <name>{escape(channel.title)}</name>
   <uri>https://www.youtube.com/channel/{channel.channel_id}</uri>
  </author>
  <published>{feed_time(seen.published)}</published>
  <updated>{feed_time(max(updated, seen.published))}</updated>
  <media:group>
   <media:title>{title}</media:title>
   <media:content url="https://www.youtube.com/v/{video_id}?version=3" \
type="application/x-shockwave-flash" width="640" height="390"/>
   <media:thumbnail url="https://i1.ytimg.com/vi/{video_id}/hqdefault.jpg" \
width="480" height="360"/>
   <media:description>{escape(info.description)}</media:description>
   <media:community>
    <media:starRating count={quoteattr(str(likes or 0))} average="5.00" min="1" max="5"/>
    <media:statistics views={quoteattr(str(views))}/>
   </media:community>
  </media:group>
 </entry>
"""
