"""Full-text search per database vendor."""
