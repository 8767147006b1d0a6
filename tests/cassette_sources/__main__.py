"""Write every cassette defined in tests/cassette_sources/ (to cassettes/, or into the package)."""

from tests.cassette_sources import all_cassettes, package_cassettes
from tests.cassette_tools import ROOT, write, write_to

if __name__ == "__main__":
    for name, interactions in sorted(all_cassettes().items()):
        print(write(name, interactions).relative_to(ROOT))
    for path, interactions in sorted(package_cassettes().items()):
        print(write_to(ROOT / path, interactions).relative_to(ROOT))
