"""Public rating pages (no login): the invitation link, the window QR flow and the
evaluator pad. Thin: the rating itself goes through ``services.evaluation_submit``."""
