"""Staff screens of the work-order engine (htmx, Chinese): the department workbench, the
order page with its actions, and the supervising office's console. Thin: every read goes
through ``workorders.selectors`` and every write through ``workorders.services``."""
