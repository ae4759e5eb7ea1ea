"""Plotly figures in the dashboard's one style (ui.md "Charts"), by family:

- `theme`     colours (Okabe–Ito `PALETTE` for categories, one-hue `SEQUENTIAL` for
              scales, `ACCENT` only for the selected unit and alerts), the base layout,
              the hover text of a unit's figure, `graph_config(lang)` (the mode bar
              trimmed to "download as PNG", zh-CN locale)
- `bars`      units compared: ranking_bar (sorted, labelled, Wilson whiskers, the
              compared-to average dashed), share_bars (100%-stacked), bucket_bars
- `trends`    month by month: trend_lines (rates, 0–100%), trend_bars (counts); gaps
              for months without cases, n on every point, thin months hollow,
              partly covered months dashed
- `heatmaps`  reach_heatmap (unit × stakeholder category)
- `maps`      township_map (polygons, no tiles)
- `text`      plain(text): warehouse text escaped, so that Plotly shows it as text

Builders take plain rows (from xieshang.metrics through xieshang.dashboard.data) and return a
go.Figure; they never touch the database. Area names in the rows, and labels that carry
one (an average's), go through `text.plain` in the builders; labels the app writes itself
(vocabularies, buckets) pass as they are; markup a caller builds around a name (a hover
text) escapes the name itself.
"""
