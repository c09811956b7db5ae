"""relayr's database backends (see relayr.db.mysql)."""
