"""Stock-taking (盘点): counting the shelves while the store stays open, and the manager's
finalizing, which posts the differences as stock movements."""
