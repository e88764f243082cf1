"""Recognising video ids in what users paste: bare ids and every common YouTube URL form."""

from __future__ import annotations

import pytest

from ghosttrack.ids import is_channel_id, parse_video_id, uploads_playlist_id

ID = "dQw4w9WgXcQ"


@pytest.mark.parametrize(
    "text",
    [
        ID,
        f"  {ID}\n",
        f"https://www.youtube.com/watch?v={ID}",
        f"https://www.youtube.com/watch/?v={ID}",
        f"http://youtube.com/watch?v={ID}",
        f"https://www.youtube.com/watch?feature=share&v={ID}&t=42s&list=PL123",
        f"https://www.youtube.com/watch?v={ID}#t=30",
        f"https://m.youtube.com/watch?v={ID}&app=m",
        f"https://music.youtube.com/watch?v={ID}&si=abc",
        f"https://youtu.be/{ID}",
        f"https://youtu.be/{ID}?si=Xy12&t=3",
        f"https://www.youtu.be/{ID}",
        f"https://www.youtube.com/shorts/{ID}",
        f"https://youtube.com/shorts/{ID}?feature=share",
        f"https://www.youtube.com/embed/{ID}?autoplay=1",
        f"https://www.youtube.com/live/{ID}?si=q",
        f"https://www.youtube.com/v/{ID}",
        f"HTTPS://WWW.YOUTUBE.COM/watch?v={ID}",
        f"youtube.com/watch?v={ID}",
        f"www.youtube.com/shorts/{ID}",
        f"m.youtube.com/watch?v={ID}",
        f"youtu.be/{ID}",
        f"YouTu.be/{ID}",
    ],
)
def test_video_ids_are_found(text: str) -> None:
    assert parse_video_id(text) == ID


@pytest.mark.parametrize("video_id", ["aaaaaaaaaaA", "-_-_-_-_-_0", "AbCdEfGhIjw", "0123456789k"])
def test_ids_with_every_kind_of_character(video_id: str) -> None:
    assert parse_video_id(video_id) == video_id
    assert parse_video_id(f"https://youtu.be/{video_id}") == video_id


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "hello",
        ID[:-1],  # 10 characters
        ID + "X",  # 12 characters
        "dQw4w9WgXcZ",  # 11 characters, but no id ends with Z
        "dQw4w9WgX!Q",
        f"https://vimeo.com/{ID}",
        f"https://notyoutube.com/watch?v={ID}",
        f"notyoutube.com/watch?v={ID}",
        f"https://www.youtube.com.evil.example/watch?v={ID}",
        "https://www.youtube.com/watch?v=",
        "https://www.youtube.com/watch?list=PL123",
        "https://www.youtube.com/watch?v=short",
        "https://youtu.be/",
        "https://www.youtube.com/shorts/",
        "https://www.youtube.com/@somechannel",
        "https://www.youtube.com/channel/UCuAXFkgsw1L7xaCfnd5JJOw",
        f"https://www.youtube.com/playlist?list={ID}",
    ],
)
def test_invalid_inputs_are_refused_naming_the_input(text: str) -> None:
    with pytest.raises(ValueError, match="is not a YouTube video id or video URL") as caught:
        parse_video_id(text)
    assert repr(text) in str(caught.value)


def test_channel_ids_and_their_uploads_playlist() -> None:
    channel = "UCuAXFkgsw1L7xaCfnd5JJOw"
    assert is_channel_id(channel)
    assert not is_channel_id("UCuAXFkgsw1L7xaCfnd5JJO")  # one short
    assert not is_channel_id("UUuAXFkgsw1L7xaCfnd5JJOw")
    assert not is_channel_id("@somechannel")
    assert uploads_playlist_id(channel) == "UUuAXFkgsw1L7xaCfnd5JJOw"
    with pytest.raises(ValueError, match="'@somechannel' is not a channel id"):
        uploads_playlist_id("@somechannel")
