"""Channel ids, handles and channel URLs as users type them."""

from __future__ import annotations

import pytest

from ghosttrack.hunter.inputs import ChannelRef, parse_channel_ref, parse_channel_refs

UC = "UCq-AIUnrPRx4RxRS_yWuUkA"


@pytest.mark.parametrize(
    ("text", "channel_id", "handle"),
    [
        (UC, UC, None),
        (f"  {UC} ", UC, None),
        ("@wildfinanceschool", None, "@wildfinanceschool"),
        (f"https://www.youtube.com/channel/{UC}", UC, None),
        (f"https://www.youtube.com/channel/{UC}/videos?view=0", UC, None),
        (f"youtube.com/channel/{UC}", UC, None),
        ("https://m.youtube.com/@Some.Handle-1", None, "@Some.Handle-1"),
        ("https://www.youtube.com/@wildfinanceschool/videos", None, "@wildfinanceschool"),
        ("www.youtube.com/@wildfinanceschool", None, "@wildfinanceschool"),
        ("https://www.youtube.com/%40encoded_handle", None, "@encoded_handle"),
    ],
)
def test_ids_handles_and_urls_are_recognised(
    text: str, channel_id: str | None, handle: str | None
) -> None:
    assert parse_channel_ref(text) == ChannelRef(text, channel_id=channel_id, handle=handle)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "is not a channel id"),
        ("wildfinanceschool", "is not a channel id"),  # a handle needs its @
        ("UC123", "is not a channel id"),
        ("@ab", "is not a channel id"),  # handles have 3 to 30 characters
        ("https://vimeo.com/@someone", "is not a channel id"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "is not a channel URL"),
        ("https://www.youtube.com/channel/UC123", "is not a channel URL"),
        ("https://www.youtube.com/c/SomeName", "legacy custom URL"),
        ("https://www.youtube.com/user/SomeName", "legacy custom URL"),
    ],
)
def test_anything_else_is_refused_naming_the_input(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says) as caught:
        parse_channel_ref(text)
    assert repr(text) in str(caught.value)


def test_a_list_keeps_order_drops_repeats_and_collects_every_problem() -> None:
    refs, problems = parse_channel_refs(
        [UC, "@Handle_One", "nope", f"https://www.youtube.com/channel/{UC}", "@handle_one", "x y"]
    )

    assert [(r.channel_id, r.handle) for r in refs] == [(UC, None), (None, "@Handle_One")]
    assert len(problems) == 2
    assert "'nope'" in problems[0]
    assert "'x y'" in problems[1]
