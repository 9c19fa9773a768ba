"""crawler/middlewares."""
