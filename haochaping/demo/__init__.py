"""The demo locality: a reproducible Chinese city built with bulk inserts (``manage.py demo``)."""
