"""What the bot says and does for each intent. No Flask, no SDK, no database driver."""
