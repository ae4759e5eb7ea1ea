"""The dashboard's pages, one module each: Dash Pages imports every module here that
calls `dash.register_page` (as `pages.<name>`); each lays out its skeleton and wires thin
callbacks around the builders of dashboard/views/<name>.py."""
