"""The `tensorshelf` CLI's commands: thin adapters from the shell to ShelfApi."""
