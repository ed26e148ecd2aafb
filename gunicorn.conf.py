# gunicorn reads this file when started from the repository root (docs/security.md
# "Logs"): its access and error lines go through the same personal-data mask as the
# application's logs.
logger_class = "haochaping.core.gunicorn_logs.ScrubbingLogger"
