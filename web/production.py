"""The app `safeguard serve` runs under uvicorn (an import string, so uvicorn can start workers)."""

from configuration.logging import configure_logging
from configuration.settings import get_settings
from web.app import create_app

configure_logging(get_settings().log_format)
app = create_app(get_settings())
