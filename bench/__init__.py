"""NASSAV's benchmarks: figures measured side by side in one run and reported as ratios."""
