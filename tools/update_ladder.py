"""Rebuild the README's likelihood ladder from results/*.json: ``python -m tools.update_ladder``."""
from armlib import ladder

if __name__ == "__main__":
    ladder.README.write_text(ladder.readme_with_ladder(ladder.README.read_text()))
    print(ladder.markdown(ladder.COMMITTED_RESULTS))
