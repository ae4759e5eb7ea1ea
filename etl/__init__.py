"""Extract → normalise → validate → load: inbox files into the warehouse."""
