"""How fast `provenance locate` finds passages in a long text, against a plain str.find.

Generates a deterministic 500 KB word-like text laid out as OCR output (lines of about 60
characters, words hyphenated across line breaks, paragraphs, typographic quotes, dashes
and footnote markers), takes 20 passages of 6 to 30 words from it, blurs each as a curator
would (line breaks collapsed, a typo or two, quotes and dashes typed plainly), and times
`find_passages` on each: the whole search as the command runs it (index included), and
the search alone on an index built once. It prints the medians, the ratio to one plain
``str.find`` of the query on the same text, and how many top passages are the right one.

    python benchmarks/locate.py [--size 500000] [--queries 20]
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import time

from provenance.locating import TextIndex, find_passages

SYLLABLES = "ka to ri me na sor tie ver an dong al pha ex tra ion ment di vi sion yal u riv er so vi et".split()


def make_text(size: int, rng: random.Random) -> str:
    """A word-like text of about ``size`` characters, with OCR-style line breaks."""
    vocabulary = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4))) for _ in range(6000)]
    vocabulary += ["the", "of", "and", "to", "in", "a", "was", "on", "1950", "November", "“volunteer”", "—"]
    lines: list[str] = []
    line: list[str] = []
    width = 0
    total = 0
    footnote = 1
    while total < size:
        word = rng.choice(vocabulary)
        if rng.random() < 0.002:
            word += "¹²³⁴⁵⁶⁷⁸⁹"[footnote % 9]
            footnote += 1
        if width + len(word) > 60:
            if len(word) > 6 and rng.random() < 0.3:  # hyphenated across the line break
                cut = len(word) // 2
                line.append(word[:cut] + "-")
                lines.append(" ".join(line))
                line, width = [word[cut:]], len(word) - cut
            else:
                lines.append(" ".join(line))
                line, width = [word], len(word)
            if rng.random() < 0.05:
                lines.append("")  # a paragraph break
        else:
            line.append(word)
            width += len(word) + 1
        total += len(word) + 1
    lines.append(" ".join(line))
    return "\n".join(lines) + "\n"


def blur(passage: str, rng: random.Random) -> str:
    """The passage as a curator might type it: on one line, plain quotes, a typo or two."""
    words = " ".join(passage.replace("-\n", "").split()).replace("“", '"').replace("”", '"').replace("—", "-")
    chars = list(words)
    for _ in range(rng.randint(0, 2)):
        at = rng.randrange(len(chars))
        if chars[at].isalpha():
            chars[at] = rng.choice(string.ascii_lowercase)
    return "".join(chars)


def passage_at(text: str, rng: random.Random) -> tuple[int, int]:
    """A span of 6 to 30 whole words somewhere in the text."""
    index = TextIndex(text)
    first = rng.randrange(len(index) - 40)
    count = rng.randint(6, 30)
    return index.starts[first], index.ends[first + count - 1]


def timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=500_000, help="characters of text")
    parser.add_argument("--queries", type=int, default=20)
    args = parser.parse_args()

    rng = random.Random(1950)
    text = make_text(args.size, rng)
    spans = [passage_at(text, rng) for _ in range(args.queries)]
    queries = [blur(text[s:e], rng) for s, e in spans]

    index = TextIndex(text)
    for query in queries[:2]:  # warm up imports and caches
        find_passages(index, query)
    whole, search, plain, right = [], [], [], 0
    for query, (start, end) in zip(queries, spans, strict=True):
        whole.append(timed(lambda query=query: find_passages(text, query)))
        search.append(timed(lambda query=query: find_passages(index, query)))
        plain.append(timed(lambda query=query: text.find(query)))
        top = find_passages(index, query, limit=1)
        right += bool(top) and top[0].start < end and top[0].end > start
    median_whole = statistics.median(whole) * 1000
    median_search = statistics.median(search) * 1000
    median_find = statistics.median(plain) * 1000
    print(f"text: {len(text):,} characters, {len(index):,} words, {text.count(chr(10)):,} lines")
    print(f"queries: {len(queries)} passages of 6-30 words, blurred (one line, plain quotes, 0-2 typos)")
    print(f"locate, as the command runs it (index + search): median {median_whole:.1f} ms, max {max(whole) * 1000:.1f} ms")
    print(f"locate, search alone on a prepared index:       median {median_search:.1f} ms")
    print(f"str.find of the query:                          median {median_find:.3f} ms")
    print(f"ratio locate / str.find: {median_whole / median_find:,.0f}x (search alone {median_search / median_find:,.0f}x)")
    print(f"top passage is the one blurred: {right}/{len(queries)}")


if __name__ == "__main__":
    main()
