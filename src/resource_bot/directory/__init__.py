"""What help exists: the taxonomy, the models, loading and validation, search, places and hours."""
