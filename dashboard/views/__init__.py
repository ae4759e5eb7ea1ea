"""Pure builders of the pages' parts: (engine, state, …) -> what the callbacks write. One
module per page, which never imports another page's; the parts several pages show are
in kpi_row, ranking and empty_states."""
