"""Write every cassette defined in tests/cassette_sources/ to cassettes/."""

from tests.cassette_sources import all_cassettes
from tests.cassette_tools import write

if __name__ == "__main__":
    for name, interactions in sorted(all_cassettes().items()):
        print(write(name, interactions).relative_to(write.__globals__["ROOT"]))
