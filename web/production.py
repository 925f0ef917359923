"""The app `safeguard serve` runs under uvicorn (an import string, so uvicorn can start workers)."""

from bootstrap import web_app
from configuration.logging import configure_logging
from configuration.settings import get_settings

configure_logging(get_settings().log_format)
app = web_app(get_settings())
