"""What several test modules share; no test module imports another.

inbox_files        write real CSV and xlsx inbox files
minimal_inbox      the smallest valid inbox, for the load tests, and their load/rejects calls
inbox_county       清河县, a county as inbox files with its figures worked out by hand
warehouse_builder  WarehouseBuilder: rows written straight into the schema tables (no ETL)
builder_county     示范县, counties written with the builder, figures worked out by hand
components         walking a Dash component tree: its nodes, texts and KPI cards
signin             the app with sign-in on, and a test client signed in through its form
scoped_county      清河县 with a user of every role and rejected and held rows in each township
schema_v2          the warehouse tables as the previous release (schema 2) left them
"""
