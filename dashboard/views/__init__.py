"""Pure builders of each page's parts: (engine, state, …) -> what the callbacks write."""
