"""`python -m tensorshelf.cli`: the same entry as the `tensorshelf` console script."""

from tensorshelf.cli.main import main

main()
