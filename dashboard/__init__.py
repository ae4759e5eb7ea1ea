"""The Dash dashboard (协商治理看板): the shell, the address as the state, pages. Pages hold
no SQL; every figure comes from `xieshang.metrics` (through the cached accessors of
`xieshang.dashboard.data`).

Module map (docs/dashboard.md has one line per module):

- `app`          create_app(engine_or_url) and the lazily built `server` for gunicorn
- `hardening`    headers, no banners, 400 / 404 / error ids on the server (`errors`)
- `shell`        top bar, tabs from dash.page_registry, filter bar, in the page's language
- `url_sync`     the address <-> filter bar <-> stores callback, page options checked
- `chart_cards`  every chart card's "数据" table and CSV download
- `page_kit`     what page modules use: ids, engine(), page_layout, guarded, drill_address
- `figure_page`  a page of KPI cards, rankings and extra charts (党员参与, 多元参与)
- `pages/`, `views/`   each page's layout and callbacks; its pure builders
- `state`        State / Defaults / PageOption, parse_query / to_query (pure)
- `data`         the `cached` decorator and every cached access to the warehouse
- `components`, `grid`, `charts/`   cards and states, ag-grid tables, plotly figures
- `geometry`     township polygons (GeoJSON in assets/geo/, demo Voronoi generator)
- `i18n`, `fmt`, `stats`, `paths`   texts, formatting, Wilson intervals, asset folders
"""
