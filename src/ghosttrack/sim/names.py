"""Words the simulated world is written with: channel names, handles and video titles.

Titles are built from a channel's topic so that ``search.list?q=<topic word>`` finds something.
"""

from __future__ import annotations

TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cooking", ("pasta", "bread", "curry", "ramen", "dumplings", "pie", "soup", "tacos")),
    ("gaming", ("speedrun", "boss", "build", "raid", "mod", "patch", "ranked", "lore")),
    ("travel", ("tokyo", "lisbon", "iceland", "desert", "train", "island", "market", "hike")),
    ("science", ("quantum", "fusion", "enzyme", "comet", "neuron", "crystal", "plasma", "gene")),
    ("music", ("guitar", "piano", "synth", "drums", "cover", "chords", "remix", "choir")),
    ("fitness", ("squat", "sprint", "yoga", "stretch", "deadlift", "cardio", "core", "mobility")),
    ("tech", ("laptop", "phone", "keyboard", "linux", "router", "camera", "chip", "battery")),
    ("history", ("empire", "castle", "treaty", "pharaoh", "voyage", "siege", "dynasty", "relic")),
    ("comedy", ("prank", "sketch", "roast", "standup", "parody", "bloopers", "improv", "skit")),
    ("diy", ("shed", "workbench", "lamp", "garden", "tile", "drawer", "weld", "paint")),
    ("cars", ("engine", "drift", "restoration", "turbo", "tyres", "rally", "gearbox", "ev")),
    ("finance", ("budget", "stocks", "taxes", "savings", "crypto", "index", "mortgage", "rent")),
    ("art", ("watercolor", "sketchbook", "portrait", "clay", "ink", "mural", "charcoal", "print")),
    ("nature", ("owl", "forest", "coral", "wolf", "storm", "river", "moss", "glacier")),
    ("space", ("rocket", "mars", "nebula", "orbit", "telescope", "moon", "launch", "saturn")),
    ("chess", ("opening", "endgame", "gambit", "blitz", "puzzle", "sacrifice", "tactics", "rook")),
)

ADJECTIVES = (
    "quiet", "bright", "lucky", "rapid", "curious", "golden", "hidden", "tiny",
    "epic", "honest", "wild", "cozy", "brave", "clever", "humble", "electric",
)  # fmt: skip

CHANNEL_NOUNS = (
    "lab", "kitchen", "garage", "studio", "club", "corner", "academy", "workshop",
    "den", "hub", "channel", "notes", "journal", "crew", "field", "school",
)  # fmt: skip

TITLE_PATTERNS = (
    "I tried {thing} for 30 days",
    "The {adj} truth about {thing}",
    "{Thing} explained in 10 minutes",
    "Why {thing} matters more than you think",
    "{Thing}: a {adj} {topic} guide",
    "We built the ultimate {thing}",
    "Beginner {topic}: {thing} basics",
    "{Thing} vs everything ({topic} test)",
    "My {adj} {thing} setup",
    "Top 10 {thing} mistakes",
    "{Thing} live Q&A",
    "Reacting to {adj} {thing} fails",
)

DESCRIPTION = "A {topic} video about {thing}. Simulated by ghosttrack: not a real upload."

CATEGORY_BY_TOPIC = {
    "cooking": "26", "gaming": "20", "travel": "19", "science": "28", "music": "10",
    "fitness": "17", "tech": "28", "history": "27", "comedy": "23", "diy": "26",
    "cars": "2", "finance": "27", "art": "24", "nature": "15", "space": "28", "chess": "20",
}  # fmt: skip

COUNTRIES = ("US", "GB", "IN", "BR", "DE", "FR", "JP", "CA", "MX", "ES", "KR", "AU")
