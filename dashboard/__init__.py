"""The Dash dashboard (协商治理看板): frame, URL state, pages. Pages hold no SQL; every
figure comes from `xieshang.metrics` (through the cached accessors of `xieshang.dashboard.data`).

Module map:

- `app`        create_app(engine_or_url) and the lazily built `server` for gunicorn
- `frame`      top bar, filter bar, notices, the URL <-> state callback, page helpers
- `state`      State / Defaults, parse_query / to_query (pure: the URL is the state)
- `data`       cached access to metrics and to the area directory (keyed by load run)
- `components` KPI card, chart card (with "数据" table + CSV), empty state, loading
- `charts`     plotly figure builders (palette, ranking bars, trends, township map)
- `geometry`   township polygons (GeoJSON in assets/geo/, demo Voronoi generator)
- `i18n`, `fmt`, `stats`  text table, number formatting, Wilson intervals and ranking
"""
