"""`links discover` streams a million-triple target within bounded memory: the target goes into an on-disk
Oxigraph store and is read as a stream of labels, so the process grows with the candidates, not the target."""

from __future__ import annotations

import linking_data as data
import pytest


@pytest.mark.slow
def test_a_million_triples_in_bounded_memory(tmp_path):
    small, large = tmp_path / "small.nt", tmp_path / "large.nt"
    data.write_large_target(small, 20_000)
    assert data.write_large_target(large, 1_000_000) == 1_000_000
    small_rss, small_seconds, _ = data.discover_in_subprocess(small, tmp_path / "small.ttl")
    large_rss, large_seconds, stderr = data.discover_in_subprocess(large, tmp_path / "large.ttl")
    assert "43 resources" in stderr
    # 50 times the triples: the resident memory may grow by the on-disk store's caches and the candidates,
    # not by the target (Oxigraph's bulk loader, which holds a million triples in memory, peaks at 810 MB)
    assert large_rss < small_rss + 300 * 1024, (small_rss, large_rss)
    assert large_rss < 500 * 1024, large_rss
    print(f"20,000 triples: {small_rss // 1024} MB, {small_seconds:.1f} s; "
          f"1,000,000 triples: {large_rss // 1024} MB, {large_seconds:.1f} s")
