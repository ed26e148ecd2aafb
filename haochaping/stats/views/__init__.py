"""The supervising-office dashboard and its drill-downs (server-rendered, htmx, ECharts)."""
