"""Channel adapters: parse LINE/Telegram payloads, render replies, call the platform APIs."""
