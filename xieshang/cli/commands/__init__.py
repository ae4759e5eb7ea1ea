"""One module per CLI subcommand: parse-free handlers over library functions."""
